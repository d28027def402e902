"""ECS container definitions and Fargate sizing as plain functions (no Pulumi, no AWS calls).

`EcsService` serialises `container_definitions(...)` into its task definition; tests hand the
same data to botocore's RegisterTaskDefinition model and to moto.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The service runs as this numeric, non-root uid (no entry in /etc/passwd is needed). Images must
# therefore keep the files the process reads world-readable and must not expect to write anywhere
# but /tmp, and the process cannot bind ports below 1024. Numeric so ECS never resolves a name.
RUN_AS_USER = "10001"

# The root filesystem is read-only; this task-level volume (Fargate ephemeral storage) is the one
# writable path, mounted at /tmp for runtimes that need scratch space.
TMP_VOLUME = "tmp"
TMP_PATH = "/tmp"


def task_volumes() -> list[dict[str, Any]]:
    """The task-level volumes the container definitions mount (Fargate ephemeral storage)."""
    return [{"name": TMP_VOLUME}]


def container_definitions(
    *,
    name: str,
    image: str,
    port: int,
    log_group: str,
    region: str,
    stream_prefix: str,
    environment: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One essential, non-root, read-only container behind the load balancer.

    No container health check: the target group's HTTP check decides health, and a second
    check inside the image would need a shell or curl that minimal images do not ship.
    """
    return [
        {
            "name": name,
            "image": image,
            "essential": True,
            "portMappings": [{"containerPort": port, "hostPort": port, "protocol": "tcp"}],
            "user": RUN_AS_USER,
            "privileged": False,
            "readonlyRootFilesystem": True,
            "mountPoints": [{"sourceVolume": TMP_VOLUME, "containerPath": TMP_PATH, "readOnly": False}],
            "linuxParameters": {
                # tini as PID 1 reaps zombies and forwards SIGTERM, so deployments drain cleanly.
                "initProcessEnabled": True,
                "capabilities": {"drop": ["ALL"]},
            },
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": log_group,
                    "awslogs-region": region,
                    "awslogs-stream-prefix": stream_prefix,
                },
            },
            # PORT tells the process where to listen; nothing secret belongs here (use `secrets`).
            "environment": [
                {"name": key, "value": value}
                for key, value in sorted({"PORT": str(port), **(environment or {})}.items())
            ],
        }
    ]
