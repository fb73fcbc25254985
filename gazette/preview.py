"""`gazette serve`: the built site over HTTP on this machine, for a look before publishing (any static
host serves it the same way). Apart from the build, whose process never needs an HTTP server."""

from __future__ import annotations

import functools
import http.server
import os


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm",
                      ".json": "application/json", ".xml": "application/xml", ".pf_meta": "application/octet-stream"}

    def log_message(self, fmt, *args):  # keep the terminal readable
        pass

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser cancelled a request (e.g. a range request on a PDF)


def serve(output_dir: str, port: int, host: str = "127.0.0.1") -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=os.path.abspath(output_dir))
    return http.server.ThreadingHTTPServer((host, port), handler)
