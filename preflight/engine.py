"""Runs the real Pulumi program under the SDK's mock runtime and records what it asks for.

This is the one way the program runs offline: the preflight command and the test suite
both call `run_program`. The recording monitor keeps what the engine would keep in a
checkpoint (URN, parent, dependencies, protect, inputs, outputs) so the result can be
written in the `pulumi stack export` format and checked by the policy pack.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import gc
import os
import runpy
import sys
import threading
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi import Output
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import resource as pulumi_resource
from pulumi.runtime import rpc
from pulumi.runtime import stack as pulumi_stack
from pulumi.runtime._callbacks import _CallbackServicer
from pulumi.runtime.config import set_all_config
from pulumi.runtime.proto import resource_pb2, source_pb2
from pulumi.runtime.settings import SETTINGS, _get_rpc_manager, configure, get_project, get_stack, reset_options
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _ensure_event_loop

from .mocks import RealisticMocks
from .project import Project, load_project

STACK_TYPE = "pulumi:pulumi:Stack"

# This module replaces or relies on private SDK code (below), so it runs only on the SDK version
# it was written against. `tests/test_engine.py` hashes the upstream source of each and fails when
# one changes, so an SDK upgrade is a deliberate review of these, not a silent drift.
SDK_VERSION = "3.272.0"
UPSTREAM_SOURCE_SHA256 = {
    # RecordingMonitor._register: the same URN, mock call and response, keeping what it drops.
    "pulumi.runtime.mocks:MockMonitor.RegisterResource": (
        "756b6fbc95aee5833987b9b532b5d10c364e29c37c2f6a52363592ebab2565e5"
    ),
    # _callback: looks a transform up by its token, as this does.
    "pulumi.runtime.mocks:_resolve_callbacks": "e935355738640de5fb7fe503be5ddf5a000df7bb047a533e52c3e28a9f3119fb",
    # The callback whose request and response _transform_and_register builds and reads.
    "pulumi.runtime._callbacks:_CallbackServicer.register_transform": (
        "0d8327926773fda40000b898763ba976a0ced03e55d55ce04606222f4c905015"
    ),
    # _wait_for_quiescence replaces it for the length of a run.
    "pulumi.runtime.stack:wait_for_rpcs": "c0f9027f85ad09255ded0a1908033b490f76d303a3e40b50d3cf47a69265469d",
    # _no_stack_trace replaces it for the length of a run.
    "pulumi.runtime.resource:_get_stack_trace": "3943b2273016925109e1c3a7bc603db06a44ea09ff3494c29544e44bccf8dd1f",
    # _known_urn replaces it for the length of a run, and calls it for arguments it does not compute.
    "pulumi.runtime.resource:create_urn": "b4efa209c920a83ac0a652e3f00fa7e987bdb7e438231fc88146f4c372c85596",
    # run_program configures the runtime through it, as `pulumi.runtime.set_mocks` does.
    "pulumi.runtime.settings:reset_options": "ca08a153c7054e73c139809d0e411afa1f2750ea0d6f4677125b0ff923b48c52",
}


class EngineError(Exception):
    """The mock engine cannot run faithfully here (an SDK version it was not written for)."""


def check_sdk_version() -> None:
    installed = version("pulumi")
    if installed != SDK_VERSION:
        raise EngineError(
            f"preflight's mock engine replaces private code of pulumi {SDK_VERSION}, and pulumi {installed} is "
            f"installed: install pulumi=={SDK_VERSION} (requirements.txt), or review preflight/engine.py's "
            "UPSTREAM_SOURCE_SHA256 against the new SDK and update SDK_VERSION"
        )


@dataclass
class Registration:
    """One resource as the engine would record it."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    id: str = ""
    provider: str = ""
    protect: bool = False
    retain_on_delete: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    remote: bool = False
    aliases: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Invocation:
    token: str
    args: dict[str, Any]


