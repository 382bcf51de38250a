"""Real HTTP servers on loopback: the app, for tests that need real HTTP (browsers, shell clients), and the
stand-in CRM APIs, whose `handle` answers each request."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from typing import Any

from flask import Flask
from werkzeug.serving import make_server


@contextmanager
def serving(server: HTTPServer) -> Iterator[str]:
    """Run a loopback server in a background thread; yields its base URL, then stops and closes it."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@contextmanager
def threaded_server(app: Flask) -> Iterator[str]:
    """Serve `app` with one thread per connection on a free port; yields the base URL."""
    with serving(make_server("127.0.0.1", 0, app, threaded=True)) as url:
        yield url


# method, path, lower-cased headers, body -> status, extra headers, JSON answer (None: an empty body)
Handle = Callable[[str, str, dict[str, str], bytes], tuple[int, Mapping[str, str], Any]]


@contextmanager
def json_api_server(handle: Handle, *, methods: tuple[str, ...]) -> Iterator[str]:
    """Serve a stand-in API on a free port, one thread per connection; other methods get http.server's 501.
    Yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            status, extra, answer = handle(self.command, self.path,
                                           {k.lower(): v for k, v in self.headers.items()}, body)
            content = b"" if answer is None else json.dumps(answer).encode()
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args: Any) -> None:
            pass

    for method in methods:
        setattr(Handler, f"do_{method}", Handler._serve)
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as url:
        yield url
