"""The sample service's image, really built and run, offline: app/Dockerfile's promises proven.

Debian's `buildah` builds the Dockerfile without a daemon (chroot isolation) and `podman` runs the
image with the `runc` runtime (`crun` fails where the kernel's cgroups are in hybrid mode). No
registry can be reached, so the base image is a Debian root filesystem that `mmdebstrap` makes from
Debian's packages, once per test run, in a temporary directory; it holds Python in a virtual
environment at /usr/local, where the official `python` image keeps it (`python` and `pip` on PATH,
a pip that may uninstall itself). The test's copy of the Dockerfile differs from app/Dockerfile only
in its base (the FROM of each stage that is not an earlier stage); everything else is the file the
pipeline builds, with the same build context and ignore file.

The container runs as the dev stack's task definition says ECS runs it (its environment, read-only
root filesystem with a writable /tmp, all capabilities dropped, an init process), except that the
user is left to the image, since the image's own USER is what is under test.

Needs root and the Debian packages buildah, podman, runc and mmdebstrap (.ci/run installs them);
without them the tests are skipped with the reason. Deselect with `-m "not image"`.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from preflight.engine import PlanResult
from tests.conftest import ROOT, only

DOCKERFILE = ROOT / "app" / "Dockerfile"
IGNORE_FILE = ROOT / "app" / "Dockerfile.dockerignore"
TOOLS = ("buildah", "podman", "runc", "mmdebstrap")
BASE = "localhost/sample-image-test-base:bookworm"
IMAGE = "localhost/sample-image-test:latest"
# The host's CA bundle, mounted into the RUN steps: pip reaches PyPI through a TLS-inspecting proxy here.
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# ECS's default stop timeout (ContainerDefinition.stopTimeout) when the task definition sets none.
ECS_DEFAULT_STOP_TIMEOUT = 30
# Loopback requests must never go through an HTTP(S)_PROXY from the environment.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _missing() -> str | None:
    absent = [tool for tool in TOOLS if shutil.which(tool) is None]
    if absent:
        return f"needs {', '.join(absent)} (Debian packages; .ci/run installs them)"
    if os.geteuid() != 0:
        return "needs root: buildah and podman build and run here without user namespaces"
    return None


pytestmark = [pytest.mark.image, pytest.mark.skipif(_missing() is not None, reason=str(_missing()))]


def with_local_base(dockerfile: str, base: str) -> str:
    """`dockerfile` with the image of each FROM that is not an earlier stage replaced by `base`."""
    stages: set[str] = set()
    lines = []
    for line in dockerfile.splitlines(keepends=True):
        match = re.match(r"(?i)^(\s*FROM\s+)((?:--\S+\s+)*)(\S+)(.*)$", line.rstrip("\n"))
        if match:
            head, flags, image, rest = match.groups()
            if image not in stages:
                line = f"{head}{flags}{base}{rest}\n"
            alias = re.match(r"(?i)^\s+AS\s+(\S+)\s*$", rest)
            if alias:
                stages.add(alias.group(1))
        lines.append(line)
    return "".join(lines)


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]


def test_only_the_base_is_replaced() -> None:
    # Given a multi-stage Dockerfile whose later stages build on earlier ones
    text = "ARG X=1\nFROM python:3.12.12-slim AS base\nRUN echo FROM here\nFROM base AS test\nFROM ${IMG}\n"
    # When its base is replaced
    rewritten = with_local_base(text, "localhost/b:1")
    # Then only the FROM lines that name an external image change
    assert changed_lines(text, rewritten) == [
        ("FROM python:3.12.12-slim AS base", "FROM localhost/b:1 AS base"),
        ("FROM ${IMG}", "FROM localhost/b:1"),
    ]


# --- the tools -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Engine:
    """buildah and podman on a storage of their own, in a temporary directory of this run."""

    directory: Path

    def _storage(self) -> list[str]:
        return [
            "--root",
            str(self.directory / "storage"),
            "--runroot",
            str(self.directory / "run"),
            "--storage-driver",
            "overlay",
        ]

    def buildah(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return _run(["buildah", *self._storage(), *args], check=check, timeout=timeout)

    def podman(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        libpod = ["--tmpdir", str(self.directory / "libpod"), "--cgroup-manager", "cgroupfs"]
        return _run(["podman", *self._storage(), *libpod, "--events-backend", "file", *args], check, timeout)

    def build(self, dockerfile: Path, context: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        """Build as the buildspec does (`--file`, build args, context), daemonless."""
        return self.buildah(
            "build",
            "--isolation",
            "chroot",
            "--runtime",
            "runc",
            # The Docker format keeps HEALTHCHECK (OCI image configs have no field for it).
            "--format",
            "docker",
            "--layers",
            "--network",
            "host",
            *_ulimits(),
            "--volume",
            f"{CA_BUNDLE}:{CA_BUNDLE}:ro",
            "--file",
            str(dockerfile),
            *extra,
            str(context),
            check=False,
        )

    def close(self) -> None:
        self.podman("rm", "--all", "--force", check=False)
        self.buildah("rm", "--all", check=False)
        self.podman("rmi", "--all", "--force", check=False)
        # The overlay driver mounts inside its root; unmount before removing the directory.
        mounts = [line.split()[1] for line in Path("/proc/self/mounts").read_text().splitlines()]
        for mount in sorted((m for m in mounts if m.startswith(str(self.directory))), key=len, reverse=True):
            subprocess.run(["umount", "--lazy", mount], check=False)
        shutil.rmtree(self.directory, ignore_errors=True)


def _run(command: Sequence[str], check: bool, timeout: float) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command[:3])} ... exited {result.returncode}:\n{result.stderr[-3000:]}")
    return result


def _ulimits() -> list[str]:
    """Explicit limits for RUN steps and containers, within the host's: the tools' defaults exceed them here."""
    flags = []
    for name, limit, wanted in (("nofile", resource.RLIMIT_NOFILE, 65535), ("nproc", resource.RLIMIT_NPROC, 4096)):
        hard = resource.getrlimit(limit)[1]
        value = wanted if hard == resource.RLIM_INFINITY else min(hard, wanted)
        flags += ["--ulimit", f"{name}={value}:{value}"]
    return flags


# --- fixtures: one base, one image, per run ------------------------------------------------------


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = Engine(tmp_path_factory.mktemp("image"))
    try:
        yield engine
    finally:
        engine.close()


@pytest.fixture(scope="module")
def base(engine: Engine) -> str:
    """A Debian bookworm image with Python in a venv at /usr/local, made from Debian's packages."""
    rootfs = engine.directory / "base.tar"
    _run(
        [
            "mmdebstrap",
            "--quiet",
            "--variant=minbase",
            "--include=python3,python3-venv",
            *(f"--dpkgopt=path-exclude=/usr/share/{d}/*" for d in ("doc", "man", "locale")),
            '--customize-hook=chroot "$1" python3 -m venv /usr/local',
            "bookworm",
            str(rootfs),
        ],
        check=True,
        timeout=600,
    )
    container = engine.buildah("from", "scratch").stdout.strip()
    engine.buildah("add", container, str(rootfs), "/")
    engine.buildah(
        "config",
        "--env",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        # pip's own CA bundle does not know the proxy's; the build mounts the host's at this path.
        "--env",
        f"PIP_CERT={CA_BUNDLE}",
        container,
    )
    engine.buildah("commit", "--rm", container, BASE)
    rootfs.unlink()
    return BASE


