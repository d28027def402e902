"""The consumer programs in examples/ use only what the package declares, and set what it requires.

They cannot run here (no Pulumi CLI), so each is read against the schema the package serves: every
component is declared, every input exists (nested objects too), every required input is set, and
every output another resource reads exists.
"""

import json
import re
from typing import Any

import pytest
import yaml

from provider.host import DeliveryProvider
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"
PACKAGE_SOURCE = "github.com/example-org/container-delivery/provider@v0.1.0"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(DeliveryProvider().schema)


def check_object(given: dict[str, Any], spec: dict[str, Any], schema: dict[str, Any], where: str) -> list[str]:
    """Problems of an object literal against a schema object (inputs of a resource, or a type)."""
    properties = spec.get("inputProperties", spec.get("properties", {}))
    required = spec.get("requiredInputs", spec.get("required", []))
    problems = [f"{where}: unknown input {key}" for key in given if key not in properties]
    problems += [f"{where}: required input {key} not set" for key in required if key not in given]
    for key, value in given.items():
        ref = properties.get(key, {}).get("$ref", "")
        if isinstance(value, dict) and ref.startswith("#/types/"):
            problems += check_object(value, schema["types"][ref.removeprefix("#/types/")], schema, f"{where}.{key}")
    return problems


def test_the_yaml_example_uses_declared_components_and_inputs(schema: dict[str, Any]) -> None:
    program = yaml.safe_load((EXAMPLES / "yaml" / "Pulumi.yaml").read_text())
    assert program["packages"] == {"container-delivery": PACKAGE_SOURCE}
    resources = program["resources"]
    problems = []
    for name, resource in resources.items():
        token = resource["type"]
        assert token in schema["resources"], f"{name}: {token} is not a component of the package"
        problems += check_object(resource.get("properties", {}), schema["resources"][token], schema, name)
    # Every ${resource.output} names an output of that resource.
    text = (EXAMPLES / "yaml" / "Pulumi.yaml").read_text()
    for resource, output in re.findall(r"\$\{(\w+)\.(\w+)\}", text):
        outputs = schema["resources"][resources[resource]["type"]]["properties"]
        if output not in outputs:
            problems.append(f"${{{resource}.{output}}}: {resources[resource]['type']} has no output {output}")
    assert problems == []
    assert {r["type"] for r in resources.values()} >= {"container-delivery:index:ServiceDelivery"}


def object_literal(text: str, start: int) -> tuple[dict[str, Any], int]:
    """The keys of the TypeScript object literal opening at `text[start] == "{"` (nested literals as
    dicts, other values as their source text), and the index after its closing brace."""
    assert text[start] == "{"
    result: dict[str, Any] = {}
    i, key = start + 1, None
    while i < len(text):
        char = text[i]
        if char == "}":
            return result, i + 1
        match = re.match(r"\s*(\w+)\s*:\s*", text[i:])
        if match and key is None:
            key, i = match.group(1), i + match.end()
            if text[i] == "{":
                result[key], i = object_literal(text, i)
            else:
                depth, begin = 0, i
                while depth or text[i] not in ",}":
                    depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(text[i], 0)
                    i += 1
                result[key] = text[begin:i].strip()
            key = None
            continue
        i += 1
    raise AssertionError("unterminated object literal")


def test_the_typescript_example_uses_declared_components_and_inputs(schema: dict[str, Any]) -> None:
    project = yaml.safe_load((EXAMPLES / "typescript" / "Pulumi.yaml").read_text())
    assert project["packages"] == {"container-delivery": PACKAGE_SOURCE}
    text = (EXAMPLES / "typescript" / "index.ts").read_text()
    assert 'import * as delivery from "@pulumi/container-delivery";' in text
    variables: dict[str, str] = {}
    problems: list[str] = []
    for found in re.finditer(r"const (\w+) = new delivery\.(\w+)\(\s*\"[\w-]+\",\s*", text):
        variable, component = found.groups()
        token = f"container-delivery:index:{component}"
        assert token in schema["resources"], f"{component} is not a component of the package"
        variables[variable] = token
        given, _ = object_literal(text, found.end())
        problems += check_object(given, schema["resources"][token], schema, variable)
    for variable, output in re.findall(r"\b(\w+)\.(\w+)\b", text):
        if variable in variables and output not in schema["resources"][variables[variable]]["properties"]:
            problems.append(f"{variable}.{output}: {variables[variable]} has no output {output}")
    assert problems == []
    assert "container-delivery:index:ServiceDelivery" in variables.values()
    assert re.search(r"\}, \{ providers: \[kubernetes\] \}\);", text), "the EKS service gets the cluster's provider"


def test_the_checker_finds_a_missing_required_input_and_an_unknown_one(schema: dict[str, Any]) -> None:
    # The examples' checks can fail: a literal without a required input, or with a misspelt one.
    spec = schema["resources"]["container-delivery:index:PipelineTopics"]
    assert check_object({"approval": True}, spec, schema, "topics") == [
        "topics: unknown input approval",
        "topics: required input kmsKeyArn not set",
    ]
    literal, _ = object_literal('{ source: { provider: "github", repo: "o/r" }, kmsKeyArn: key.arn }', 0)
    assert literal == {"source": {"provider": '"github"', "repo": '"o/r"'}, "kmsKeyArn": "key.arn"}
