"""The component package's schema, as a consumer's `pulumi package add` gets it.

The plugin directory is started as Pulumi's language host starts it (`python <dir> <engine
address>`, which prints a port), and the schema is asked for over gRPC; it is validated against
Pulumi's own package metaschema (vendored under tests/data/pulumi-metaschema with its commit).
"""

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import jsonschema
import pytest
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from tests.conftest import ROOT

METASCHEMA = ROOT / "tests" / "data" / "pulumi-metaschema" / "pulumi.json"
COMPONENTS = {
    "ServiceDelivery",
    "AlbAccessLogs",
    "ArtifactStore",
    "BootstrapImage",
    "CiRunner",
    "ClusterAccess",
    "ContainerRegistry",
    "DeliveryPipeline",
    "EcsCluster",
    "EcsService",
    "EksCluster",
    "EksDeploy",
    "EksWorkload",
    "ImageBuild",
    "ImageRecord",
    "Network",
    "PipelineTopics",
    "PullThroughCache",
    "ServiceAlarms",
    "Source",
    "WebAcl",
}
INPUT_DOC = re.compile(r"(Default: .+|Required\.)$", re.S)
OUTPUT_DOC = re.compile(r"(Default: .+|Always set\.)$", re.S)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], str]]:
    """(schema, version) from the plugin started in a directory of its own, as the CLI starts it."""
    cwd = tmp_path_factory.mktemp("consumer")
    plugin = subprocess.Popen(
        [sys.executable, str(ROOT / "provider"), "127.0.0.1:1"],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert plugin.stdout is not None
        port = plugin.stdout.readline().strip()
        errors = plugin.stderr.read() if plugin.stderr and not port.isdigit() else ""
        assert port.isdigit(), f"the plugin printed {port!r}, not a port: {errors}"
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            schema = stub.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=60).schema
            info = stub.GetPluginInfo(provider_pb2.google_dot_protobuf_dot_empty__pb2.Empty(), timeout=10)
        yield json.loads(schema), info.version
    finally:
        plugin.kill()
        plugin.wait()


def metaschema() -> dict[str, Any]:
    # ECMA-262 named groups, which Python's re spells (?P<name>...).
    return json.loads(re.sub(r"\(\?<([A-Za-z_]\w*)>", r"(?P<\1>", METASCHEMA.read_text()))


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def test_the_plugin_serves_every_component_under_the_package_namespace(served: tuple[dict[str, Any], str]) -> None:
    schema, version = served
    assert (schema["name"], schema["version"], version) == ("container-delivery", "0.1.0", "0.1.0")
    assert set(schema["resources"]) == {f"container-delivery:index:{name}" for name in COMPONENTS}
    assert all(resource["isComponent"] for resource in schema["resources"].values())
    # Nothing outside this package: no child resource or provider leaks in as a typed output.
    assert schema.get("dependencies", []) == []


def test_the_schema_is_a_valid_pulumi_package_schema(served: tuple[dict[str, Any], str]) -> None:
    schema, _ = served
    validator = jsonschema.Draft202012Validator(metaschema(), format_checker=jsonschema.FormatChecker())
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(schema)]
    assert problems == []


def test_every_reference_resolves(served: tuple[dict[str, Any], str]) -> None:
    schema, _ = served
    found = set(refs(schema["resources"])) | set(refs(schema["types"]))
    assert found, "the package has typed inputs (source, clusters, deploy targets, enums)"
    for ref in found:
        assert ref.startswith("#/types/"), ref
        assert ref.removeprefix("#/types/") in schema["types"], ref


def test_every_input_and_output_is_documented_with_its_default(served: tuple[dict[str, Any], str]) -> None:
    # The descriptions every SDK's docs and IDE hints show: an input says its default (or that it is
    # required), an output says when it is absent (or that it is always set).
    schema, _ = served
    missing = []
    for token, resource in schema["resources"].items():
        if not resource.get("description"):
            missing.append(f"{token}: no description")
        for kind, pattern in (("inputProperties", INPUT_DOC), ("properties", OUTPUT_DOC)):
            for name, prop in resource.get(kind, {}).items():
                if not pattern.search((prop.get("description") or "").strip()):
                    missing.append(f"{token}.{kind}.{name}: {prop.get('description')!r}")
    for token, kind in schema["types"].items():
        for name, prop in kind.get("properties", {}).items():
            if not INPUT_DOC.search((prop.get("description") or "").strip()):
                missing.append(f"{token}.{name}: {prop.get('description')!r}")
        for member in kind.get("enum", []):
            if not member.get("description"):
                missing.append(f"{token}.{member['name']}: no description")
    assert missing == []


def test_the_composed_component_takes_the_stack_pieces_by_id_and_the_target_by_one_typed_input(
    served: tuple[dict[str, Any], str],
) -> None:
    schema, _ = served
    delivery = schema["resources"]["container-delivery:index:ServiceDelivery"]
    assert set(delivery["requiredInputs"]) == {
        "source",
        "artifactBucketName",
        "artifactBucketArn",
        "kmsKeyArn",
        "vpcId",
        "vpcCidrBlock",
        "publicSubnetIds",
        "privateSubnetIds",
        "notificationTopicArn",
    }
    assert delivery["inputProperties"]["ecsCluster"]["$ref"] == "#/types/container-delivery:index:EcsClusterRef"
    assert delivery["inputProperties"]["eksCluster"]["$ref"] == "#/types/container-delivery:index:EksClusterRef"
    assert delivery["inputProperties"]["containerPort"]["type"] == "integer"
    assert set(delivery["properties"]) == {
        "url",
        "pipelineName",
        "connectionActivation",
        "repositoryUrl",
        "buildProjectName",
        "image",
        "connectionArn",
    }


def test_component_modules_keep_real_annotations() -> None:
    # `from __future__ import annotations` turns annotations into strings the schema inference cannot
    # read: no module that defines a component or the types of its arguments may use it. (The pure
    # helpers do: their annotations name pulumi-aws types, and evaluating those would load whole
    # pulumi-aws packages at import time.)
    defining = [
        path
        for path in (ROOT / "components").glob("*.py")
        if re.search(r"^class \w+\((pulumi\.ComponentResource|TypedDict|StrEnum|Enum)\)", path.read_text(), re.M)
    ]
    assert len(defining) > 15
    assert [path.name for path in defining if "from __future__" in path.read_text()] == []


def test_package_metadata_points_at_the_python_runtime() -> None:
    plugin = (Path(ROOT) / "provider" / "PulumiPlugin.yaml").read_text()
    assert re.search(r"^runtime:\n  name: python$", plugin, re.M)