@pytest.fixture(scope="module")
def dockerfile(engine: Engine, base: str) -> Path:
    copy = engine.directory / "Dockerfile"
    copy.write_text(with_local_base(DOCKERFILE.read_text(), base))
    return copy


@pytest.fixture(scope="module")
def commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


@dataclass(frozen=True)
class Built:
    image: str
    test_stage_log: str


@pytest.fixture(scope="module")
def built(engine: Engine, dockerfile: Path, commit: str) -> Built:
    """The pipeline's two builds: `--target test` first, then the image with COMMIT_SHA."""
    ignore = ["--ignorefile", str(IGNORE_FILE)]
    tested = engine.build(dockerfile, ROOT, *ignore, "--target", "test", "--tag", f"{IMAGE}-test")
    assert tested.returncode == 0, tested.stdout[-3000:] + tested.stderr[-3000:]
    final = engine.build(dockerfile, ROOT, *ignore, "--build-arg", f"COMMIT_SHA={commit}", "--tag", IMAGE)
    assert final.returncode == 0, final.stdout[-3000:] + final.stderr[-3000:]
    return Built(IMAGE, tested.stdout + tested.stderr)


@pytest.fixture(scope="module")
def ecs_container(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The web service's container definition in the dev stack (ECS)."""
    result: PlanResult = request.getfixturevalue("dev_plan")
    definitions = json.loads(only(result, "aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"])
    (definition,) = definitions
    assert isinstance(definition, dict)
    return definition


def image_config(engine: Engine, image: str) -> dict[str, Any]:
    (inspected,) = json.loads(engine.podman("image", "inspect", image).stdout)
    assert isinstance(inspected, dict)
    return inspected


# --- the build -----------------------------------------------------------------------------------


def test_the_copy_differs_from_the_shipped_dockerfile_only_in_its_base(dockerfile: Path) -> None:
    changes = changed_lines(DOCKERFILE.read_text(), dockerfile.read_text())
    assert changes
    assert all(re.match(r"(?i)FROM\s", before) and after.startswith(f"FROM {BASE}") for before, after in changes)


def test_the_test_stage_runs_the_app_tests(built: Built) -> None:
    # Given the test stage built as the pipeline builds it first
    # Then the app's unit tests ran in it and passed
    collected = len(re.findall(r"^def test_", (ROOT / "app/tests/test_service.py").read_text(), re.M))
    summary = re.search(r"^(\d+) passed", built.test_stage_log, re.M)
    assert summary, built.test_stage_log[-2000:]
    assert int(summary.group(1)) >= collected > 0
    assert " failed" not in built.test_stage_log


def test_a_failing_test_fails_the_build(engine: Engine, dockerfile: Path, built: Built, tmp_path: Path) -> None:
    # Given the app's sources with one more test, which fails
    context = tmp_path / "context"
    shutil.copytree(ROOT / "app", context / "app", ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    (context / "app" / "tests" / "test_broken.py").write_text(
        'def test_broken() -> None:\n    assert 1 + 1 == 3, "broken on purpose"\n'
    )
    # When the image is built from them
    result = engine.build(dockerfile, context, "--tag", f"{IMAGE}-broken")
    # Then the build stops at the test stage, naming the test
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "broken on purpose" in output
    assert re.search(r"^1 failed, \d+ passed", output, re.M), output[-2000:]
    assert engine.podman("image", "exists", f"{IMAGE}-broken", check=False).returncode == 1


def test_the_image_runs_as_the_non_root_user_ecs_uses(
    engine: Engine, built: Built, ecs_container: dict[str, Any]
) -> None:
    config = image_config(engine, built.image)
    assert config["Config"]["User"] == "10001:10001"
    assert config["Config"]["User"].split(":")[0] == ecs_container["user"]


def test_the_image_keeps_its_healthcheck_and_revision(engine: Engine, built: Built, commit: str) -> None:
    config = image_config(engine, built.image)
    assert config["Healthcheck"]["Test"] == ["CMD", "python", "-m", "app.service", "--check"]
    assert config["Labels"]["org.opencontainers.image.revision"] == commit


def test_the_runtime_image_has_no_pip_and_no_tests(engine: Engine, built: Built) -> None:
    listing = engine.podman(
        "run", "--rm", "--runtime", "runc", *_ulimits(), "--entrypoint", "python", built.image, "-c",
        "import importlib.util, os; print(importlib.util.find_spec('pip') is None, sorted(os.listdir('/srv/app')))",
    )  # fmt: skip
    assert listing.stdout.split("\n")[0] == "True ['__init__.py', 'service.py']"


# --- the running service -------------------------------------------------------------------------


@dataclass(frozen=True)
class Running:
    name: str
    url: str
    port: int
    health_check_path: str


def run_as_ecs(engine: Engine, image: str, definition: dict[str, Any], name: str) -> Running:
    """Start the container as the task definition says ECS starts it; the user is the image's."""
    environment = {e["name"]: e["value"] for e in definition["environment"]}
    (mapping,) = definition["portMappings"]
    port = int(mapping["containerPort"])
    flags = [f"--env={k}={v}" for k, v in environment.items()]
    if definition["readonlyRootFilesystem"]:
        flags += ["--read-only", "--read-only-tmpfs=false"]  # no writable /run, /tmp ... unless mounted
    flags += [f"--tmpfs={m['containerPath']}:rw,nosuid,nodev" for m in definition["mountPoints"]]
    flags += [f"--cap-drop={c}" for c in definition["linuxParameters"]["capabilities"]["drop"]]
    if definition["linuxParameters"]["initProcessEnabled"]:
        flags.append("--init")
    flags += ["--runtime", "runc", *_ulimits(), f"--publish=127.0.0.1::{port}"]
    engine.podman("run", "--detach", "--name", name, *flags, image)
    published = engine.podman("port", name, f"{port}/tcp").stdout.strip().splitlines()[0]
    running = Running(name, f"http://{published}", port, environment["HEALTH_CHECK_PATH"])
    deadline = time.monotonic() + 20
    while engine.podman("healthcheck", "run", name, check=False).returncode != 0:
        assert time.monotonic() < deadline, engine.podman("logs", name, check=False).stdout
        time.sleep(0.2)
    return running


def get(url: str) -> tuple[int, Any]:
    with OPENER.open(url, timeout=5) as response:
        return response.status, json.loads(response.read())


def reconfigured(definition: dict[str, Any], port: int, path: str) -> dict[str, Any]:
    """The definition of a service set to another port and health path (settings `port`, `healthCheckPath`)."""
    environment = {e["name"]: e["value"] for e in definition["environment"]} | {
        "PORT": str(port),
        "HEALTH_CHECK_PATH": path,
    }
    return definition | {
        "environment": [{"name": k, "value": v} for k, v in sorted(environment.items())],
        "portMappings": [{"containerPort": port, "hostPort": port, "protocol": "tcp"}],
    }


@pytest.mark.parametrize("settings", ["dev_stack", "port_9090_path_ready"])
def test_the_service_answers_its_health_path_and_version_and_stops_on_sigterm(
    engine: Engine, built: Built, ecs_container: dict[str, Any], commit: str, settings: str
) -> None:
    # Given the image started as ECS starts the dev stack's service (or one set to another port and path)
    definition = ecs_container if settings == "dev_stack" else reconfigured(ecs_container, 9090, "/ready")
    running = run_as_ecs(engine, built.image, definition, f"sample-{settings.replace('_', '-')}")

    # Then it answers the configured health path on the configured port, from 127.0.0.1
    assert get(running.url + running.health_check_path) == (200, {"status": "ok"})
    # (the image's HEALTHCHECK, which probes 127.0.0.1 inside the container, passed to get here)
    # and reports the commit it was built from
    assert get(running.url + "/version") == (200, {"commit": commit, "service": "web"})
    # as its non-root user, on a read-only root filesystem with a writable /tmp
    probe = engine.podman(
        "exec", running.name, "python", "-c",
        "import os, tempfile\n"
        "print(os.getuid(), os.getgid())\n"
        "tempfile.TemporaryFile(dir='/tmp').close()\n"
        "try:\n    open('/srv/app/written', 'w')\nexcept OSError as e:\n    print(e.strerror)\n",
    )  # fmt: skip
    assert probe.stdout.splitlines() == ["10001 10001", "Read-only file system"]

    # When it is stopped as ECS stops it (SIGTERM, SIGKILL after the stop timeout)
    timeout = int(definition.get("stopTimeout", ECS_DEFAULT_STOP_TIMEOUT))
    started = time.monotonic()
    engine.podman("stop", "--time", str(timeout), running.name, timeout=timeout + 30)
    elapsed = time.monotonic() - started
    # Then it exits by itself, cleanly, well before the SIGKILL
    state = json.loads(engine.podman("inspect", running.name).stdout)[0]["State"]
    assert state["ExitCode"] == 0
    assert elapsed < timeout
    logs = engine.podman("logs", running.name).stdout
    assert [json.loads(line)["event"] for line in logs.splitlines()][-2:] == ["stopping", "stopped"]
    engine.podman("rm", running.name)
