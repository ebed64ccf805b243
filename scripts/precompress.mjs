// Write precompressed twins (FILE.br and FILE.gz) for a static host that serves them when the browser
// accepts that encoding (nginx gzip_static/brotli_static, Caddy precompressed, Netlify, ...).
//
// usage: node scripts/precompress.mjs CACHE_DIR FILE...
// Twins are cached by content (CACHE_DIR/<sha256>.br|.gz): Pyodide's 9.6 MB wasm takes ~40 s at
// brotli's best quality, once per machine.  Compression runs on libuv's thread pool, in parallel.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import zlib from "node:zlib";

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
const [cacheDir, ...files] = process.argv.slice(2);
mkdirSync(cacheDir, { recursive: true });

// Brotli's best quality for everything but the memory snapshot (31 MB: minutes at 11, seconds at 9,
// 5 % larger); a 16 MB window so repeats far apart in the wasm and the zip are found.
function brotliOptions(size) {
  const { BROTLI_PARAM_QUALITY, BROTLI_PARAM_LGWIN, BROTLI_PARAM_SIZE_HINT } = zlib.constants;
  return { params: { [BROTLI_PARAM_QUALITY]: size > 16e6 ? 9 : 11, [BROTLI_PARAM_LGWIN]: 24, [BROTLI_PARAM_SIZE_HINT]: size } };
}

async function twin(file, ext, compress) {
  const data = readFileSync(file);
  const cached = join(cacheDir, `${createHash("sha256").update(data).digest("hex")}${ext}`);
  if (!existsSync(cached)) {
    writeFileSync(`${cached}.tmp`, await compress(data));
    renameSync(`${cached}.tmp`, cached); // never a half-written cache entry
  }
  writeFileSync(file + ext, readFileSync(cached));
}

await Promise.all(files.flatMap((file) => {
  const size = readFileSync(file).length;
  return [
    twin(file, ".br", (data) => brotli(data, brotliOptions(size))),
    twin(file, ".gz", (data) => gzip(data, { level: 9 })),
  ];
}));
console.log(`precompressed ${files.length} files`);
