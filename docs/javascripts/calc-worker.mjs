// The one Python of a browser session: Pyodide plus calc, in a module Web Worker.
//
// Protocol (structured-clone messages):
//   in:  {type: "init", vendor, start, wasm} -> out: {type: "ready", ms, how, why} | {type: "failed", error}
//   in:  {type: "wasm", module, rate}      (when init said wasm: "page": Pyodide's WebAssembly, compiled by the page)
//   in:  {id, fn, kwargs, lang}            -> out: {id, result} | {id, error, key, fatal}
// `start` is "auto" (the policy below), "plain" or "snapshot" (tests and the benchmark force a path).
// `fn` must name a calculator registered in calc.web.widgets; `kwargs` are the raw form strings;
// `lang` the page's language (labels and messages from calc.web.i18n; numbers are the same).
// They reach Python as one JSON string and are parsed there: nothing typed is evaluated as code.
// An error's `key` names its explanation in the catalog (calc.web.i18n.UI), so the page says it in its language;
// a bad input is no error here: it comes back as a result ({ok: false, field, message}) already translated.

let callJson = null;
let starting = null;

// Moments of the start-up (epoch ms, so the page can place them on its own timeline): the benchmark's
// breakdown of where a cold start spends its time (scripts/bench_first_visit.py --phases).
const marks = { worker: performance.timeOrigin };
const mark = (name) => {
  marks[name] = performance.timeOrigin + performance.now();
};
for (const name of ["instantiate", "instantiateStreaming"]) {
  const original = WebAssembly[name];
  WebAssembly[name] = async (...args) => {
    mark(`${name} start`);
    const result = await original.apply(WebAssembly, args);
    mark(`${name} end`);
    return result;
  };
}

// Pyodide's WebAssembly as the page compiled it (scripts/docs_hook.py, EARLY_WORKER): when the init message
// says it is coming, Pyodide's request for the wasm gets a stand-in, and its instantiateStreaming instantiates
// the page's module instead (a few ms: the code is compiled already).  Without a module (the page could not
// compile or send it) the worker downloads and compiles the wasm itself, as it would without the page.
let fromPage = null;
let pageSent = () => {};
const pageModule = new Promise((resolve) => {
  pageSent = resolve;
});
const instantiateStreaming = WebAssembly.instantiateStreaming;
WebAssembly.instantiateStreaming = async (source, imports) => {
  if (fromPage) {
    const { module } = await pageModule;
    if (module instanceof WebAssembly.Module) {
      mark("page module");
      return { module, instance: await WebAssembly.instantiate(module, imports) };
    }
    source = nativeFetch(fromPage);
  }
  return instantiateStreaming.call(WebAssembly, source, imports);
};

