"""A real HTTP server on a loopback address for fetch tests: routes, misbehaviour, request log.

Each `LocalSite` is one "host": 127.0.0.1, 127.0.0.2, … are all loopback on Linux, so several
sites make several hosts for the politeness rules.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    """What the server answers on one route."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    trickle_seconds: float | None = None  # pause between single bytes of the body (slow loris)


@dataclass(frozen=True)
class Seen:
    """One request the server received."""

    path: str
    headers: dict[str, str]
    at: float  # time.monotonic()


Route = Reply | Callable[["Seen"], Reply]


class LocalSite:
    """A threaded HTTP/1.1 server with a route table; `requests` logs what it was asked."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self._server: ThreadingHTTPServer | None = None

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this site."""
        return f"http://{self.host}:{self.port}{path}"

    def paths(self) -> list[str]:
        """The paths requested so far, in order."""
        return [seen.path for seen in self.requests]

    def start(self) -> LocalSite:
        """Listen (again on the same port after a stop) and serve in a background thread."""
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
                site.requests.append(seen)
                route = site.routes.get(self.path)
                if route is None:
                    reply = Reply(404, b"<html><body>not here</body></html>")
                else:
                    reply = route(seen) if callable(route) else route
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.trickle_seconds is None and "content-length" not in {k.lower() for k in reply.headers}:
                    self.send_header("Content-Length", str(len(reply.body)))
                if reply.trickle_seconds is not None:
                    self.send_header("Connection", "close")
                self.end_headers()
                try:
                    if reply.trickle_seconds is None:
                        self.wfile.write(reply.body)
                        return
                    for byte in reply.body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(reply.trickle_seconds)
                    self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening: new connections are refused (a server that died)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LocalSite:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def article_page(n: int) -> bytes:
    """A small, distinct news page that cleans into an article."""
    paragraphs = "".join(
        f"<p>Paragraph {p} of story {n}: the harbour council met on day {n} and voted on plan {n * 7 + p}, "
        f"after residents had argued for weeks about ferries, parking and the old fish market.</p>"
        for p in range(1, 5)
    )
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Story {n}</title></head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>Story {n}</h1>{paragraphs}</article></body></html>"
    ).encode()


def with_etag(reply: Reply, etag: str) -> Callable[[Seen], Reply]:
    """A route that serves `reply` with an ETag and answers 304 when the client already has it."""

    def route(seen: Seen) -> Reply:
        if seen.headers.get("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag})
        return Reply(reply.status, reply.body, reply.headers | {"ETag": etag}, reply.trickle_seconds)

    return route
