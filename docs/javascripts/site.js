// Site-wide behaviour that is not a calculator: offline reading and keyboard access to scrolling regions.
//
// Offline: the build writes sw.js at the site's root (scripts/make_sw.mjs, Workbox); registered here, it
// precaches every page and the Python runtime on the first visit. Under `mkdocs serve` there is no sw.js.
//
// A table or code block wider than the page scrolls sideways; a keyboard reader can only scroll it if it can
// be focused. Material wraps tables in its own scrolling box at load, so this runs after each page view
// (instant navigation included) and after a resize, and marks every box that actually scrolls.
(() => {
  "use strict";

  const SCRIPT = document.currentScript ? document.currentScript.src : location.href;
  if ("serviceWorker" in navigator && window.isSecureContext) {
    const root = new URL("../", SCRIPT);
    const register = () => navigator.serviceWorker.register(new URL("sw.js", root), { scope: root.pathname }).catch(() => {});
    // Its install downloads the whole site (tens of MB): not while the page loads, nor while a calculator's
    // Python is still on its way (they would share the connection), but once the page has loaded and calc is
    // live (or has failed).
    const calcSettled = () => !document.querySelector(".calc-widget") ||
      document.documentElement.matches(".calc-ready, .calc-failed");
    window.addEventListener("load", () => {
      if (calcSettled()) return register();
      const observer = new MutationObserver(() => {
        if (!calcSettled()) return;
        observer.disconnect();
        register();
      });
      observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
    }, { once: true });
  }

  const SCROLLERS = ".md-typeset__scrollwrap, .calc-table-wrap, .highlight-ipynb, .jp-OutputArea-output pre, .arithmatex";

  // The words below come in the page's language from the catalog (calc.web.i18n.SITE, written by the build).
  function say(key, english) {
    try {
      return JSON.parse(document.getElementById("calc-site-ui")?.textContent || "{}")[key] || english;
    } catch {
      return english;
    }
  }

  function label(box) {
    const caption = box.querySelector("caption");
    if (caption) return caption.textContent.trim();
    if (box.querySelector("table")) return say("region.table", "Table (scrolls sideways)");
    return say("region.scroll", "Scrolling region");
  }

  // `root`: only the boxes inside it (a calculator's new result), so a recompute does not lay out the whole page.
  function markScrollers(root = document) {
    for (const box of root.querySelectorAll(SCROLLERS)) {
      const scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      const overflow = getComputedStyle(box);
      const scrollable = scrolls && /(auto|scroll)/.test(overflow.overflowX + overflow.overflowY);
      if (scrollable && !box.hasAttribute("tabindex")) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", label(box));
        box.dataset.scrollRegion = "";
      } else if (!scrollable && "scrollRegion" in box.dataset) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.scrollRegion;
      }
    }
  }

  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(markScrollers, 200);
  });
  // After Material's own handlers for the same page view have wrapped the tables.
  const afterRender = () => requestAnimationFrame(() => setTimeout(markScrollers, 0));
  if (window.document$) window.document$.subscribe(afterRender);
  else document.addEventListener("DOMContentLoaded", afterRender);
  window.calcMarkScrollers = markScrollers; // tests run it after changing the layout
})();
