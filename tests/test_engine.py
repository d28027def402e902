"""The mock engine: pinned to the SDK code it replaces, faithful to the engine's transforms and
URN rule, and planning like the SDK's own `pulumi.runtime.set_mocks` path."""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import importlib
import inspect
import runpy
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import set_all_config
from pulumi.runtime import stack as pulumi_stack

from preflight import engine
from preflight.engine import EngineError, Registration, check_sdk_version, run_program
from preflight.mocks import RealisticMocks

PROGRAM = Path(__file__).resolve().parent / "programs" / "transforms"
STACK = "urn:pulumi:test::transforms-test::pulumi:pulumi:Stack"


def _source_of(qualified: str) -> str:
    module, attribute = qualified.split(":")
    target: Any = importlib.import_module(module)
    for part in attribute.split("."):
        target = getattr(target, part)
    return inspect.getsource(target)


@pytest.mark.parametrize("qualified", sorted(engine.UPSTREAM_SOURCE_SHA256))
def test_upstream_code_the_engine_replaces_is_unchanged(qualified: str) -> None:
    # Given the SDK function preflight replaces or relies on; then its source is the reviewed one.
    digest = hashlib.sha256(_source_of(qualified).encode()).hexdigest()
    assert digest == engine.UPSTREAM_SOURCE_SHA256[qualified], f"{qualified} changed upstream: review engine.py"


def test_the_pinned_sdk_is_the_installed_one() -> None:
    assert version("pulumi") == engine.SDK_VERSION
    check_sdk_version()


def test_an_unknown_sdk_version_is_refused_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "version", lambda _: "3.999.0")
    with pytest.raises(EngineError, match=r"replaces private code of pulumi 3\.272\.0, and pulumi 3\.999\.0"):
        run_program(PROGRAM, "test", {"variant": "options"})


def _by_name(resources: list[Registration]) -> dict[str, Registration]:
    return {r.name: r for r in resources}


def test_stack_and_resource_transforms_shape_the_plan() -> None:
    # Given a stack transform (tags), a resource transform (protect, ignore_changes, an input) and a
    # component's transform that its child inherits; when planned; then each ran, in the engine's order.
    plan = _by_name(run_program(PROGRAM, "test").resources)
    logs, plain, topic, group = plan["logs"], plan["plain"], plan["alerts-topic"], plan["alerts"]
    assert logs.inputs == {"forceDestroy": False, "tags": {"owner": "platform"}}
    assert (logs.protect, logs.ignore_changes) == (True, ["tags"])
    assert plain.inputs == {"tags": {"owner": "platform"}}
    assert topic.inputs == {"kmsMasterKeyId": "alias/aws/sns", "tags": {"owner": "platform"}}
    assert group.inputs == {}
    assert topic.parent == group.urn


