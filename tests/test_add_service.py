"""`python -m preflight add-service`: a validated entry written into the stack file, nothing else changed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

import preflight.add_service
from components.settings import SettingsError, parse_settings
from preflight.cli import main
from tests.conftest import ROOT, run_program

COMMENTED = """\
# The team's dev stack: comments and key order must survive an edit.
config:
  aws:region: us-east-1  # the region everything runs in
  container-delivery:services:
    # The first service, from the sample.
    - name: web
      source:
        provider: github
        repository: example-org/container-delivery
      dockerfile: app/Dockerfile
  # Kept after the services.
  container-delivery:logRetentionDays: 14
"""


def project(tmp_path: Path, dev: str | None = None) -> Path:
    """A copy of the project whose Pulumi.dev.yaml is the shipped one, or `dev`."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "components").symlink_to(ROOT / "components")
    if dev is not None:
        (tmp_path / "Pulumi.dev.yaml").write_text(dev)
    return tmp_path


def add(directory: Path, *args: str) -> int:
    return main(["add-service", "--stack", "dev", "--project-dir", str(directory), *args])


def services(directory: Path) -> list[dict[str, object]]:
    listed = yaml.safe_load((directory / "Pulumi.dev.yaml").read_text())["config"]["container-delivery:services"]
    assert isinstance(listed, list)
    return listed


def test_adds_the_entry_after_the_existing_ones_and_changes_nothing_else(tmp_path: Path, capsys) -> None:
    # Given the shipped dev stack
    directory = project(tmp_path)
    before = (directory / "Pulumi.dev.yaml").read_text()
    # When a service is added with every option
    code = add(
        directory,
        *("--name", "api", "--repository", "example-org/api", "--branch", "release", "--port", "9090"),
        *("--health-check-path", "/ready", "--dockerfile", "docker/Dockerfile"),
    )
    # Then the file is the old text followed by the new entry, in the file's own layout
    assert code == 0
    after = (directory / "Pulumi.dev.yaml").read_text()
    assert after == before + (
        "    - name: api\n"
        "      source:\n"
        "        provider: github\n"
        "        repository: example-org/api\n"
        "        branch: release\n"
        "      port: 9090\n"
        "      healthCheckPath: /ready\n"
        "      dockerfile: docker/Dockerfile\n"
    )
    assert capsys.readouterr().out == (
        "Added service 'api' to Pulumi.dev.yaml as services[1].\nNext: python -m preflight plan --stack dev\n"
    )


def test_keeps_comments_and_the_keys_after_the_services(tmp_path: Path) -> None:
    # Given a stack file with comments and a key after the services
    directory = project(tmp_path, COMMENTED)
    # When a service is added with only the required options
    assert add(directory, "--name", "api", "--repository", "example-org/api") == 0
    # Then every comment and key is still there, and only the new entry was added
    after = (directory / "Pulumi.dev.yaml").read_text()
    for line in COMMENTED.splitlines():
        assert line in after
    assert yaml.safe_load(after) == {
        "config": {
            "aws:region": "us-east-1",
            "container-delivery:services": [
                *yaml.safe_load(COMMENTED)["config"]["container-delivery:services"],
                {"name": "api", "source": {"provider": "github", "repository": "example-org/api"}},
            ],
            "container-delivery:logRetentionDays": 14,
        }
    }


def test_a_stack_without_services_keeps_the_default_one(tmp_path: Path) -> None:
    # Given a stack that sets no services (the loader's default service applies)
    directory = project(tmp_path, "config:\n  aws:region: us-east-1\n")
    # When a service is added
    assert add(directory, "--name", "api", "--repository", "example-org/api") == 0
    # Then the stack lists the default service and the new one, so `pulumi up` deletes nothing
    assert [s["name"] for s in services(directory)] == ["web", "api"]


def test_a_plan_of_the_stack_then_includes_the_new_service(tmp_path: Path) -> None:
    directory = project(tmp_path)
    assert add(directory, "--name", "api", "--repository", "example-org/api", "--port", "9090") == 0
    result = run_program(directory, "dev")
    pipelines = sorted(r.name for r in result.resources if r.type == "aws:codepipeline/pipeline:Pipeline")
    assert pipelines == ["api-pipeline", "web-pipeline"]
    group = next(r for r in result.resources if r.type == "aws:lb/targetGroup:TargetGroup" and r.name == "api-tg")
    assert group.inputs["port"] == 9090


