// The language switcher keeps the reader where they are: same page, same calculator inputs.
//
// English pages live at /PAGE/, Chinese ones at /zh/PAGE/.  The build writes each page's own
// counterpart into the switcher (mkdocs-static-i18n), but Material's instant navigation does not
// redraw the header, so after a few clicks those links would point at the first page read; and they
// never carried the calculators' inputs (the URL query) or the section (the hash).  On a click, this
// script computes the counterpart of the page being read and keeps its query and hash.
(() => {
  "use strict";
  const LANGS = ["zh"]; // every language but the default, which has no prefix

  // The site's root: the directory holding assets/ (Material's own script), whatever the page depth.
  function siteRoot() {
    const bundle = document.querySelector('script[src*="assets/javascripts/bundle."]');
    return bundle ? new URL("../../", bundle.src) : new URL("/", location.href);
  }

  // "zh/roofline/" -> ["zh", "roofline/"]; "roofline/" -> ["en", "roofline/"].
  function split(path) {
    const first = path.split("/")[0];
    return LANGS.includes(first) ? [first, path.slice(first.length + 1)] : ["en", path];
  }

  function counterpart(target) {
    const root = siteRoot();
    if (!location.href.startsWith(root.href)) return null;
    const [, page] = split(location.pathname.slice(root.pathname.length));
    const prefix = target === "en" ? "" : `${target}/`;
    return new URL(`${prefix}${page}${location.search}${location.hash}`, root);
  }

  document.addEventListener(
    "click",
    (event) => {
      const link = event.target instanceof Element ? event.target.closest("a.md-select__link[hreflang]") : null;
      if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
      const url = counterpart(link.getAttribute("hreflang"));
      if (!url) return;
      // Ahead of Material's own handler, which would drop the query; a full load also switches the
      // interface language (search, navigation) with the page.
      event.preventDefault();
      event.stopImmediatePropagation();
      location.assign(url.href);
    },
    true,
  );
})();