@dataclass
class PlanResult:
    project: Project
    stack: str
    resources: list[Registration]
    invokes: list[Invocation]

    @property
    def stack_urn(self) -> str:
        return f"urn:pulumi:{self.stack}::{self.project.name}::{STACK_TYPE}::{self.project.name}-{self.stack}"

    def custom(self) -> list[Registration]:
        return [r for r in self.resources if r.custom]

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.resources if r.type == type_]

    def by_urn(self) -> dict[str, Registration]:
        return {r.urn: r for r in self.resources}

    def stack_outputs(self) -> dict[str, Any]:
        for r in self.resources:
            if r.type == STACK_TYPE:
                return r.outputs
        return {}


def _engine_numbers(value: Any) -> Any:
    """Property values cross gRPC as protobuf doubles; the engine's JSON writes whole ones as ints.
    Secrets are unwrapped to their plain value, as a policy pack sees them."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return _engine_numbers(value.get("value"))
        return {k: _engine_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_engine_numbers(v) for v in value]
    return value


def _plain_struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    """Serialize mock answers, which are plain JSON-like data, without the SDK's async serializer:
    no event loop is pumped inside a monitor call, so calls can run on the loop's own thread."""
    struct = struct_pb2.Struct()
    struct.update({key: _jsonable(value) for key, value in values.items()})
    return struct


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    # Resource references and other SDK objects never reach a mock answer's meaning; keep text.
    return str(value)


class _Deferred:
    """A monitor answer that needs the event loop: a registration whose transforms run first."""

    def __init__(self, answer: Coroutine[Any, Any, Any]) -> None:
        self.answer = answer


