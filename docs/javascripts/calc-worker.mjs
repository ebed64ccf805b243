// The one Python of a browser session: Pyodide plus the calc wheel, in a module Web Worker.
//
// Protocol (structured-clone messages):
//   in:  {type: "init", vendor}            -> out: {type: "ready", ms, how} | {type: "failed", error}
//   in:  {id, fn, kwargs, lang}            -> out: {id, result} | {id, error}
// `fn` must name a calculator registered in calc.web.widgets; `kwargs` are the raw form strings;
// `lang` the page's language (labels and messages from calc.web.i18n; numbers are the same).
// They reach Python as one JSON string and are parsed there: nothing typed is evaluated as code.

let callJson = null;
let starting = null;

async function fetchOk(url, options) {
  const response = await fetch(url, options);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

// Fast path: a memory snapshot taken after `import calc.web.widgets` (made at build time by the same
// Pyodide build), so Python's start-up and the imports are skipped.
async function startFromSnapshot(loadPyodide, vendor, manifest) {
  const response = await fetchOk(new URL(`${manifest.snapshot}?v=${manifest.hash}`, vendor));
  const raw = response.body.pipeThrough(new DecompressionStream("gzip"));
  const snapshot = new Uint8Array(await new Response(raw).arrayBuffer());
  return loadPyodide({ indexURL: new URL("pyodide/", vendor).href, _loadSnapshot: snapshot });
}

async function startPlain(loadPyodide, vendor, manifest) {
  const pyodide = await loadPyodide({ indexURL: new URL("pyodide/", vendor).href });
  const wheel = await fetchOk(new URL(`${manifest.wheel}?v=${manifest.hash}`, vendor));
  // Into site-packages, not the working directory (the default), so the import does not depend on cwd.
  const sitePackages = pyodide.runPython("import site; site.getsitepackages()[0]");
  pyodide.unpackArchive(new Uint8Array(await wheel.arrayBuffer()), "wheel", { extractDir: sitePackages });
  return pyodide;
}

async function start(vendor) {
  const t0 = performance.now();
  const { loadPyodide } = await import(new URL("pyodide/pyodide.mjs", vendor).href);
  const manifest = await (await fetchOk(new URL("calc-manifest.json", vendor), { cache: "no-cache" })).json();
  let pyodide = null;
  let how = "plain start";
  if (manifest.snapshot && typeof DecompressionStream === "function") {
    try {
      pyodide = await startFromSnapshot(loadPyodide, vendor, manifest);
      how = "snapshot";
    } catch (error) {
      console.warn("calc: snapshot start failed, starting Python normally:", error);
    }
  }
  pyodide ??= await startPlain(loadPyodide, vendor, manifest);
  callJson = pyodide.pyimport("calc.web.widgets").call_json;
  return { ms: performance.now() - t0, how };
}

self.onmessage = async (event) => {
  const message = event.data;
  if (message.type === "init") {
    starting ??= start(message.vendor);
    try {
      const { ms, how } = await starting;
      self.postMessage({ type: "ready", ms, how });
    } catch (error) {
      self.postMessage({ type: "failed", error: String(error && error.message ? error.message : error) });
    }
    return;
  }
  const { id, fn, kwargs } = message;
  const lang = typeof message.lang === "string" && /^[a-z]{2}$/.test(message.lang) ? message.lang : "en";
  try {
    if (!callJson) throw new Error("Python is not ready");
    if (typeof fn !== "string" || !/^[a-z_]+$/.test(fn)) throw new Error("not a calculator name");
    const result = JSON.parse(callJson(fn, JSON.stringify(kwargs ?? {}), lang));
    self.postMessage({ id, result });
  } catch (error) {
    self.postMessage({ id, error: String(error && error.message ? error.message : error) });
  }
};
