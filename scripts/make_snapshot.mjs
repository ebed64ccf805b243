// Make a Pyodide memory snapshot with calc imported, so the browser can skip Python's start-up.
//
// usage: node scripts/make_snapshot.mjs WHEEL OUT.gz
// The snapshot only works with the exact Pyodide build that made it (the one in node_modules,
// which is also the one the site serves); the worker falls back to a plain start if loading fails.
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { loadPyodide } from "pyodide";

const [wheel, out] = process.argv.slice(2);
const pyodide = await loadPyodide({ _makeSnapshot: true });
const site = pyodide.runPython("import site; site.getsitepackages()[0]");
pyodide.unpackArchive(new Uint8Array(readFileSync(wheel)), "wheel", { extractDir: site });
// Import and exercise every calculator once, so their modules are in the snapshot.
pyodide.runPython("import calc.web.widgets as w\nfor name in w.WIDGETS: w.call(name)");
const snapshot = pyodide.makeMemorySnapshot();
writeFileSync(out, gzipSync(snapshot, { level: 6 }));
console.log(`snapshot: ${snapshot.length} bytes, ${readFileSync(out).length} gzipped`);
