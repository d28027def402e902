"""Unit tests of the sample service: the routing logic directly, then a live server on 127.0.0.1.

They run in the Dockerfile's `test` stage (as uid 10001, from /src) and in the project's suite; both
need only the standard library and pytest.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest

from app.service import Config, Server, check, install_signal_handlers, request_shutdown, route

# The directory that holds the `app` package: /src in the image, the repository root here.
SOURCE_ROOT = Path(__file__).resolve().parents[2]
CONFIG = Config(port=0, commit="0123abc", service="orders")
# Loopback requests must never go through an HTTP(S)_PROXY from the environment.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


def fetch(url: str, method: str = "GET") -> Response:
    """Status, headers and body of a request; error statuses are returned, not raised."""
    request = urllib.request.Request(url, method=method)
    try:
        with OPENER.open(request, timeout=5) as answer:
            return Response(answer.status, dict(answer.headers), answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return Response(error.code, dict(error.headers), error.read())


def wait_for(condition: Callable[[], bool], timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


class Running:
    """A server on an ephemeral 127.0.0.1 port, serving on a background thread."""

    def __init__(self, config: Config) -> None:
        self.server = Server(("127.0.0.1", 0), config)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # A short poll interval makes shutdown() return quickly.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def running() -> Iterator[Running]:
    live = Running(CONFIG)
    yield live
    live.stop()


# --- routing logic, no sockets -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "target", "status", "body"),
    [
        pytest.param(CONFIG, "/healthz", 200, {"status": "ok"}, id="health_default_path"),
        pytest.param(CONFIG, "/healthz?from=alb", 200, {"status": "ok"}, id="health_query_ignored"),
        pytest.param(Config(health_check_path="/ping"), "/ping", 200, {"status": "ok"}, id="health_configured_path"),
        pytest.param(Config(health_check_path="/ping"), "/healthz", 404, {"error": "not found"}, id="health_moved"),
        pytest.param(CONFIG, "/version", 200, {"commit": "0123abc", "service": "orders"}, id="version"),
        pytest.param(Config(), "/version", 200, {"commit": "unknown", "service": "web"}, id="version_defaults"),
        pytest.param(CONFIG, "/", 200, {"message": "Hello from orders"}, id="greeting"),
        pytest.param(CONFIG, "/nope", 404, {"error": "not found"}, id="unknown_path"),
        pytest.param(CONFIG, "//healthz", 404, {"error": "not found"}, id="double_slash_is_not_health"),
    ],
)
def test_route(config: Config, target: str, status: int, body: dict[str, str]) -> None:
    assert route(config, target) == (status, body)


def test_config_defaults_from_empty_environment() -> None:
    assert Config.from_env({}) == Config(port=8080, health_check_path="/healthz", commit="unknown", service="web")


def test_config_reads_every_variable() -> None:
    env = {"PORT": "9090", "HEALTH_CHECK_PATH": "/ready", "COMMIT_SHA": "f00d", "SERVICE_NAME": "api"}
    assert Config.from_env(env) == Config(port=9090, health_check_path="/ready", commit="f00d", service="api")


def test_config_treats_empty_variables_as_unset() -> None:
    # An empty build argument becomes an empty ENV value, not a commit named "".
    assert Config.from_env({"PORT": "", "COMMIT_SHA": "", "HEALTH_CHECK_PATH": ""}) == Config()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        pytest.param({"PORT": "http"}, "PORT must be a number from 0 to 65535, got 'http'", id="port_not_a_number"),
        pytest.param({"PORT": "70000"}, "PORT must be a number from 0 to 65535, got '70000'", id="port_too_big"),
        pytest.param({"PORT": "-1"}, "PORT must be a number from 0 to 65535, got '-1'", id="port_negative"),
        pytest.param(
            {"HEALTH_CHECK_PATH": "healthz"}, "HEALTH_CHECK_PATH must start with '/', got 'healthz'", id="relative_path"
        ),
    ],
)
def test_config_rejects(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError) as error:
        Config.from_env(env)
    assert str(error.value) == message


# --- a live server -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        ("/healthz", 200, {"status": "ok"}),
        ("/version", 200, {"commit": "0123abc", "service": "orders"}),
        ("/", 200, {"message": "Hello from orders"}),
        ("/missing", 404, {"error": "not found"}),
    ],
)
def test_endpoints_answer_json(running: Running, path: str, status: int, body: dict[str, str]) -> None:
    response = fetch(running.url + path)
    assert response.status == status
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Content-Length"] == str(len(response.body))
    assert response.json() == body


def test_head_has_headers_and_no_body(running: Running) -> None:
    response = fetch(running.url + "/healthz", method="HEAD")
    assert response.status == 200
    assert response.headers["Content-Length"] == str(len(b'{"status": "ok"}'))
    assert response.body == b""


def test_unsupported_method_is_a_json_error(running: Running) -> None:
    response = fetch(running.url + "/", method="POST")
    assert response.status == HTTPStatus.NOT_IMPLEMENTED
    assert response.json() == {"error": "Unsupported method ('POST')"}


def test_server_header_hides_the_python_version(running: Running) -> None:
    assert fetch(running.url + "/").headers["Server"] == "sample"


def test_each_request_logs_one_json_line(running: Running, capsys: pytest.CaptureFixture[str]) -> None:
    fetch(running.url + "/version?token=secret")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 1
    entry = lines[0]
    assert {k: entry[k] for k in ("event", "remote", "method", "path", "status")} == {
        "event": "request",
        "remote": "127.0.0.1",
        "method": "GET",
        "path": "/version",  # the query string is not logged
        "status": 200,
    }
    assert entry["user_agent"].startswith("Python-urllib/")
    assert entry["duration_ms"] >= 0
    assert entry["time"].endswith("+00:00")


def test_check_passes_against_a_healthy_server(running: Running) -> None:
    assert check(Config(port=running.server.server_port)) == 0


def test_check_fails_when_the_health_path_is_not_found(running: Running) -> None:
    assert check(Config(port=running.server.server_port, health_check_path="/other")) == 1


def test_check_fails_when_nothing_listens() -> None:
    # Given a port that was free a moment ago
    server = Server(("127.0.0.1", 0), CONFIG)
    port = server.server_port
    server.server_close()
    # Then the health check reports failure instead of raising
    assert check(Config(port=port), timeout=1) == 1


# --- shutdown ------------------------------------------------------------------------------------


def test_request_shutdown_stops_serving(running: Running) -> None:
    request_shutdown(running.server).join(timeout=5)
    running.thread.join(timeout=5)
    assert not running.thread.is_alive()


def test_shutdown_finishes_the_request_in_flight(running: Running) -> None:
    # Given a request that has started but not finished arriving
    with socket.create_connection(("127.0.0.1", running.server.server_port), timeout=5) as client:
        client.sendall(b"GET /healthz HTTP/1.0\r\n")
        wait_for(lambda: any("process_request_thread" in t.name for t in threading.enumerate()))
        # When the server shuts down and closes (as `serve` does after SIGTERM)
        request_shutdown(running.server).join(timeout=5)
        closing = threading.Thread(target=running.server.server_close)
        closing.start()
        closing.join(timeout=0.2)
        assert closing.is_alive(), "server_close returned while a request was in flight"
        # Then the request is still answered, and closing completes once it is
        client.sendall(b"\r\n")
        answer = client.makefile("rb").read()
    closing.join(timeout=5)
    assert not closing.is_alive()
    assert answer.startswith(b"HTTP/1.0 200 OK")
    assert answer.endswith(b'{"status": "ok"}')


def test_sigterm_handler_stops_serving_without_a_signal(running: Running, capsys: pytest.CaptureFixture[str]) -> None:
    # Given the handlers installed (restored afterwards, so pytest keeps its own)
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        handler = install_signal_handlers(running.server)
        assert signal.getsignal(signal.SIGTERM) is handler
        # When the handler runs as it would for SIGTERM, on the serving process's main thread
        handler(signal.SIGTERM, None)
        running.thread.join(timeout=5)
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
    # Then serving stops and the reason is logged
    assert not running.thread.is_alive()
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {"event": "stopping", "signal": "SIGTERM"}.items() <= events[-1].items()


def test_process_exits_zero_on_sigterm() -> None:
    # Given the service started the way the image starts it, on a free port
    env = {**os.environ, "PORT": "0", "COMMIT_SHA": "beef", "PYTHONPATH": str(SOURCE_ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "app.service"], cwd=SOURCE_ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        started = json.loads(process.stdout.readline())
        assert started["event"] == "listening"
        assert started["commit"] == "beef"
        assert fetch(f"http://127.0.0.1:{started['port']}/healthz").status == 200
        # When ECS or Kubernetes stops the container
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    # Then it exits cleanly after logging the request and its shutdown
    assert process.returncode == 0
    events = [json.loads(line)["event"] for line in output.splitlines()]
    assert events == ["request", "stopping", "stopped"]


def test_bad_setting_exits_two_with_a_json_message() -> None:
    env = {**os.environ, "PORT": "eighty", "PYTHONPATH": str(SOURCE_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "app.service"], cwd=SOURCE_ROOT, env=env, capture_output=True, text=True, timeout=10
    )
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"] == "PORT must be a number from 0 to 65535, got 'eighty'"
