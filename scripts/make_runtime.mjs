// Build the browser's Python runtime from the calc wheel, with the Pyodide in node_modules.
//
// usage: node scripts/make_runtime.mjs WHEEL OUT_DIR
// Writes into OUT_DIR:
//   runtime.zip   Pyodide's standard-library zip, trimmed to the modules that Pyodide's start-up, the
//                 worker and calc import, plus calc itself; every module compiled to .pyc (the browser
//                 skips compiling them: Python starts about three times faster) and stored uncompressed,
//                 so the HTTP compression (.br/.gz twins) sees the whole archive at once.
//   snapshot.bin  a memory snapshot taken right after `import calc.web.widgets` with that runtime (the
//                 minimum the worker needs before it can answer); raw, the HTTP layer compresses it.
//   runtime.json  the module list, and the start-up times of both paths measured here.
// The zip also carries the planner's search results for its default inputs (calc.web.calculators.planner.WARM_STATE).
// The module list is measured, not guessed: what sys.modules holds from the full library after
// Pyodide started, every calc module was imported and every calculator ran once, plus the stdlib
// modules named by calc's own import statements (function-level ones too) and a few codecs.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadPyodide } from "pyodide";

const [wheel, outDir] = process.argv.slice(2);
const zipOut = join(outDir, "runtime.zip");

const full = await loadPyodide();
full.unpackArchive(new Uint8Array(readFileSync(wheel)), "wheel", {
  extractDir: full.runPython("import site; site.getsitepackages()[0]"),
});
const measured = full.runPython(`
import ast, importlib, json, sys, zipfile
from pathlib import Path

import calc, calc.web.widgets as w

ZIP = "/lib/python%d%d.zip" % sys.version_info[:2]
CALC = Path(calc.__file__).parent
for path in sorted(CALC.rglob("*.py")):
    importlib.import_module(".".join(("calc",) + path.relative_to(CALC).with_suffix("").parts).removesuffix(".__init__"))
from calc.web.calculators import planner
for widget in w.WIDGETS:
    w.call(widget)
# The planner's search for its default inputs, done now so the browser's first plan need not (planner.WARM_STATE).
warm = planner.warm_state()
# What calc's own import statements name (also inside functions), so a lazy import is not missed.
named = set()
for path in CALC.rglob("*.py"):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            named.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            named.add(node.module)
named = sorted(n for n in named if n.split(".")[0] != "calc")
for name in named:
    importlib.import_module(name)
# Codecs a text or an error message may need; cp437 is zipfile's for member names.
for codec in ("ascii", "latin_1", "utf_8", "utf_8_sig", "cp437", "idna"):
    importlib.import_module("encodings." + codec)

members = set(zipfile.ZipFile(ZIP).namelist())
keep = {m.__file__[len(ZIP) + 1:] for m in list(sys.modules.values())
        if (getattr(m, "__file__", None) or "").startswith(ZIP + "/")}
# Pyodide's own Python packages back its JavaScript API and load parts on demand: keep them whole.
keep |= {m for m in members if m.split("/")[0] in ("pyodide", "_pyodide") and m.endswith(".py")}

# Compile here: a .pyc's magic number must be this interpreter's.  Fixed dates: reproducible bytes.
import importlib._bootstrap_external as bx
def pyc(source, filename, optimize):
    code = compile(source, filename, "exec", dont_inherit=True, optimize=optimize)
    return bytes(bx._code_to_timestamp_pyc(code, 0, 0))
def entry(name):
    return zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
library = zipfile.ZipFile(ZIP)
with zipfile.ZipFile("/tmp/runtime.zip", "w", zipfile.ZIP_STORED) as out:
    for name in sorted(keep):
        out.writestr(entry(name[:-3] + ".pyc"), pyc(library.read(name), f"{ZIP}/{name}", 2))
    for path in sorted(CALC.rglob("*")):
        if "__pycache__" in path.parts or path.suffix not in (".py", ".json"):
            continue
        name = path.relative_to(CALC.parent).as_posix()
        if path.suffix == ".py":
            out.writestr(entry(name[:-3] + ".pyc"), pyc(path.read_bytes(), f"{ZIP}/{name}", 0))
        else:
            out.writestr(entry(name), path.read_bytes())
    out.writestr(entry("calc/" + planner.WARM_STATE), warm)
json.dumps({"stdlib_modules": sorted(keep), "calc_imports": named})
`);
writeFileSync(zipOut, full.FS.readFile("/tmp/runtime.zip"));

// Both start paths, timed here (best of three) so the browser's policy knows what the snapshot saves.
// CPU time, not wall time: a build machine shared with other jobs would otherwise inflate both.
async function plainStart() {
  const pyodide = await loadPyodide({ stdLibURL: zipOut });
  pyodide.runPython("import calc.web.widgets");
  return pyodide;
}
const best = async (fn) => {
  let ms = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = process.cpuUsage();
    await fn();
    const { user, system } = process.cpuUsage(t0);
    ms = Math.min(ms, (user + system) / 1000);
  }
  return Math.round(ms);
};
const plainMs = await best(plainStart);

const maker = await loadPyodide({ stdLibURL: zipOut, _makeSnapshot: true });
maker.runPython("import calc.web.widgets");
const snapshot = maker.makeMemorySnapshot();
writeFileSync(join(outDir, "snapshot.bin"), snapshot);
const snapshotMs = await best(async () => {
  const pyodide = await loadPyodide({ stdLibURL: zipOut, _loadSnapshot: snapshot });
  pyodide.runPython("import calc.web.widgets");
});

const info = { ...JSON.parse(measured), start_ms: { plain: plainMs, snapshot: snapshotMs } };
writeFileSync(join(outDir, "runtime.json"), JSON.stringify(info, null, 1));
console.log(`runtime.zip: ${info.stdlib_modules.length} stdlib modules + calc; snapshot ${snapshot.length} bytes; ` +
            `start ${plainMs} ms plain, ${snapshotMs} ms from the snapshot`);