async function fetchOk(url, options) {
  const response = await fetch(url, options);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

// ------------------------------------------------------------------ downloads, started at once
// Pyodide asks for its wasm only after pyodide.mjs and pyodide.asm.mjs are loaded and parsed: three
// round trips in a row.  The worker asks for everything at its first line instead, and answers
// Pyodide's own request for the wasm with the response already on its way.
const early = new Map();
const nativeFetch = self.fetch.bind(self);
self.fetch = (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  if (fromPage && url === fromPage) return Promise.resolve(new Response(null)); // see instantiateStreaming below
  const response = early.get(url);
  if (response) {
    early.delete(url);
    return response;
  }
  return nativeFetch(input, init);
};

// The connection's rate, from the wasm's download as Resource Timing saw it (bytes on the wire from its first byte
// to its last): for the start-up report and prefetchLater.  The wasm's Response itself goes to Pyodide untouched
// (not copied through a stream), so WebAssembly.instantiateStreaming may keep its compiled code in the HTTP cache
// and a later full load of a page skips the compilation.
function wireRate(url) {
  const entry = performance.getEntriesByName(url).pop();
  if (!entry || !entry.transferSize) return Infinity; // from the cache (or unknown): no connection to measure
  const ms = entry.responseEnd - entry.responseStart;
  return ms > 0 ? entry.encodedBodySize / ms : Infinity;
}

// ------------------------------------------------------------------ which start
// The snapshot skips Python's start-up but is a ~4 MB extra download, and restoring it is not free: measured
// in Chromium (scripts/bench_first_visit.py --phases), decompressing its ~31 MB and setting up that much memory
// cost about what it saves, even on a local link.  So a first visit starts plainly at once (waiting to
// measure the connection would only delay it); the snapshot is used when it is already in the browser's
// cache (fetched after a plain start on a fast connection, see prefetchLater), or when forced.
async function choose(start, manifest, snapshotUrl) {
  if (!manifest.snapshot) return { how: "plain start", why: "no snapshot built" };
  if (start === "plain" || start === "snapshot") return { how: start === "plain" ? "plain start" : "snapshot", why: "forced" };
  const connection = navigator.connection;
  if (connection && connection.saveData) return { how: "plain start", why: "data saver" };
  try {
    const cached = await nativeFetch(snapshotUrl, { cache: "only-if-cached", mode: "same-origin" });
    if (cached.ok) return { how: "snapshot", why: "cached", response: cached };
  } catch {
    // not in the cache: the usual first visit
  }
  return { how: "plain start", why: "snapshot not cached", measure: true };
}

// The connection's rate, once the wasm has arrived (for the report and prefetchLater): measured by the page
// when it downloaded the wasm, else here.
async function describeRate(choice, wasmUrl) {
  if (!choice.measure) return;
  const rate = fromPage ? (await pageModule).rate ?? Infinity : wireRate(wasmUrl);
  choice.mbps = rate * 8e-3;
  choice.why = `${choice.why}; ${Number.isFinite(choice.mbps) ? `${choice.mbps.toFixed(1)} Mbit/s measured` : "wasm from the cache"}`;
}

async function start(vendor, startPath, wasmFrom) {
  const t0 = performance.now();
  const at = (name) => new URL(name, vendor).href;
  const indexURL = at("pyodide/");
  const wasmUrl = `${indexURL}pyodide.asm.wasm`;
  if (wasmFrom === "page") fromPage = wasmUrl;
  const wasm = fromPage ? null : nativeFetch(wasmUrl);
  const asm = import(`${indexURL}pyodide.asm.mjs`);
  const pyodideModule = import(`${indexURL}pyodide.mjs`);
  mark("script");
  const manifest = await (await fetchOk(at("calc-manifest.json"), { cache: "no-cache" })).json();
  mark("manifest");
  if (wasm) early.set(wasmUrl, wasm);
  if (!manifest.runtime) {
    return startWithWheel(await pyodideModule, indexURL, at, manifest, t0);
  }

  const runtimeUrl = at(manifest.runtime);
  early.set(runtimeUrl, nativeFetch(runtimeUrl));
  const snapshotUrl = manifest.snapshot ? at(manifest.snapshot) : null;
  const choice = await choose(startPath, manifest, snapshotUrl);
  mark("path chosen");
  const options = {
    indexURL,
    stdLibURL: runtimeUrl, // the trimmed library with calc inside: nothing else to fetch or unpack
    lockFileContents: { info: manifest.lock_info, packages: {} },
    createPyodideModule: (await asm).default,
  };
  const { loadPyodide } = await pyodideModule;
  let pyodide = null;
  let how = choice.how;
  if (how === "snapshot") {
    try {
      const snapshot = choice.response || (await fetchOk(snapshotUrl));
      snapshot.clone().arrayBuffer().then(() => mark("snapshot downloaded"), () => {});
      pyodide = await loadPyodide({ ...options, _loadSnapshot: snapshot.arrayBuffer() });
    } catch (error) {
      console.warn("calc: snapshot start failed, starting Python normally:", error);
      how = "plain start";
      early.set(runtimeUrl, nativeFetch(runtimeUrl)); // the first copy was consumed by the failed try
    }
  }
  pyodide ??= await loadPyodide(options);
  mark("pyodide loaded");
  callJson = pyodide.pyimport("calc.web.widgets").call_json;
  mark("calc imported");
  await describeRate(choice, wasmUrl);
  if (how === "plain start" && snapshotUrl) prefetchLater(snapshotUrl, choice);
  return { ms: performance.now() - t0, how, why: choice.why };
}

// On a fast connection the snapshot is fetched once Python is live and the page is quiet, so a later
// full page load (a new tab, a reload) starts from it; never on a slow or metered connection.
function prefetchLater(snapshotUrl, choice) {
  if (!(choice.mbps >= 50)) return; // measured, and fast (a forced or cached choice has no rate)
  setTimeout(() => nativeFetch(snapshotUrl, { priority: "low" }).then((r) => r.arrayBuffer()).catch(() => {}), 5000);
}

// The site built without the trimmed runtime (Node failed at build time): Pyodide's own library and the wheel.
async function startWithWheel({ loadPyodide }, indexURL, at, manifest, t0) {
  const pyodide = await loadPyodide({ indexURL });
  const wheel = await fetchOk(`${at(manifest.wheel)}?v=${manifest.hash}`);
  // Into site-packages, not the working directory (the default), so the import does not depend on cwd.
  const sitePackages = pyodide.runPython("import site; site.getsitepackages()[0]");
  pyodide.unpackArchive(new Uint8Array(await wheel.arrayBuffer()), "wheel", { extractDir: sitePackages });
  callJson = pyodide.pyimport("calc.web.widgets").call_json;
  return { ms: performance.now() - t0, how: "plain start", why: "full library and wheel" };
}

// When each of the worker's downloads started, got its first byte and ended (epoch ms).
function resourceTimes() {
  return performance.getEntriesByType("resource").map((entry) => ({
    name: entry.name.split("/").pop(), start: performance.timeOrigin + entry.startTime,
    firstByte: performance.timeOrigin + entry.responseStart, end: performance.timeOrigin + entry.responseEnd,
    bytes: entry.transferSize,
  }));
}

self.onmessage = async (event) => {
  const message = event.data;
  if (message.type === "wasm") {
    pageSent(message);
    return;
  }
  if (message.type === "init") {
    starting ??= start(message.vendor, message.start || "auto", message.wasm);
    try {
      const { ms, how, why } = await starting;
      self.postMessage({ type: "ready", ms, how, why, marks, resources: resourceTimes() });
    } catch (error) {
      self.postMessage({ type: "failed", error: String(error && error.message ? error.message : error) });
    }
    return;
  }
  const { id, fn, kwargs } = message;
  const lang = typeof message.lang === "string" && /^[a-z]{2}$/.test(message.lang) ? message.lang : "en";
  try {
    if (!callJson) throw Object.assign(new Error("Python is not ready"), { key: "detail.notReady" });
    if (typeof fn !== "string" || !/^[a-z_]+$/.test(fn)) throw new Error("not a calculator name");
    const first = !marks["first call"];
    if (first) mark("first call");
    const result = JSON.parse(callJson(fn, JSON.stringify(kwargs ?? {}), lang));
    if (first) mark("first answer");
    // The first answer carries the start-up marks again, with the call's own (the benchmark's --phases).
    self.postMessage(first ? { id, result, marks } : { id, result });
  } catch (error) {
    // A Python exception leaves Python usable; anything else (a stack overflow inside the interpreter,
    // "Pyodide already fatally failed") may not: the page then starts a fresh worker for the next call.
    const fatal = !(error && error.type) && !(error instanceof SyntaxError);
    self.postMessage({ id, error: String(error && error.message ? error.message : error), key: error && error.key, fatal });
  }
};
