// The site's service worker, generated at build time by Workbox (pinned in package.json).
//
// It precaches every file the build emitted (a glob over the built site, so it follows whatever the asset
// pipeline produces): after one visit a reader can read every page and run every calculator with no network.
// Usage: node scripts/make_sw.mjs SITE_DIR   -> SITE_DIR/sw.js; prints a one-line summary.
import { generateSW } from "workbox-build";

const siteDir = process.argv[2];
if (!siteDir) {
  console.error("usage: node scripts/make_sw.mjs SITE_DIR");
  process.exit(2);
}
const { count, size, warnings } = await generateSW({
  globDirectory: siteDir,
  globPatterns: ["**/*"],
  // Source maps are for developers; the worker itself must not be cached by itself; the precompressed twins
  // (FILE.br, FILE.gz beside FILE) are the same bytes the server sends for FILE, so FILE alone is cached.
  globIgnores: ["sw.js", "sw.js.map", "workbox-*.js", "**/*.map", "**/*.br",
                "**/*.{html,js,mjs,css,json,wasm,zip,svg,xml,txt,whl,ipynb,py,map,woff2,ttf}.gz"],
  swDest: `${siteDir}/sw.js`,
  // Pyodide's WebAssembly (~10 MB) and the memory snapshot are the largest files the site serves.
  maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
  // "?v=<hash>" cache-busters and calculator inputs in the query ("?kv_cache.batch=64") name the same file.
  ignoreURLParametersMatching: [/.*/],
  directoryIndex: "index.html",
  cleanupOutdatedCaches: true,
  clientsClaim: true,
  skipWaiting: true,
  inlineWorkboxRuntime: true,
  sourcemap: false,
  mode: "production",
});
for (const warning of warnings) console.error(`warning: ${warning}`);
console.log(`service worker: ${count} files, ${(size / 1e6).toFixed(1)} MB precached`);
