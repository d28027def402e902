"""Constructs each component of the `cases` config through the package's provider, as the engine's
Construct call does: inputs cross a protobuf Struct (numbers become floats) and are deserialized
the way the provider server deserializes them. `cases` maps a resource name to
{"component": ..., "inputs": {...}, "kubernetes": bool}."""

import json

import pulumi
from google.protobuf import struct_pb2
from pulumi.runtime import rpc

from provider.host import DeliveryProvider

provider = DeliveryProvider()
cases = json.loads(pulumi.Config().require("cases"))
kubernetes = None
for name, case in cases.items():
    wire = struct_pb2.Struct()
    wire.update(case["inputs"])
    inputs = rpc.deserialize_properties(wire, keep_unknowns=True)
    opts = None
    if case.get("kubernetes"):
        import pulumi_kubernetes as k8s

        kubernetes = kubernetes or k8s.Provider("cluster", kubeconfig="{}")
        opts = pulumi.ResourceOptions(providers=[kubernetes])
    result = provider.construct(name, f"container-delivery:index:{case['component']}", inputs, opts)
    pulumi.export(name, result.urn)
