"""Hosts every component of the library as the `container-delivery` package.

The schema is inferred from the components' annotations and docstrings by the Pulumi SDK's
component provider (`pulumi.provider.experimental`). Three things are added here:

- integers arrive as integers: the wire carries numbers as floats, and the SDK's conversion is
  lost (in `pulumi/provider/experimental/component.py`, `ComponentProvider.map_input_properties`
  assigns `int(input_val)` and then overwrites it with `input_val`; pulumi 3.272.0);
- an input the schema does not declare, or a value of the wrong type, is refused by name;
- a component's own refusal (`ComponentArgsError`) reaches the consumer as an input error with
  the library's message, with the argument names as the consumer spells them, not a traceback.
"""

import difflib
import re
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.errors import InputPropertyError
from pulumi.provider import main
from pulumi.provider.experimental.analyzer import PropertyDefinition, PropertyType
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.provider import ConstructResult
from pulumi.provider.server import ComponentInitError

from components.package import PACKAGE, ComponentArgsError

VERSION = "0.1.0"


# Every component the package serves, the composed `ServiceDelivery` first.
PACKAGE_COMPONENTS = (
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
)


def package_components() -> list[type[pulumi.ComponentResource]]:
    """The classes of `PACKAGE_COMPONENTS` (the EKS, Docker and WAF ones load here, on first use)."""
    import components

    return [getattr(components, name) for name in PACKAGE_COMPONENTS]


_PLAIN_TYPES: dict[PropertyType, tuple[type, ...]] = {
    PropertyType.STRING: (str,),
    PropertyType.BOOLEAN: (bool,),
    PropertyType.INTEGER: (int, float),
    PropertyType.NUMBER: (int, float),
    PropertyType.ARRAY: (list, tuple),
    PropertyType.OBJECT: (dict,),
}


def _plain(value: Any) -> bool:
    """A value known now (not an output, secret or unknown of a preview)."""
    return isinstance(value, (str, bool, int, float, list, tuple, dict))


def _checked(value: Any, prop: PropertyDefinition, path: str) -> Any:
    """`value` with integers restored, or an input error naming `path` when its type is wrong."""
    if prop.type is PropertyType.INTEGER and isinstance(value, pulumi.Output):
        return value.apply(lambda known: _checked(known, prop, path))
    if prop.type is None or not _plain(value):
        return value
    wanted = _PLAIN_TYPES[prop.type]
    wrong = not isinstance(value, wanted) or (isinstance(value, bool) and prop.type is not PropertyType.BOOLEAN)
    if prop.type is PropertyType.INTEGER and isinstance(value, float) and not value.is_integer():
        wrong = True
    if wrong:
        raise InputPropertyError(path, f"{path} must be {prop.type.value}, got {value!r}")
    if prop.type is PropertyType.INTEGER:
        return int(value)
    if prop.type is PropertyType.ARRAY and prop.items is not None and not prop.items.ref:
        return [_checked(item, prop.items, f"{path}[{i}]") for i, item in enumerate(value)]
    if prop.type is PropertyType.OBJECT and prop.additional_properties is not None:
        extra = prop.additional_properties
        if not extra.ref:
            return {key: _checked(item, extra, f"{path}.{key}") for key, item in value.items()}
    return value


class DeliveryProvider(ComponentProvider):
    """The SDK's component provider with faithful integers, strict inputs and the library's errors."""

    def __init__(self) -> None:
        super().__init__(package_components(), PACKAGE, version=VERSION)

    def map_input_properties(
        self,
        inputs: Any,
        properties: dict[str, PropertyDefinition],
        mapping: dict[str, str],
        component_name: str,
        property_path: str,
    ) -> Any:
        prefix = f"{property_path}." if property_path else ""
        if isinstance(inputs, Mapping):
            for key in inputs:
                if key not in properties:
                    close = difflib.get_close_matches(str(key), list(properties), n=1)
                    hint = f"did you mean {close[0]}? " if close else ""
                    raise InputPropertyError(
                        f"{prefix}{key}",
                        f"{component_name} has no input {prefix}{key}; {hint}its inputs are {', '.join(properties)}",
                    )
                self._check_enum(inputs[key], properties[key], f"{prefix}{key}")
        mapped = dict(super().map_input_properties(inputs, properties, mapping, component_name, property_path))
        for schema_name, prop in properties.items():
            py_name = mapping[schema_name]
            if py_name in mapped and not prop.ref:
                mapped[py_name] = _checked(mapped[py_name], prop, f"{prefix}{schema_name}")
        return mapped

    def _check_enum(self, value: Any, prop: PropertyDefinition, path: str) -> None:
        """An enum input must be one of its values (the SDK's own message names a Python class)."""
        if not prop.ref or not isinstance(value, (str, int, float)):
            return
        definition = self.get_type_definition(prop)
        if definition is None or not definition.enum:
            return
        allowed = [member.value for member in definition.enum]
        if value not in allowed:
            raise InputPropertyError(path, f"{path} must be one of {', '.join(map(str, allowed))}, got {value!r}")

    def construct(
        self,
        name: str,
        resource_type: str,
        inputs: Any,
        options: pulumi.ResourceOptions | None = None,
    ) -> ConstructResult:
        try:
            return super().construct(name, resource_type, inputs, options)
        except ComponentInitError as error:
            refusal = error.inner
            if not isinstance(refusal, ComponentArgsError):
                raise
            definition = self._component_defs[resource_type.rsplit(":", 1)[-1]]
            message = consumer_spelling(str(refusal), definition.inputs_mapping)
            named = [schema for schema in definition.inputs if re.search(rf"\b{schema}\b", message)]
            raise InputPropertyError(named[0] if named else "", message) from None


def consumer_spelling(message: str, inputs_mapping: Mapping[str, str]) -> str:
    """The library's message with each argument named as the schema (and every SDK) spells it."""
    for schema_name, py_name in sorted(inputs_mapping.items(), key=lambda item: -len(item[1])):
        if schema_name != py_name:
            message = re.sub(rf"\b{re.escape(py_name)}\b", schema_name, message)
    return message


def serve(args: list[str]) -> None:
    """Start the gRPC server the engine talks to (`args`: the engine address and flags)."""
    main(DeliveryProvider(), args)