def test_a_duplicate_urn_is_the_engines_error(tmp_path: Path) -> None:
    # Given a program registering two resources with one URN; then the plan fails as the engine would.
    (tmp_path / "Pulumi.yaml").write_text("name: dup\nruntime: python\n")
    (tmp_path / "Pulumi.test.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text("import pulumi_aws as aws\naws.sns.Topic('same')\naws.sns.Topic('same')\n")
    with pytest.raises(engine.DuplicateUrnError) as caught:
        run_program(tmp_path, "test")
    assert str(caught.value) == (
        "Duplicate resource URN 'urn:pulumi:test::dup::pulumi:pulumi:Stack$aws:sns/topic:Topic::same'; "
        "try giving it a unique name"
    )
    # The SDK functions the run replaced are back, after a failed run too.
    assert engine.pulumi_resource.create_urn is engine._sdk_create_urn
    assert engine.pulumi_stack.wait_for_rpcs is not engine._wait_for_quiescence


def _options(urn: str, inputs: dict[str, Any], request: Any) -> dict[str, Any]:
    return {
        "urn": urn,
        "inputs": inputs,
        "parent": request.parent,
        "protect": bool(request.protect),
        "retain_on_delete": bool(request.retainOnDelete),
        "ignore_changes": list(request.ignoreChanges),
        "dependencies": list(request.dependencies),
        "aliases": [json_format.MessageToDict(a) for a in request.aliases],
    }


def _plain_sdk_plan(variant: str) -> dict[str, dict[str, Any]]:
    """The program under `pulumi.runtime.set_mocks`: the SDK's monitor, thread pool and end-of-run wait."""
    seen: dict[str, dict[str, Any]] = {}
    mocks = RealisticMocks(region="us-east-1")

    class Recorder(pulumi_mocks.MockMonitor):
        def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
            response = super().RegisterResource(request)
            inputs = engine._engine_numbers(engine.rpc.deserialize_properties(request.object))
            if request.type != "pulumi:pulumi:Stack":
                seen[request.name] = _options(response.urn, inputs, request)
            return response

    def run() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            set_all_config({"transforms-test:variant": variant, "aws:region": "us-east-1"})
            pulumi_mocks.set_mocks(mocks, "transforms-test", "test", False, monitor=Recorder(mocks))
            runpy.run_path(str(PROGRAM / "__main__.py"), run_name="__main__")
            loop.run_until_complete(pulumi_stack.wait_for_rpcs())
        finally:
            loop.close()
            asyncio.set_event_loop(None)

    contextvars.copy_context().run(run)
    return seen


def test_options_plan_identically_under_preflight_and_the_sdks_mocks() -> None:
    # Given aliases, ignore_changes, protect, retain_on_delete and depends_on; when planned by preflight
    # and by the SDK's set_mocks path; then URNs, inputs and options are the same.
    preflight = {
        r.name: {
            "urn": r.urn,
            "inputs": r.inputs,
            "parent": r.parent,
            "protect": r.protect,
            "retain_on_delete": r.retain_on_delete,
            "ignore_changes": r.ignore_changes,
            "dependencies": r.dependencies,
            "aliases": r.aliases,
        }
        for r in run_program(PROGRAM, "test", {"variant": "options"}).resources
        if r.type != "pulumi:pulumi:Stack"
    }
    sdk = _plain_sdk_plan("options")
    assert preflight == sdk
    assert preflight["logs"]["protect"] and preflight["logs"]["retain_on_delete"]
    assert preflight["plain"]["ignore_changes"] == ["tags"]
    assert preflight["plain"]["dependencies"] == [f"{STACK}$aws:s3/bucket:Bucket::logs"]
    assert preflight["plain"]["aliases"][1] == {"urn": "urn:pulumi:test::transforms-test::aws:sns/topic:Topic::older"}


def test_services_web_and_web_cache_would_register_one_child_urn_twice(tmp_path: Path) -> None:
    # Given the registries of services `web` and `web-cache` (settings refuse the pair; see
    # components.naming.collisions); then the engine's rule catches the child both name alike.
    (tmp_path / "Pulumi.yaml").write_text("name: pair\nruntime: python\n")
    (tmp_path / "Pulumi.test.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(
        "from components import ContainerRegistry\n"
        "ContainerRegistry('web', {'protect': False})\n"
        "ContainerRegistry('web-cache', {'protect': False})\n"
    )
    with pytest.raises(engine.DuplicateUrnError, match=r"LifecyclePolicy::web-cache-lifecycle'"):
        run_program(tmp_path, "test")


def test_a_stack_invoke_transform_is_refused_not_ignored(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: invoke\nruntime: python\n")
    (tmp_path / "Pulumi.test.yaml").write_text("config: {}\n")
    program = "import pulumi\npulumi.runtime.register_invoke_transform(lambda args: None)\n"
    (tmp_path / "__main__.py").write_text(program)
    with pytest.raises(EngineError, match="preflight does not run stack invoke transforms"):
        run_program(tmp_path, "test")


def _urn_data(make: Any, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """What an Output of `make(*args)` resolves to (value, known, secret, dependencies), for project
    `p` and stack `s`, under the SDK's mocks."""

    def run() -> tuple[Any, ...]:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            pulumi_mocks.set_mocks(RealisticMocks(region="us-east-1"), "p", "s", False)
            resolved = [a if not callable(a) else a() for a in args]
            data = loop.run_until_complete(make(*resolved)._data)
            return data.value, data.is_known, data.is_secret, data.resources
        finally:
            loop.close()
            asyncio.set_event_loop(None)

    return contextvars.copy_context().run(run)


@pytest.mark.parametrize(
    "args",
    [
        ("web", "aws:s3/bucket:Bucket", None, None, None),
        ("web", "aws:s3/bucket:Bucket", None, "other", "prod"),
        ("web", "aws:s3/bucket:Bucket", None, "", ""),
        ("web-logs", "aws:s3/bucket:Bucket", "urn:pulumi:s::p::container-delivery:index:EcsService::web", None, None),
        ("x", "aws:iam/role:Role", "urn:pulumi:s::p::a:b:C$container-delivery:index:EcsService::web", None, None),
        # The stack's own registration has the parent "", and a parent that is no URN is cut the same way.
        ("p-s", "pulumi:pulumi:Stack", "", None, None),
        ("web", "aws:s3/bucket:Bucket", "not-a-urn", "p", "s"),
        # Not plain strings: the SDK's own path.
        (lambda: engine.Output.from_input("web"), "aws:s3/bucket:Bucket", None, None, None),
        ("web", "aws:s3/bucket:Bucket", lambda: engine.Output.secret("urn:pulumi:s::p::a:b:C::web"), None, None),
    ],
)
def test_the_urn_preflight_computes_at_once_is_the_sdks(args: tuple[Any, ...]) -> None:
    # Given create_urn's arguments; then preflight's replacement resolves to the SDK's value, known and
    # secret flags and dependencies.
    sdk = _urn_data(engine._sdk_create_urn, args)
    assert _urn_data(engine._known_urn, args) == sdk
    name = args[0] if isinstance(args[0], str) else "web"
    assert sdk[0].endswith(f"{args[1]}::{name}") and sdk[1] is True
