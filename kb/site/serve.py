"""`kb serve`: serve the built site on localhost and rebuild when the records change.

Changes are found by polling file sizes and modification times, which needs no extra
dependency and works on every file system.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["Snapshot", "make_server", "snapshot", "watch"]

Snapshot = dict[str, tuple[int, int]]


def snapshot(folders: Iterable[Path]) -> Snapshot:
    """(modification time, size) of every file under `folders`, by path."""
    state: Snapshot = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            try:
                info = path.stat()
            except OSError:
                continue
            if path.is_file():
                state[str(path)] = (info.st_mtime_ns, info.st_size)
    return state


class _Handler(SimpleHTTPRequestHandler):
    """Serves the site quietly and tells browsers not to cache pages between rebuilds."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the terminal for build messages."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A missing page gets the site's own 404 page (with status 404), as a host would."""
        page = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def make_server(directory: Path, host: str, port: int) -> ThreadingHTTPServer:
    """An HTTP server for the files in `directory` (not yet serving)."""
    handler = functools.partial(_Handler, directory=str(directory))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def watch(
    folders: list[Path],
    rebuild: Callable[[], None],
    interval: float,
    stop: threading.Event,
) -> None:
    """Call `rebuild` after each change under `folders`, polling every `interval` seconds,
    until `stop` is set."""
    seen = snapshot(folders)
    while not stop.wait(interval):
        current = snapshot(folders)
        if current != seen:
            seen = current
            rebuild()
