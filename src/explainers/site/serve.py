"""`explainers serve`: the built site over HTTP on 127.0.0.1, with byte ranges for video seeking.

Python's SimpleHTTPRequestHandler answers every request with the whole file; Safari will not play
video without `Range` support and Chromium cannot seek without it, so single ranges are added here.
"""

from __future__ import annotations

import os
import re
import socket
import threading
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO, ClassVar

HOST = "127.0.0.1"
RANGE = re.compile(r"bytes=(\d*)-(\d*)")


class SiteHandler(SimpleHTTPRequestHandler):
    """Static files with correct types for the player, single byte ranges and no caching."""

    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".json": "application/json",
        ".vtt": "text/vtt; charset=utf-8",
        ".mp4": "video/mp4",
        ".png": "image/png",
    }
    quiet = True
    _remaining: int | None = None

    def log_message(self, format: str, *args: object) -> None:
        if not self.quiet:
            super().log_message(format, *args)

    def end_headers(self) -> None:
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def send_head(self) -> BinaryIO | None:  # type: ignore[override]
        self._remaining = None
        header = self.headers.get("Range")
        path = self.translate_path(self.path)
        match = RANGE.fullmatch(header.strip()) if header else None
        if match is None or not os.path.isfile(path) or match.group(1) == match.group(2) == "":
            return super().send_head()
        size = os.path.getsize(path)
        first, last = match.groups()
        if first == "":  # the last N bytes
            start, end = max(0, size - int(last)), size - 1
        else:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        if start >= size or start > end:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        handle = open(path, "rb")  # noqa: SIM115 (closed by the caller, as in the stdlib)
        handle.seek(start)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Last-Modified", self.date_time_string(int(os.path.getmtime(path))))
        self.end_headers()
        self._remaining = end - start + 1
        return handle

    def copyfile(self, source: BinaryIO, outputfile: BinaryIO) -> None:  # type: ignore[override]
        if self._remaining is None:
            super().copyfile(source, outputfile)
            return
        left = self._remaining
        while left > 0:
            chunk = source.read(min(64 * 1024, left))
            if not chunk:
                break
            outputfile.write(chunk)
            left -= len(chunk)


class SiteServer(ThreadingHTTPServer):
    """Threads per request; a browser dropping a video request mid-file is not an error."""

    daemon_threads = True

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket],
                     client_address: tuple[str, int] | str) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def make_server(site: Path, port: int = 8000, quiet: bool = True) -> SiteServer:
    """A server for `site` bound to 127.0.0.1 (port 0 picks a free one); not started yet."""
    handler = partial(type("Handler", (SiteHandler,), {"quiet": quiet}), directory=str(site))
    return SiteServer((HOST, port), handler)


def url_of(server: SiteServer) -> str:
    """The address to open."""
    return f"http://{HOST}:{server.server_address[1]}/"


def serve_in_thread(site: Path, port: int = 0) -> tuple[SiteServer, threading.Thread]:
    """Start a server in a background thread (tests); stop it with server.shutdown()."""
    server = make_server(site, port)
    thread = threading.Thread(target=server.serve_forever, name="explainers-serve", daemon=True)
    thread.start()
    return server, thread
