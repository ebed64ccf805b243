"""Serve the built site like a static host configured as README.md ("Hosting") recommends.

* A file with a precompressed twin (``FILE.br``, ``FILE.gz``, written by the build) is sent as that
  twin with ``Content-Encoding`` when the browser's ``Accept-Encoding`` allows it (brotli first).
* ``Cache-Control``: names that carry a content hash (``vendor/wheels/``) are immutable for a year;
  everything else is revalidated (``no-cache``: a 304 costs a round trip, never the bytes again).

Used by the tests, the benchmarks and ``python scripts/static_server.py SITE_DIR [PORT]``.
"""

from __future__ import annotations

import functools
import http.server
import os
import sys
import threading
from pathlib import Path

IMMUTABLE = ("/vendor/wheels/",)


def cache_control(path: str) -> str:
    return "public, max-age=31536000, immutable" if path.startswith(IMMUTABLE) else "no-cache"


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".mjs": "text/javascript",
                      ".wasm": "application/wasm"}

    def log_message(self, *args: object) -> None:  # quiet: tests and benchmarks print their own lines
        pass

    def send_head(self):  # type: ignore[override]
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the base class redirects to the path with a slash
            path = os.path.join(path, "index.html")
            if not os.path.isfile(path):
                return super().send_head()  # a directory listing (the base class's own behaviour)
        accepted = {part.split(";")[0].strip() for part in self.headers.get("Accept-Encoding", "").split(",")}
        for encoding, suffix in (("br", ".br"), ("gzip", ".gz")):
            if encoding in accepted and os.path.isfile(path + suffix):
                return self._send_twin(path, path + suffix, encoding)
        return super().send_head()

    def _send_twin(self, original: str, twin: str, encoding: str):
        stat = os.stat(original)
        since = self.headers.get("If-Modified-Since")
        if since and since == self.date_time_string(int(stat.st_mtime)):
            self.send_response(http.HTTPStatus.NOT_MODIFIED)
            self.end_headers()
            return None
        handle = open(twin, "rb")
        self.send_response(http.HTTPStatus.OK)
        self.send_header("Content-Type", self.guess_type(original))
        self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(os.fstat(handle.fileno()).st_size))
        self.send_header("Last-Modified", self.date_time_string(int(stat.st_mtime)))
        self.end_headers()
        return handle

    def end_headers(self) -> None:
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Cache-Control", cache_control(self.path.split("?", 1)[0]))
        super().end_headers()


def serve(site: Path, port: int = 0) -> http.server.ThreadingHTTPServer:
    """Start serving ``site`` on 127.0.0.1 in a daemon thread; call ``.shutdown()`` to stop.

    ``server.requests`` lists the paths asked for (GET and HEAD), in order: tests count downloads with it.
    """
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=str(site)))
    server.requests = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        print("usage: python scripts/static_server.py SITE_DIR [PORT]", file=sys.stderr)
        raise SystemExit(2)
    running = serve(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) == 3 else 8000)
    print(f"serving {sys.argv[1]} on http://127.0.0.1:{running.server_address[1]}/ (Ctrl-C stops)")
    threading.Event().wait()