@pytest.mark.parametrize(
    ("args", "problems"),
    [
        pytest.param(
            ["--name", "Web_1", "--repository", "example-org/api"],
            ["services[1].name: got 'Web_1'; expected 2-20 lowercase letters, digits or '-', starting with a letter"],
            id="noncompliant_name",
        ),
        pytest.param(
            ["--name", "web", "--repository", "example-org/api"],
            ["services[1].name: got 'web'; expected a name not already used by services[0]"],
            id="noncompliant_duplicate_name",
        ),
        pytest.param(
            ["--name", "api", "--repository", "just-a-name"],
            ["services[1].source.repository: got 'just-a-name'; expected 'owner/name' of the repository"],
            id="noncompliant_repository",
        ),
        pytest.param(
            ["--name", "api", "--repository", "o/api", "--port", "80", "--health-check-path", "ready"],
            [
                "services[1].port: got 80; expected a whole number from 1024 to 65535",
                "services[1].healthCheckPath: got 'ready'; expected an absolute URL path such as /healthz",
            ],
            id="noncompliant_port_and_path",
        ),
        pytest.param(
            ["--name", "api", "--repository", "o/api", "--port", "eighty"],
            ["services[1].port: got 'eighty'; expected a whole number from 1024 to 65535"],
            id="noncompliant_port_not_a_number",
        ),
        pytest.param(
            ["--name", "api", "--repository", "o/api", "--provider", "svn"],
            ["services[1].source.provider: got 'svn'; expected one of github, gitlab, bitbucket, codecommit"],
            id="noncompliant_provider",
        ),
        pytest.param(
            ["--name", "api", "--repository", "o/api", "--dockerfile", "/etc/Dockerfile", "--branch", "a..b"],
            [
                "services[1].source.branch: got 'a..b'; expected a valid git branch name",
                "services[1].dockerfile: got '/etc/Dockerfile'; expected a relative path",
            ],
            id="noncompliant_branch_and_dockerfile",
        ),
    ],
)
def test_refuses_what_the_settings_loader_refuses(tmp_path: Path, capsys, args: list[str], problems: list[str]) -> None:
    # Given the shipped dev stack
    directory = project(tmp_path)
    before = (directory / "Pulumi.dev.yaml").read_bytes()
    # When a bad entry is added
    code = add(directory, *args)
    # Then it exits 2 with the loader's own message, and the file is untouched
    assert code == 2
    assert capsys.readouterr().err == f"error: {SettingsError(problems)}\n"
    assert (directory / "Pulumi.dev.yaml").read_bytes() == before
    assert sorted(p.name for p in directory.iterdir()) == [
        "Pulumi.dev.yaml",
        "Pulumi.yaml",
        "__main__.py",
        "components",
    ]


def test_the_refusal_is_the_message_a_plan_of_the_same_entry_prints(tmp_path: Path, capsys) -> None:
    # Given the bad entry refused by add-service
    directory = project(tmp_path / "a")
    assert add(directory, "--name", "api", "--repository", "bad", "--port", "80") == 2
    refused = capsys.readouterr().err
    # When the same entry is written by hand and the stack planned
    by_hand = project(tmp_path / "b")
    stack = yaml.safe_load((by_hand / "Pulumi.dev.yaml").read_text())
    stack["config"]["container-delivery:services"].append(
        {"name": "api", "source": {"provider": "github", "repository": "bad"}, "port": 80}
    )
    (by_hand / "Pulumi.dev.yaml").write_text(yaml.safe_dump(stack))
    assert main(["plan", "--stack", "dev", "--project-dir", str(by_hand)]) == 2
    # Then both print the same error
    assert capsys.readouterr().err == refused
    assert "services[1].source.repository: got 'bad'" in refused


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch, capsys) -> None:
    # Given a rename that fails (a full disk, a crash between write and rename)
    directory = project(tmp_path)
    before = (directory / "Pulumi.dev.yaml").read_bytes()

    def failing_replace(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(preflight.add_service.os, "replace", failing_replace)
    # When a valid service is added
    code = add(directory, "--name", "api", "--repository", "example-org/api")
    # Then it is refused in one line (exit 2, no traceback), the stack file is the old one and the
    # temporary file is gone
    assert (code, capsys.readouterr().err) == (2, "error: [Errno 28] No space left on device\n")
    assert (directory / "Pulumi.dev.yaml").read_bytes() == before
    assert not [p for p in directory.iterdir() if p.name.startswith(".Pulumi.dev.yaml.")]


def test_the_file_keeps_its_mode(tmp_path: Path) -> None:
    directory = project(tmp_path)
    os.chmod(directory / "Pulumi.dev.yaml", 0o640)
    assert add(directory, "--name", "api", "--repository", "example-org/api") == 0
    assert (directory / "Pulumi.dev.yaml").stat().st_mode & 0o777 == 0o640


def test_the_written_entries_are_what_the_loader_accepts(tmp_path: Path) -> None:
    directory = project(tmp_path)
    assert add(directory, "--name", "api", "--repository", "example-org/api", "--port", "9090") == 0
    settings = parse_settings({"services": services(directory)}, "dev")
    assert [(s.name, s.port, s.source.repository) for s in settings.services] == [
        ("web", 8080, "example-org/container-delivery"),
        ("api", 9090, "example-org/api"),
    ]