class _InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """Runs monitor calls on the event loop's own thread, in order, instead of a thread pool:
    the mock monitor is pure Python, so threads only add GIL hand-offs. A call that must await
    (a transform is a callback of the program) answers `_Deferred`, run as a task of the loop."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        try:
            result = fn(*args, **kwargs)
        except BaseException as error:
            future.set_exception(error)
            return future
        if not isinstance(result, _Deferred):
            future.set_result(result)
            return future

        def settle(task: asyncio.Future[Any]) -> None:
            if task.cancelled():
                future.cancel()
            elif task.exception() is not None:
                future.set_exception(task.exception())
            else:
                future.set_result(task.result())

        asyncio.ensure_future(result.answer).add_done_callback(settle)
        return future


class DuplicateUrnError(Exception):
    """Two resources of one program have the same URN: the engine refuses the second."""


def _transform_options(request: Any) -> resource_pb2.TransformResourceOptions:
    """The options the engine hands a transform, from a registration request (source_eval.go)."""
    options = resource_pb2.TransformResourceOptions(
        depends_on=list(request.dependencies),
        ignore_changes=list(request.ignoreChanges),
        replace_on_changes=list(request.replaceOnChanges),
        version=request.version,
        aliases=list(request.aliases),
        provider=request.provider,
        plugin_download_url=request.pluginDownloadURL,
        deleted_with=request.deletedWith,
        additional_secret_outputs=list(request.additionalSecretOutputs),
        replace_with=list(request.replace_with),
    )
    if request.HasField("protect"):
        options.protect = request.protect
    if request.HasField("retainOnDelete"):
        options.retain_on_delete = request.retainOnDelete
    if request.deleteBeforeReplaceDefined:
        options.delete_before_replace = request.deleteBeforeReplace
    if request.HasField("customTimeouts"):
        options.custom_timeouts.CopyFrom(request.customTimeouts)
    for key, ref in request.providers.items():
        options.providers[key] = ref
    return options


def _transformed(request: Any, properties: struct_pb2.Struct, options: Any) -> Any:
    """The request as the engine registers it after its transforms: their properties and options."""
    done = resource_pb2.RegisterResourceRequest()
    done.CopyFrom(request)
    done.object.CopyFrom(properties)
    done.ClearField("dependencies")
    done.dependencies.extend(options.depends_on)
    done.ClearField("ignoreChanges")
    done.ignoreChanges.extend(options.ignore_changes)
    done.ClearField("replaceOnChanges")
    done.replaceOnChanges.extend(options.replace_on_changes)
    done.ClearField("aliases")
    done.aliases.extend(options.aliases)
    done.ClearField("additionalSecretOutputs")
    done.additionalSecretOutputs.extend(options.additional_secret_outputs)
    done.ClearField("providers")
    for key, ref in options.providers.items():
        done.providers[key] = ref
    done.version = options.version
    done.provider = options.provider
    done.pluginDownloadURL = options.plugin_download_url
    done.deletedWith = options.deleted_with
    if options.HasField("protect"):
        done.protect = options.protect
    else:
        done.ClearField("protect")
    if options.HasField("retain_on_delete"):
        done.retainOnDelete = options.retain_on_delete
    else:
        done.ClearField("retainOnDelete")
    if options.HasField("delete_before_replace"):
        done.deleteBeforeReplace = options.delete_before_replace
        done.deleteBeforeReplaceDefined = True
    if options.HasField("custom_timeouts"):
        done.customTimeouts.CopyFrom(options.custom_timeouts)
    else:
        done.ClearField("customTimeouts")
    return done


def _callback(token: str) -> Callable[[bytes], Awaitable[Any]]:
    # The program's callback server keeps each transform by the token the request carries.
    for servicer in _CallbackServicer._servicers:
        if token in servicer._callbacks:
            return servicer._callbacks[token]
    raise LookupError(f"transform callback {token} is not registered")


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A mock monitor that also keeps the registration details the SDK's one drops."""

    def __init__(self, mocks: RealisticMocks) -> None:
        super().__init__(mocks)
        self.lock = threading.Lock()
        self.registrations: dict[str, Registration] = {}
        self.invocations: list[Invocation] = []
        self.stack_transforms: list[str] = []
        self.resource_transforms: dict[str, list[str]] = {}
        self.parents: dict[str, str] = {}

    def RegisterStackTransform(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        self.stack_transforms.append(request.token)
        return super().RegisterStackTransform(request)

    def RegisterStackInvokeTransform(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        # The SDK answers an invoke from a worker thread's tuple, where no transform can be awaited;
        # refusing is better than planning what `pulumi preview` would not.
        raise EngineError("preflight does not run stack invoke transforms; plan this program with `pulumi preview`")

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        # The engine runs a resource's own transforms, then its ancestors', then the stack's.
        own = [callback.token for callback in request.transforms]
        inherited: list[str] = []
        parent = request.parent
        while parent:
            inherited.extend(self.resource_transforms.get(parent, ()))
            parent = self.parents.get(parent, "")
        tokens = own + inherited + self.stack_transforms
        if not tokens:
            return self._register(request, own)
        return _Deferred(self._transform_and_register(request, own, tokens))

    async def _transform_and_register(self, request: Any, own: list[str], tokens: list[str]) -> Any:
        properties, options = request.object, _transform_options(request)
        for token in tokens:
            answer = await _callback(token)(
                resource_pb2.TransformRequest(
                    type=request.type,
                    name=request.name,
                    custom=request.custom,
                    parent=request.parent,
                    properties=properties,
                    options=options,
                ).SerializeToString()
            )
            properties, options = answer.properties, answer.options
        return self._register(_transformed(request, properties, options), own)

    def _register(self, request: Any, own_transforms: list[str]) -> Any:
        # The SDK's MockMonitor.RegisterResource, keeping what it drops; inputs deserialized once.
        urn = self.make_urn(request.parent, request.type, request.name)
        if urn in self.registrations:
            # The engine's step generator refuses a second registration of one URN.
            raise DuplicateUrnError(f"Duplicate resource URN '{urn}'; try giving it a unique name")
        if own_transforms:
            self.resource_transforms[urn] = own_transforms
        self.parents[urn] = request.parent
        if request.type == STACK_TYPE:
            response = resource_pb2.RegisterResourceResponse(urn=urn)
            inputs: dict[str, Any] = {}
            outputs: dict[str, Any] = {}
        else:
            _ensure_event_loop()
            inputs = rpc.deserialize_properties(request.object)
            new_id, outputs = self.mocks.new_resource(
                pulumi_mocks.MockResourceArgs(
                    typ=request.type,
                    name=request.name,
                    inputs=inputs,
                    provider=request.provider,
                    resource_id=request.importId,
                    custom=request.custom or False,
                )
            )
            resource_id = new_id or ""
            properties = _plain_struct(outputs)
            self.resources[urn] = pulumi_mocks.MockMonitor.ResourceRegistration(urn, resource_id, outputs)
            response = resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id, object=properties)
        registration = Registration(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            parent=request.parent,
            dependencies=list(request.dependencies),
            property_dependencies={key: list(deps.urns) for key, deps in request.propertyDependencies.items()},
            inputs=_engine_numbers(inputs),
            outputs=_engine_numbers(dict(outputs)),
            id=response.id if request.custom else "",
            provider=request.provider,
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            ignore_changes=list(request.ignoreChanges),
            remote=bool(request.remote),
            aliases=[json_format.MessageToDict(alias) for alias in request.aliases],
        )
        with self.lock:
            self.registrations[urn] = registration
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        outputs = rpc.deserialize_properties(request.outputs) if request.outputs else {}
        with self.lock:
            registration = self.registrations.get(request.urn)
            if registration is not None and not registration.custom:
                registration.outputs = _engine_numbers(dict(outputs))
        return super().RegisterResourceOutputs(request)

    def Invoke(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        args = rpc.deserialize_properties(request.args)
        with self.lock:
            self.invocations.append(Invocation(token=request.tok, args=dict(args)))
        answer: Any = self.mocks.call(
            pulumi_mocks.MockCallArgs(token=request.tok, args=args, provider=request.provider)
        )
        result = answer[0] if isinstance(answer, tuple) else answer
        return resource_pb2.ResourceInvokeResponse(failures=None, **{"return": _plain_struct(result)})


def _ordered(registrations: Mapping[str, Registration]) -> list[Registration]:
    """Parents and dependencies before dependents, ties by URN: a stable, engine-like order."""
    done: set[str] = set()
    ordered: list[Registration] = []

    def visit(urn: str, trail: frozenset[str]) -> None:
        if urn in done or urn not in registrations or urn in trail:
            return
        reg = registrations[urn]
        for before in sorted({reg.parent, *reg.dependencies} - {""}):
            visit(before, trail | {urn})
        done.add(urn)
        ordered.append(reg)

    for urn in sorted(registrations):
        visit(urn, frozenset())
    return ordered


async def _wait_for_quiescence(await_all_outstanding_tasks: bool = True) -> None:
    """`pulumi.runtime.stack.wait_for_rpcs`, the SDK's end-of-program wait, in linear time.

    Same contract: wait until no RPC and no tracked Output is outstanding, raising the first
    failure. The SDK waits on every pending Output with FIRST_COMPLETED in a loop, which costs
    O(outputs x completion waves) callback registrations: most of the time of a 50-service
    plan. Waiting on each snapshot of pending Outputs with one `gather` costs O(outputs).
    """
    rpc_manager = _get_rpc_manager()
    while True:
        while rpc_manager.rpcs:
            await asyncio.sleep(0)
            await rpc_manager.rpcs.pop()
        if rpc_manager.unhandled_exception is not None:
            raise rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)
        while await_all_outstanding_tasks:
            with SETTINGS.lock:
                pending = list(SETTINGS.outputs)
                SETTINGS.outputs.clear()
            if not pending:
                break
            for result in await asyncio.gather(*pending, return_exceptions=True):
                if isinstance(result, BaseException):
                    raise result
        if not rpc_manager.rpcs:
            return


_sdk_create_urn = pulumi_resource.create_urn


def _known_urn(
    name: Any, type_: Any, parent: Any = None, project: str | None = None, stack: str | None = None
) -> Output[str]:
    """`pulumi.runtime.resource.create_urn`, computed at once when its arguments are plain strings.

    The SDK computes a resource's URN on the client before every registration (to answer itself
    when no engine is attached) and one per alias, each a chain of half a dozen Outputs to resolve:
    7% of a fifty-service plan's instructions. With a name, a type and a parent URN (or none) that are plain
    strings, the chain resolves to a string known now; this returns it as one known Output with no
    dependencies, as the chain does. Any other argument (an Output, a parent Resource) takes the
    SDK's own path."""
    if not (isinstance(name, str) and isinstance(type_, str) and (parent is None or isinstance(parent, str))):
        return _sdk_create_urn(name, type_, parent, project, stack)
    if parent is not None:
        prefix = parent[0 : parent.rfind("::")] + "$"
    else:
        stack = get_stack() if stack is None else stack
        project = get_project() if project is None else project
        prefix = "urn:pulumi:" + stack + "::" + project + "::"
    return Output.from_input(prefix + type_ + "::" + name)


def _no_stack_trace() -> source_pb2.StackTrace:
    return source_pb2.StackTrace()


def _quiet_after_failure(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Once a program fails, every output waiting on the failed value fails too; the first
    error is raised to the caller, so the echoes of it are not worth thousands of lines."""
    if str(context.get("message", "")).endswith("exception was never retrieved"):
        return
    loop.default_exception_handler(context)


def run_program(
    directory: Path,
    stack: str,
    overrides: Mapping[str, Any] | None = None,
    parameters: Mapping[str, str] | None = None,
) -> PlanResult:
    """Run `<directory>/__main__.py` for `stack` under mocks and return what it registered.

    `overrides` replaces project-level config keys after the stack file is applied;
    `parameters` are SSM parameters the simulated account already holds.
    Exceptions raised by the program (for example `SettingsError`) propagate unchanged.
    """
    check_sdk_version()
    project = load_project(directory, stack, overrides)
    # Where the AWS provider looks for its region; the settings loader checks the same one.
    region = (
        project.config.get("aws:region")
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or "us-east-1"
    )
    monitor = RecordingMonitor(RealisticMocks(region=region, parameters=parameters))

    def program() -> None:
        runpy.run_path(str(project.main), run_name="__main__")

    def execute() -> None:
        reset_options(project=project.name, stack=stack, preview=False, organization="organization")
        configure(
            pulumi_mocks.MockSettings(
                monitor=monitor,
                monitor_features=set(monitor.GetDeploymentInfo(None).supportedFeatures),
                engine=pulumi_mocks.MockEngine(None),
                project=project.name,
                stack=stack,
                dry_run=False,
                organization="organization",
                root_directory=str(directory),
                callbacks=None,
            )
        )
        set_all_config(dict(project.config))
        loop = asyncio.new_event_loop()
        loop.set_default_executor(_InlineExecutor())
        loop.set_exception_handler(_quiet_after_failure)
        added_path = str(directory) not in sys.path
        if added_path:
            sys.path.insert(0, str(directory))
        sdk_wait = pulumi_stack.wait_for_rpcs
        pulumi_stack.wait_for_rpcs = _wait_for_quiescence
        # Source positions (a stack walk per resource) only label resources in the Pulumi Console;
        # nothing offline reads them, and they were a sixth of a plan's time.
        sdk_stack_trace = pulumi_resource._get_stack_trace
        pulumi_resource._get_stack_trace = _no_stack_trace
        sdk_create_urn = pulumi_resource.create_urn
        pulumi_resource.create_urn = _known_urn
        try:
            loop.run_until_complete(run_in_stack(program))
        finally:
            pulumi_stack.wait_for_rpcs = sdk_wait
            pulumi_resource._get_stack_trace = sdk_stack_trace
            pulumi_resource.create_urn = sdk_create_urn
            for task in asyncio.all_tasks(loop):
                task.cancel()
                with suppress(asyncio.CancelledError, Exception):
                    loop.run_until_complete(task)
            loop.close()
            if added_path:
                sys.path.remove(str(directory))

    # The SDK allocates a few hundred thousand short-lived asyncio objects per thousand resources;
    # with CPython's default first-generation threshold (700) the collector keeps rescanning a
    # growing heap, which doubled the time of a 50-service plan. Collect far less often here.
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], 50_000), max(thresholds[1], 50), max(thresholds[2], 100))
    try:
        contextvars.copy_context().run(execute)
    finally:
        gc.set_threshold(*thresholds)
    return PlanResult(
        project=project,
        stack=stack,
        resources=_ordered(monitor.registrations),
        invokes=list(monitor.invocations),
    )
