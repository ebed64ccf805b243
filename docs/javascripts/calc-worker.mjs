// The one Python of a browser session: Pyodide plus the calc wheel, in a module Web Worker.
//
// Protocol (structured-clone messages):
//   in:  {type: "init", vendor}            -> out: {type: "ready", ms} | {type: "failed", error}
//   in:  {id, fn, kwargs}                  -> out: {id, result} | {id, error}
// `fn` must name a calculator registered in calc.widgets; `kwargs` are the raw form strings.
// They reach Python as one JSON string and are parsed there: nothing typed is evaluated as code.

let callJson = null;
let starting = null;

async function start(vendor) {
  const t0 = performance.now();
  const { loadPyodide } = await import(new URL("pyodide/pyodide.mjs", vendor).href);
  const pyodide = await loadPyodide({ indexURL: new URL("pyodide/", vendor).href });
  const manifestResponse = await fetch(new URL("calc-manifest.json", vendor), { cache: "no-cache" });
  if (!manifestResponse.ok) throw new Error(`calc-manifest.json: HTTP ${manifestResponse.status}`);
  const manifest = await manifestResponse.json();
  const wheelResponse = await fetch(new URL(`${manifest.wheel}?v=${manifest.hash}`, vendor));
  if (!wheelResponse.ok) throw new Error(`${manifest.wheel}: HTTP ${wheelResponse.status}`);
  // Into site-packages, not the working directory (the default), so the import does not depend on cwd.
  const sitePackages = pyodide.runPython("import site; site.getsitepackages()[0]");
  pyodide.unpackArchive(new Uint8Array(await wheelResponse.arrayBuffer()), "wheel", { extractDir: sitePackages });
  const widgets = pyodide.pyimport("calc.widgets");
  callJson = widgets.call_json;
  return performance.now() - t0;
}

self.onmessage = async (event) => {
  const message = event.data;
  if (message.type === "init") {
    starting ??= start(message.vendor);
    try {
      self.postMessage({ type: "ready", ms: await starting });
    } catch (error) {
      self.postMessage({ type: "failed", error: String(error && error.message ? error.message : error) });
    }
    return;
  }
  const { id, fn, kwargs } = message;
  try {
    if (!callJson) throw new Error("Python is not ready");
    if (typeof fn !== "string" || !/^[a-z_]+$/.test(fn)) throw new Error("not a calculator name");
    const result = JSON.parse(callJson(fn, JSON.stringify(kwargs ?? {})));
    self.postMessage({ id, result });
  } catch (error) {
    self.postMessage({ id, error: String(error && error.message ? error.message : error) });
  }
};
