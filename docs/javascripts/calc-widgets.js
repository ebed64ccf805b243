// Live calculators: the prerendered widgets become interactive once Python (Pyodide) is ready.
//
// One Web Worker serves every widget on every page of the session; this script is loaded once
// and Material's instant navigation keeps it alive, so the worker survives page changes.
// Widgets are bound on each `document$` emission (every page view).
(() => {
  "use strict";

  const SCRIPT = document.currentScript ? document.currentScript.src : location.href;
  const VENDOR = new URL("../vendor/", SCRIPT);
  const START_TIMEOUT_MS = 90_000;
  // A computation still running after this long says so ("Computing…"); a quicker one only changes the numbers.
  const BUSY_AFTER_MS = 150;
  // The link is updated once edits have paused this long.
  const URL_AFTER_MS = 250;
  // The status lines, notes and hints come with each widget (data-messages), in the page's language, from
  // calc.web.i18n (UI): the same catalog that translated the prerendered labels. ENGLISH is the fallback for
  // a line the widget's messages do not carry (a page built before the line existed).
  const ENGLISH = {
    "status.prerendered": "Computed at build time; edit a value to recompute in your browser",
    "status.loading": "Loading Python in your browser (first visit only)…",
    "status.live": "Live: computed in your browser by calc",
    "status.computing": "Computing…",
    "status.failed": "Python could not start; the numbers shown were computed at build time",
    "status.broken": "These inputs could not be computed; the last result is kept",
    "status.restarting": "Python stopped on these inputs and was restarted; edit a value to try again",
    "note.defaults": "Python could not start: the results below were computed when the site was built, for the " +
      "default inputs, not for the values entered above.",
    "note.notComputed": "Not computed (default: {value})",
    "note.notComputedEmpty": "Not computed (default: empty)",
    "note.tooLong": "{labels} too long to travel in a link; a shared link leaves it out.",
    "note.and": " and ",
    "note.unreadable": "Part of this link could not be read (it was cut short or changed); it was left out.",
  };
  // An error the page itself raises carries the catalog key of its explanation (error.key).
  const keyed = (message, key) => Object.assign(new Error(message), { key });
  // A link's packed text: beyond this many characters it stays out (many servers and chat apps cut long URLs).
  const MAX_LINK_CHARS = 32_000;
  // The most text a link may unpack to (a pasted config.json is ~5 kB; the form takes 200,000 characters).
  const MAX_UNPACKED_BYTES = 800_000;

  // ------------------------------------------------------------------ the shared worker
  const runtime = {
    worker: null,
    ready: null, // Promise resolved when Python is ready
    state: "idle",
    nextId: 1,
    pending: new Map(),
    listeners: new Set(),

    start() {
      if (this.ready) return this.ready;
      window.calcStartCalled = performance.now();
      this.setState("loading");
      // The page's <head> may have started the worker already (scripts/docs_hook.py): adopt it once.
      const early = window.calcEarlyWorker;
      window.calcEarlyWorker = null;
      this.ready = new Promise((resolve, reject) => {
        let worker;
        try {
          worker = early ? early.worker : new Worker(new URL("calc-worker.mjs", SCRIPT), { type: "module" });
        } catch (error) {
          reject(error);
          return;
        }
        this.worker = worker;
        const timer = setTimeout(() => reject(keyed("timed out", "detail.timedOut")), START_TIMEOUT_MS);
        worker.onmessage = (event) => {
          const data = event.data;
          if (data.type === "ready") {
            clearTimeout(timer);
            window.calcStartupMs = data.ms;
            window.calcStartupHow = data.how;
            window.calcStartupWhy = data.why;
            window.calcStartupMarks = { ...data.marks, page: performance.timeOrigin, ready: performance.timeOrigin + performance.now() };
            if (early) window.calcStartupMarks.head = performance.timeOrigin + early.at; // when the <head> made the worker
            window.calcStartupResources = data.resources;
            resolve();
          } else if (data.type === "failed") {
            clearTimeout(timer);
            reject(new Error(data.error));
          } else if (this.pending.has(data.id)) {
            if (data.marks) window.calcStartupMarks = { ...window.calcStartupMarks, ...data.marks };
            const { resolve: done, reject: fail } = this.pending.get(data.id);
            this.pending.delete(data.id);
            if ("error" in data) {
              const error = keyed(data.error, data.key);
              error.fatal = Boolean(data.fatal);
              fail(error);
              if (error.fatal) this.restart();
            } else done(data.result);
          }
        };
        worker.onerror = (event) => {
          clearTimeout(timer);
          reject(event.message ? new Error(event.message) : keyed("worker error", "detail.workerError"));
        };
        if (early) {
          for (const message of early.messages) worker.onmessage(message);
          if (early.error) worker.onerror(early.error);
          return;
        }
        // `?calc-start=plain|snapshot` forces a start path (tests, benchmark); otherwise the worker picks.
        const forced = new URLSearchParams(location.search).get("calc-start");
        worker.postMessage({ type: "init", vendor: VENDOR.href, start: forced || "auto" });
      });
      this.ready.then(
        () => this.setState("live"),
        (error) => {
          this.failure = error;
          this.setState("failed");
        },
      );
      return this.ready;
    },

    // Python died inside a call: drop this worker, so the next call starts a fresh one.
    restart() {
      this.worker?.terminate();
      this.worker = null;
      this.ready = null;
      for (const { reject } of this.pending.values()) reject(Object.assign(keyed("Python restarted", "detail.restarted"), { fatal: true }));
      this.pending.clear();
      this.setState("idle");
    },

    async call(fn, kwargs, lang) {
      await this.start();
      const id = this.nextId++;
      return new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.worker.postMessage({ id, fn, kwargs, lang });
      });
    },

    setState(state) {
      this.state = state;
      document.documentElement.classList.toggle("calc-ready", state === "live");
      document.documentElement.classList.toggle("calc-failed", state === "failed");
      for (const listener of this.listeners) listener(state);
    },
  };

  // ------------------------------------------------------------------ charts (Vega, loaded on demand)
  let vegaLoading = null;
  function loadVega() {
    const load = (name) =>
      new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = new URL(`vega/${name}`, VENDOR).href;
        script.onload = resolve;
        script.onerror = () => reject(new Error(`could not load ${name}`));
        document.head.appendChild(script);
      });
    vegaLoading ??= load("vega.min.js").then(() => load("vega-lite.min.js")).then(() => load("vega-embed.min.js"));
    return vegaLoading;
  }

  function themeConfig() {
    const style = getComputedStyle(document.body);
    const fg = style.getPropertyValue("--md-default-fg-color").trim() || "#222";
    const light = style.getPropertyValue("--md-default-fg-color--lighter").trim() || "#999";
    const faint = style.getPropertyValue("--md-default-fg-color--lightest").trim() || "#ddd";
    return {
      background: null,
      font: "inherit",
      title: { color: fg, fontWeight: 600 },
      axis: { labelColor: fg, titleColor: fg, gridColor: faint, domainColor: light, tickColor: light },
      legend: { labelColor: fg, titleColor: fg },
      text: { color: fg },
      view: { stroke: null },
    };
  }

  // Charts are redrawn after the numbers, once edits pause: a Vega view takes tens of milliseconds
  // to build, and it must not delay the next result while a reader is typing.
  const chartTimers = new WeakMap();
  function scheduleChart(container, spec) {
    clearTimeout(chartTimers.get(container));
    chartTimers.set(container, setTimeout(() => drawChart(container, spec), 120));
  }

  // A title longer than the chart is wide is broken into lines (Vega would clip it on a phone).  A Chinese
  // character is about as wide as two Latin ones, and Chinese has no spaces: a line may end between any two.
  const WIDE = /[\u3000-\u9fff\uff00-\uffef]/;
  const units = (text) => [...text].reduce((n, c) => n + (WIDE.test(c) ? 2 : 1), 0);
  function fitTitle(spec, width) {
    const text = typeof spec.title === "string" ? spec.title : null;
    // A colour legend takes ~110 px on the right, and the title is centred over what is left.
    const legend = /"color":\{[^{}]*"field"/.test(JSON.stringify(spec)) ? 110 : 0;
    const perLine = Math.max(20, Math.floor((width - legend) / 7.5)); // ~7.5 px per Latin character at Vega's 13 px title
    if (!text || units(text) <= perLine) return spec;
    const lines = [""];
    for (const piece of text.match(/[\u3000-\u9fff\uff00-\uffef]|[^\s\u3000-\u9fff\uff00-\uffef]+|\s+/g)) {
      const line = lines[lines.length - 1];
      if (line.trim() && piece.trim() && units(line + piece) > perLine) lines.push(piece);
      else lines[lines.length - 1] = line + piece;
    }
    return { ...spec, title: { text: lines.map((line) => line.trim()) } };
  }

  // The prerendered chart is drawn when it is about to scroll into view, and only once Python is live
  // (or has failed): Vega is ~250 kB compressed and must not compete with Python's download.
  const chartsToShow = new WeakMap();
  const chartObserver = "IntersectionObserver" in window
    ? new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting || !chartsToShow.has(entry.target)) continue;
        chartObserver.unobserve(entry.target);
        const spec = chartsToShow.get(entry.target);
        chartsToShow.delete(entry.target);
        runtime.start().catch(() => {}).then(() => {
          if (!entry.target.dataset.rendered) drawChart(entry.target, spec);
        });
      }
    }, { rootMargin: "300px" })
    : null;
  function drawWhenSeen(container, spec) {
    container.dataset.spec = JSON.stringify(spec);
    if (!chartObserver) return drawChart(container, spec);
    chartsToShow.set(container, spec);
    chartObserver.observe(container);
  }

  async function drawChart(container, spec) {
    container.dataset.spec = JSON.stringify(spec);
    chartsToShow.delete(container); // a newer chart replaces the one waiting to be seen
    if (!spec) return;
    try {
      await loadVega();
      const fitted = fitTitle(spec, container.clientWidth || 600);
      await window.vegaEmbed(container, fitted, { actions: false, renderer: "svg", config: themeConfig() });
      container.dataset.rendered = "true";
    } catch (error) {
      container.textContent = `${container.dataset.unavailable || "Chart unavailable"}: ${error.message}`;
    }
  }

  // ------------------------------------------------------------------ URL state
  // Numbers and choices travel in the query (?roofline.intensity=5); free text (a pasted config.json, prices)
  // travels compressed in the hash (#calc:anatomy.config=...), which never reaches a server.
  // An input renamed since a link was shared (the schema's "formerly") still takes the link's value; a name
  // the calculator never had is left out with the "unreadable" note rather than silently.
  function readUrlState(name, schema) {
    const params = new URLSearchParams(location.search);
    const renamed = Object.fromEntries(schema.flatMap((f) => (f.formerly || []).map((old) => [old, f.name])));
    const known = new Set(schema.map((f) => f.name));
    const state = {}, former = {};
    let unknown = false;
    for (const [key, value] of params) {
      if (!key.startsWith(`${name}.`)) continue;
      const field = key.slice(name.length + 1);
      if (known.has(field)) state[field] = value;
      else if (field in renamed) former[renamed[field]] = value;
      else unknown = true;
    }
    return { state: { ...former, ...state }, unknown };  // the current name wins over a former one
  }

  const HASH = "#calc:";
  const hashParams = () => new URLSearchParams(location.hash.startsWith(HASH) ? location.hash.slice(HASH.length) : "");

  async function pack(text) {
    const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    let binary = "";
    for (let i = 0; i < bytes.length; i += 8192) binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  async function unpack(code) {
    const base64 = code.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(base64 + "===".slice((base64.length + 3) % 4)), (c) => c.charCodeAt(0));
    const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw")).getReader();
    const chunks = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > MAX_UNPACKED_BYTES) throw new Error("too large"); // a small link must not unpack to gigabytes
      chunks.push(value);
    }
    return new TextDecoder().decode(await new Blob(chunks).arrayBuffer());
  }

  // Returns the names of text fields too long to travel.
  async function writeUrlState(name, values, defaults, schema, stillCurrent = () => true) {
    const params = new URLSearchParams(location.search);
    for (const key of [...params.keys()]) if (key.startsWith(`${name}.`)) params.delete(key);
    const hash = hashParams();
    for (const key of [...hash.keys()]) if (key.startsWith(`${name}.`)) hash.delete(key);
    const tooLong = [];
    for (const field of schema) {
      const value = values[field.name];
      if (value === undefined || String(defaults[field.name]) === String(value)) continue;
      if (field.kind !== "text") params.set(`${name}.${field.name}`, value);
      else if (value.trim()) {
        const code = await pack(value);
        if (code.length <= MAX_LINK_CHARS) hash.set(`${name}.${field.name}`, code);
        else tooLong.push(field.name);
      }
    }
    if (!stillCurrent()) return tooLong;
    const query = params.toString();
    const packed = hash.toString();
    const anchor = location.hash.startsWith(HASH) ? "" : location.hash;
    history.replaceState(history.state, "", `${location.pathname}${query ? `?${query}` : ""}${packed ? HASH + packed : anchor}`);
    return tooLong;
  }

  // ------------------------------------------------------------------ a result, patched in place
  // A recompute usually changes a few numbers in the same rows: rewriting only those text nodes (and the
  // attributes that differ) keeps the rest of the result, so the browser lays out and paints less than it
  // would after replacing the whole result (innerHTML).
  const parser = document.createElement("template");
  function parse(html) {
    parser.innerHTML = html;
    return parser.content;
  }
  // Set by site.js on a result table that scrolls sideways (markScrollers): kept, not taken from the new HTML.
  const KEPT = new Set(["tabindex", "role", "aria-label", "data-scroll-region"]);
  function patchChildren(target, source) {
    const olds = target.childNodes;
    const news = source.childNodes;
    if (olds.length !== news.length) {
      target.replaceChildren(...news);
      return;
    }
    for (let i = news.length - 1; i >= 0; i--) patchNode(olds[i], news[i]);
  }
  function patchNode(old, node) {
    if (old.nodeType !== node.nodeType || old.nodeName !== node.nodeName) {
      old.replaceWith(node);
    } else if (node.nodeType === Node.TEXT_NODE) {
      if (old.data !== node.data) old.data = node.data;
    } else if (node.nodeType !== Node.ELEMENT_NODE) {
      old.replaceWith(node);
    } else {
      const keep = old.hasAttribute("data-scroll-region");
      for (const { name, value } of node.attributes) if (old.getAttribute(name) !== value) old.setAttribute(name, value);
      for (const { name } of [...old.attributes]) {
        if (!node.hasAttribute(name) && !(keep && KEPT.has(name))) old.removeAttribute(name);
      }
      patchChildren(old, node);
    }
  }

  // ------------------------------------------------------------------ one widget
  function bind(root) {
    if (root.dataset.bound) return;
    root.dataset.bound = "true";
    const name = root.dataset.widget;
    const schema = JSON.parse(root.dataset.schema);
    const defaults = JSON.parse(root.dataset.defaults);
    const form = root.querySelector(".calc-form");
    const output = root.querySelector(".calc-output");
    const chart = root.querySelector(".calc-chart");
    const status = root.querySelector(".calc-status");
    const lang = root.dataset.lang || "en";
    const messages = JSON.parse(root.dataset.messages || "{}");
    const say = (key) => messages[key] || ENGLISH[key] || key;
    // Why something failed: the catalog's words when the page knows the reason; otherwise the browser's or
    // Python's own (English) text, shown as is on an English page and kept in a tooltip on another.
    const explain = (error) => (!error ? "" : error.key ? messages[error.key] || error.message : lang === "en" ? error.message : "");
    const why = (error) => (error && !error.key && lang !== "en" ? error.message : "");
    const prerendered = { html: output.innerHTML, spec: JSON.parse(chart.dataset.spec) };
    chart.dataset.unavailable = say("Chart unavailable");
    let latest = 0;
    let timer = null;

    const control = (field) => form.elements.namedItem(field);
    // A field's label as the page shows it (in the page's language), not the schema's English one.
    const shownLabel = (field) => form.querySelector(`label[for="${CSS.escape(`${root.id}-${field}`)}"]`)?.textContent || field;
    const values = () => Object.fromEntries(schema.map((f) => [f.name, control(f.name).value]));  // schema fields only
    // Only what changed is written: a status line rewritten with the same words would still cost a layout.
    const showStatus = (state, error) => {
      const detail = explain(error);
      const text = detail ? `${say(`status.${state}`)} (${detail})` : say(`status.${state}`);
      if (status.dataset.state !== state) status.dataset.state = state;
      if (status.textContent !== text) status.textContent = text;
      if (why(error)) status.title = why(error);
      else if (status.hasAttribute("title")) status.removeAttribute("title");
    };
    // One note under the form (link too long, link unreadable, Python could not start), replaced as it changes.
    const showNote = (kind, text) => {
      let note = root.querySelector(`.calc-note-${kind}`);
      if (!text) return note?.remove();
      if (!note) {
        note = document.createElement("p");
        note.className = `calc-form-note calc-note-${kind}`;
        note.setAttribute("role", "status");
        form.after(note);
      }
      note.textContent = text;
    };
    const clearErrors = () => {
      for (const box of root.querySelectorAll(".calc-field.calc-invalid, .calc-field.calc-not-computed")) {
        box.classList.remove("calc-invalid", "calc-not-computed");
        box.querySelector(".calc-error").textContent = "";
        box.querySelector("input:not([type=file]), select, textarea").removeAttribute("aria-invalid");
      }
      root.querySelector(".calc-form-error")?.remove();
    };
    const showError = (field, message) => {
      const box = root.querySelector(`.calc-field[data-field="${CSS.escape(field || "")}"]`);
      if (box) {
        box.classList.add("calc-invalid");
        box.querySelector(".calc-error").textContent = message;
        box.querySelector("input:not([type=file]), select, textarea").setAttribute("aria-invalid", "true");
      } else {
        const note = document.createElement("p");
        note.className = "calc-form-error";
        note.setAttribute("role", "alert");
        note.textContent = message;
        form.after(note);
      }
      output.classList.add("calc-stale");
      output.title = say("Out of date: fix the highlighted input");
    };
    // Python could not start: show the build-time result for the defaults, say so, and flag every input
    // that differs from its default as not computed (the reader's values stay in the form and the link).
    const showDefaults = () => {
      clearErrors();
      output.innerHTML = prerendered.html;
      output.classList.remove("calc-stale");
      output.classList.add("calc-defaults");
      output.removeAttribute("title");
      showNote("defaults", say("note.defaults"));
      for (const field of schema) {
        if (String(control(field.name).value) === String(defaults[field.name])) continue;
        const box = root.querySelector(`.calc-field[data-field="${CSS.escape(field.name)}"]`);
        box.classList.add("calc-not-computed");
        const value = String(defaults[field.name]);
        box.querySelector(".calc-error").textContent =
          value === "" ? say("note.notComputedEmpty") : say("note.notComputed").replace("{value}", value);
      }
    };

    // One computation in flight per widget: edits made meanwhile are folded into one more run with the
    // inputs as they are then, so a slow search (the planner's, when its SLO changes) never queues up
    // one run per keystroke.  A run that takes longer than a moment says "Computing…" and dims the output;
    // a quick one (most take a few ms) changes nothing but the numbers: writing the status line and the
    // busy state and then taking them back cost a layout and a frame of their own per edit.
    let running = false;
    let rerun = false;
    let busyTimer = null;
    const setBusy = (busy) => {
      clearTimeout(busyTimer);
      if (busy) {
        busyTimer = setTimeout(() => {
          output.classList.add("calc-busy");
          output.setAttribute("aria-busy", "true");
          if (runtime.state === "live") showStatus("computing");
        }, BUSY_AFTER_MS);
      } else if (output.classList.contains("calc-busy")) {
        output.classList.remove("calc-busy");
        output.removeAttribute("aria-busy");
      }
    };
    async function recompute() {
      if (running) {
        rerun = true;
        return;
      }
      running = true;
      setBusy(true);
      try {
        await computeOnce();
      } finally {
        running = false;
        if (rerun) {
          rerun = false;
          recompute();
        } else {
          setBusy(false);
          if (status.dataset.state === "computing") showStatus("live");
        }
      }
    }

    // The link follows the inputs once edits pause: history.replaceState costs a few ms, and one per keystroke
    // would sit between each edit and its numbers.  A reset or a newer edit cancels a write still waiting.
    let urlTimer = null;
    const scheduleUrl = (inputs, id) => {
      clearTimeout(urlTimer);
      urlTimer = setTimeout(() => writeUrlState(name, inputs, defaults, schema, () => id === latest).then(
        (tooLong) => id === latest && showNote("link", tooLong.length
          ? say("note.tooLong").replace("{labels}", tooLong.map(shownLabel).join(say("note.and"))) : "")), URL_AFTER_MS);
    };

    async function computeOnce() {
      const id = ++latest;
      const inputs = values();
      scheduleUrl(inputs, id);
      if (runtime.state !== "live") showStatus("loading");
      let result;
      try {
        result = await runtime.call(name, inputs, lang);
      } catch (error) {
        if (id !== latest) return;
        if (error.fatal) {
          output.classList.add("calc-stale");
          showStatus("restarting");
        } else if (runtime.state === "live") {
          // Python is fine; this call raised. Keep the last result, marked out of date.
          output.classList.add("calc-stale");
          showStatus("broken", error.key ? error : Object.assign(new Error(error.message.split("\n").pop())));
        } else {
          showStatus("failed", runtime.failure || error);
          showDefaults();
        }
        return;
      }
      if (id !== latest) return; // a newer edit is on its way
      clearErrors();
      showNote("defaults", "");
      output.classList.remove("calc-defaults");
      if (!result.ok) {
        showError(result.field, result.message);
        showStatus("live");
        return;
      }
      patchChildren(output, parse(result.html)); // only the numbers that changed are written
      output.classList.remove("calc-stale");
      if (output.hasAttribute("title")) output.removeAttribute("title");
      // A wide result table scrolls: make it reachable by keyboard.  Measured after the frame is painted, when the
      // layout is clean (measuring now would force one more layout before the numbers show).
      requestAnimationFrame(() => setTimeout(() => window.calcMarkScrollers?.(output), 0));
      root.dataset.values = JSON.stringify(result.values);
      root.dataset.computed = JSON.stringify(inputs); // which inputs the shown result belongs to
      showStatus("live");
      scheduleChart(chart, result.chart);
    }

    function applyFills(field, value) {
      const fills = (schema.find((f) => f.name === field) || {}).fills || {};
      for (const [target, filled] of Object.entries(fills[value] || {})) {
        const el = control(target);
        if (el) el.value = typeof filled === "number" ? String(+filled.toPrecision(10)) : filled;
      }
    }

    form.addEventListener("input", (event) => {
      if (event.target.type === "file") return;
      if (event.target.tagName === "SELECT") applyFills(event.target.name, event.target.value);
      clearTimeout(timer);
      timer = setTimeout(recompute, event.target.tagName === "SELECT" ? 0 : event.target.tagName === "TEXTAREA" ? 400 : 200);
    });
    // "Load a file…": the file's text goes into its box and never leaves the browser.
    for (const picker of form.querySelectorAll('input[type="file"][data-for]')) {
      picker.closest(".calc-upload").hidden = false;
      picker.addEventListener("change", async () => {
        const file = picker.files && picker.files[0];
        if (!file) return;
        const box = control(picker.dataset.for);
        box.value = await file.text();
        box.dispatchEvent(new Event("input", { bubbles: true }));
      });
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(timer);
      recompute();
    });
    form.addEventListener("focusin", () => runtime.start().catch(() => {}), { once: true });

    root.querySelector(".calc-reset").addEventListener("click", () => {
      latest++; // drop any answer still in flight
      clearTimeout(urlTimer);
      for (const field of schema) control(field.name).value = String(defaults[field.name]);
      clearErrors();
      output.innerHTML = prerendered.html;
      output.classList.remove("calc-stale");
      writeUrlState(name, {}, defaults, schema);
      showNote("link", "");
      drawChart(chart, prerendered.spec);
      if (runtime.state === "failed") showDefaults();
      else showStatus(runtime.state === "live" ? "live" : "prerendered");
    });

    runtime.listeners.add((state) => {
      if (!root.isConnected) return;
      if (state === "live" && status.dataset.state === "loading") showStatus("live");
      if (state === "live" && status.dataset.state === "prerendered") showStatus("live");
      if (state === "failed") {
        showStatus("failed", runtime.failure);
        showDefaults();
      }
    });

    drawWhenSeen(chart, prerendered.spec);
    const { state: fromUrl, unknown: unknownInUrl } = readUrlState(name, schema);
    if (unknownInUrl) showNote("unreadable", say("note.unreadable"));
    const packed = Object.fromEntries([...hashParams()].filter(([key]) => key.startsWith(`${name}.`))
      .map(([key, code]) => [key.slice(name.length + 1), code]));
    if (Object.keys(fromUrl).length || Object.keys(packed).length) {
      (async () => {
        const texts = {};
        for (const [key, code] of Object.entries(packed)) {
          try {
            texts[key] = await unpack(code);
          } catch {
            showNote("unreadable", say("note.unreadable"));
          }
        }
        // A preset named in the URL fills its sizes first; sizes given in the URL then win.
        for (const field of schema) if (field.name in fromUrl && field.fills) applyFills(field.name, fromUrl[field.name]);
        for (const [key, value] of Object.entries({ ...fromUrl, ...texts })) if (control(key)) control(key).value = value;
        recompute();
      })();
    } else if (runtime.state === "live") {
      showStatus("live");
    } else if (runtime.state === "failed") {
      showStatus("failed", runtime.failure);
      showDefaults();
    }
  }

  function bindPage() {
    const widgets = document.querySelectorAll(".calc-widget");
    widgets.forEach(bind);
    if (!widgets.length) return;
    // Start Python right after the first paint, so the first edit is usually instant: the downloads and
    // the start-up run in the worker, off the main thread (waiting for an idle main thread cost ~1 s).
    requestAnimationFrame(() => setTimeout(() => runtime.start().catch(() => {}), 0));
  }

  // Re-theme charts when the reader switches the palette.
  new MutationObserver(() => {
    for (const container of document.querySelectorAll(".calc-chart[data-rendered]")) {
      drawChart(container, JSON.parse(container.dataset.spec));
    }
  }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

  window.calcRuntime = runtime; // for tests and the benchmark script
  if (window.document$) window.document$.subscribe(bindPage);
  else document.addEventListener("DOMContentLoaded", bindPage);
})();
