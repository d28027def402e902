"""The sample service the quickstart pipeline builds: a small JSON HTTP API on the standard library only.

Endpoints: the health check (`HEALTH_CHECK_PATH`, default /healthz), `/version` (the commit the image
was built from and the service name) and `/` (a greeting); anything else is a JSON 404.
It listens on 0.0.0.0:$PORT (default 8080), writes one JSON access-log line per request to stdout,
finishes in-flight requests and exits 0 on SIGTERM, and writes no files, so it runs as a non-root
user on a read-only root filesystem.

Run it with `python -m app.service`; `python -m app.service --check` is the image's HEALTHCHECK.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any

DEFAULT_PORT = 8080
DEFAULT_HEALTH_CHECK_PATH = "/healthz"

Body = dict[str, str]
SignalHandler = Callable[[int, FrameType | None], None]

_log_lock = threading.Lock()


def log_event(event: str, **fields: object) -> None:
    """One JSON line on stdout (CloudWatch Logs and kubectl logs keep it as one event)."""
    record = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), "event": event, **fields}
    line = json.dumps(record, default=str)
    with _log_lock:  # handler threads must not interleave their lines
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


@dataclass(frozen=True, kw_only=True)
class Config:
    """What the service reads from its environment."""

    port: int = DEFAULT_PORT
    """PORT: where to listen; 0 picks a free port (tests). Default: 8080."""
    health_check_path: str = DEFAULT_HEALTH_CHECK_PATH
    """HEALTH_CHECK_PATH: the path the load balancer and probes check. Default: /healthz."""
    commit: str = "unknown"
    """COMMIT_SHA: the commit the image was built from (a build argument). Default: unknown."""
    service: str = "web"
    """SERVICE_NAME: the service's name in the stack settings. Default: web."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Config:
        """Read the settings; an empty variable counts as unset. Raises ValueError naming the bad variable."""
        raw_port = env.get("PORT") or str(DEFAULT_PORT)
        port = int(raw_port) if raw_port.isdigit() else -1
        if not 0 <= port <= 65535:
            raise ValueError(f"PORT must be a number from 0 to 65535, got {raw_port!r}")
        path = env.get("HEALTH_CHECK_PATH") or DEFAULT_HEALTH_CHECK_PATH
        if not path.startswith("/"):
            raise ValueError(f"HEALTH_CHECK_PATH must start with '/', got {path!r}")
        return cls(
            port=port,
            health_check_path=path,
            commit=env.get("COMMIT_SHA") or "unknown",
            service=env.get("SERVICE_NAME") or "web",
        )


def route(config: Config, target: str) -> tuple[HTTPStatus, Body]:
    """The status and JSON body for a GET of `target` (a request target; its query string is ignored)."""
    path = target.partition("?")[0]
    if path == config.health_check_path:
        return HTTPStatus.OK, {"status": "ok"}
    if path == "/version":
        return HTTPStatus.OK, {"commit": config.commit, "service": config.service}
    if path == "/":
        return HTTPStatus.OK, {"message": f"Hello from {config.service}"}
    return HTTPStatus.NOT_FOUND, {"error": "not found"}


class Handler(BaseHTTPRequestHandler):
    """Answers GET and HEAD through `route`; every other response, errors included, is JSON too."""

    server: Server
    server_version = "sample"
    # Seconds a client may stay silent: a stalled connection holds up shutdown for at most this long,
    # well inside the 30 s ECS and Kubernetes allow between SIGTERM and SIGKILL by default.
    timeout = 10

    def version_string(self) -> str:
        # The Server header names no Python version.
        return self.server_version

    def handle_one_request(self) -> None:
        self._started = time.monotonic()
        # Set before parsing, so an early error (bad request line) still logs a path.
        self.path = ""
        super().handle_one_request()

    def do_GET(self) -> None:
        self._respond(*route(self.server.config, self.path))

    def do_HEAD(self) -> None:
        self._respond(*route(self.server.config, self.path), include_body=False)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # JSON instead of http.server's HTML page, for malformed requests and unsupported methods.
        self.close_connection = True
        status = HTTPStatus(code)
        self._respond(status, {"error": message or status.phrase.lower()}, include_body=self.command != "HEAD")

    def _respond(self, status: HTTPStatus, body: Body, *, include_body: bool = True) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if include_body:
            self.wfile.write(payload)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # The query string stays out of the log: it may carry tokens.
        headers = getattr(self, "headers", None)
        log_event(
            "request",
            remote=self.client_address[0],
            method=self.command or "-",
            path=self.path.partition("?")[0],
            status=int(code),
            duration_ms=round((time.monotonic() - self._started) * 1000, 3),
            user_agent=headers.get("User-Agent", "") if headers is not None else "",
        )

    def log_message(self, format: str, *args: Any) -> None:
        log_event("http_error", remote=self.client_address[0], message=format % args)


class Server(ThreadingHTTPServer):
    """One thread per connection; closing the server waits for the requests in flight."""

    # Non-daemon handler threads are the ones `server_close()` joins (ThreadingHTTPServer makes them daemons).
    daemon_threads = False

    def __init__(self, address: tuple[str, int], config: Config) -> None:
        self.config = config
        super().__init__(address, Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A JSON line instead of a traceback on stderr; the connection is closed either way.
        log_event("error", remote=client_address[0], error=repr(sys.exc_info()[1]))


def request_shutdown(server: Server) -> threading.Thread:
    """Stop `server.serve_forever()` from any thread and return the thread doing it.

    `shutdown()` waits for the serving loop to exit, so calling it on the serving thread (the main
    thread, where Python runs signal handlers) would deadlock; a helper thread makes it safe.
    """
    thread = threading.Thread(target=server.shutdown, name="shutdown", daemon=True)
    thread.start()
    return thread


def install_signal_handlers(server: Server) -> SignalHandler:
    """Shut down on SIGTERM (how ECS and Kubernetes stop a container) and SIGINT; returns the handler."""

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log_event("stopping", signal=signal.Signals(signum).name)
        request_shutdown(server)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)
    return on_signal


def serve(config: Config, host: str = "0.0.0.0") -> int:
    """Serve until SIGTERM or SIGINT, then finish the requests in flight; returns the exit status."""
    with Server((host, config.port), config) as server:
        install_signal_handlers(server)
        log_event("listening", host=host, port=server.server_port, service=config.service, commit=config.commit)
        server.serve_forever()
    log_event("stopped")
    return 0


def check(config: Config, timeout: float = 2.0) -> int:
    """The image HEALTHCHECK's exit status: 0 when the local health endpoint answers 200, else 1."""
    url = f"http://127.0.0.1:{config.port}{config.health_check_path}"
    # No proxy: an HTTP(S)_PROXY in the environment must not intercept a loopback check.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as response:
            return 0 if response.status == HTTPStatus.OK else 1
    except (OSError, ValueError):  # URLError and HTTPError (404, 500 ...) are OSErrors
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.service", description="The sample HTTP service.")
    parser.add_argument("--check", action="store_true", help="probe the running service's health endpoint")
    args = parser.parse_args(argv)
    try:
        config = Config.from_env(os.environ)
    except ValueError as error:
        log_event("config_error", error=str(error))
        return 2
    return check(config) if args.check else serve(config)


if __name__ == "__main__":
    sys.exit(main())
