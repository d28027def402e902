"""The rules a value must follow for AWS to accept it, written once.

Both sides call these pure functions: the program's settings loader (`settings.py`, which
reports a bad value by its config key) and the components (which refuse the same value by its
argument name when another program uses them). Each returns what is wrong, or None; the caller
adds the key or argument name. Nothing here imports Pulumi.
"""

import ipaddress
import re

# CloudWatch Logs accepts only these retention values (PutRetentionPolicy, retentionInDays).
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
    2557, 2922, 3288, 3653,
)  # fmt: skip

# Fargate's accepted task sizes: cpu units -> allowed memory (MiB).
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}

# A created VPC gives each zone's private subnet an eighth of its range and each public subnet a
# 32nd; a public subnet must still be a /28 (the smallest subnet AWS allows), so /23 at most.
PRIVATE_SUBNET_EXTRA_BITS, PUBLIC_SUBNET_EXTRA_BITS = 3, 5
MIN_VPC_PREFIX, MAX_VPC_PREFIX = 16, 28 - PUBLIC_SUBNET_EXTRA_BITS

# Ordered from most to least severe, as ECR reports `findingSeverityCounts`.
SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL")

# A credential of a pull-through cache rule: ECR requires the secret's name to start with this prefix.
CACHE_CREDENTIAL_ARN = re.compile(
    r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:ecr-pullthroughcache/[\w/+=.@-]+$"
)

# The container runs as a non-root user, which cannot bind ports below 1024.
MIN_CONTAINER_PORT, MAX_CONTAINER_PORT = 1024, 65535


def _whole_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def retention_problem(days: object, key: str = "log_retention_days") -> str | None:
    """What is wrong with `days` as a CloudWatch Logs retention, or None."""
    if _whole_number(days) and days in LOG_RETENTION_DAYS:
        return None
    return f"{key} {days!r} is not a CloudWatch Logs retention; use one of {', '.join(map(str, LOG_RETENTION_DAYS))}"


def fargate_cpu_problem(cpu: object) -> str | None:
    """What is wrong with `cpu` as Fargate task cpu units, or None."""
    if _whole_number(cpu) and cpu in FARGATE_SIZES:
        return None
    return f"one of {', '.join(map(str, FARGATE_SIZES))}"


def fargate_memory_problem(cpu: int, memory: object) -> str | None:
    """What Fargate accepts as memory for `cpu` when `memory` is not one of them, or None."""
    allowed = FARGATE_SIZES[cpu]
    if _whole_number(memory) and memory in allowed:
        return None
    listed = ", ".join(map(str, allowed[:4])) + (", ..." if len(allowed) > 4 else "")
    return f"for cpu {cpu}, one of {allowed[0]}..{allowed[-1]} in the steps Fargate accepts ({listed})"


def fargate_size_error(cpu: int, memory: int) -> str | None:
    """None if Fargate accepts this cpu/memory pair, else one sentence saying what it accepts."""
    if cpu not in FARGATE_SIZES:
        return f"cpu {cpu} is not a Fargate size; use one of {', '.join(map(str, FARGATE_SIZES))}"
    sizes = FARGATE_SIZES[cpu]
    if memory in sizes:
        return None
    if len(sizes) <= 4:
        accepted = ", ".join(map(str, sizes))
    else:
        accepted = f"{sizes[0]} to {sizes[-1]} in steps of {sizes[1] - sizes[0]}"
    return f"memory {memory} does not fit cpu {cpu}; use {accepted} MiB"


def vpc_cidr_problem(cidr: object) -> str | None:
    """What is wrong with `cidr` as the range of a VPC this library creates, or None."""
    try:
        network = ipaddress.IPv4Network(str(cidr), strict=True)
    except ValueError:
        return (
            f"an IPv4 network address from /{MIN_VPC_PREFIX} to /{MAX_VPC_PREFIX} with its host bits zero, "
            "such as 10.0.0.0/16"
        )
    if not MIN_VPC_PREFIX <= network.prefixlen <= MAX_VPC_PREFIX:
        return f"an IPv4 CIDR from /{MIN_VPC_PREFIX} to /{MAX_VPC_PREFIX}, such as 10.0.0.0/16"
    return None


def container_port_problem(port: object) -> str | None:
    """What is wrong with `port` as the port a non-root container listens on, or None."""
    if _whole_number(port) and MIN_CONTAINER_PORT <= port <= MAX_CONTAINER_PORT:  # type: ignore[operator]
        return None
    return f"a whole number from {MIN_CONTAINER_PORT} to {MAX_CONTAINER_PORT} (the container runs as a non-root user)"


def at_least_one_problem(value: object) -> str | None:
    """What is wrong with `value` as a count of one or more, or None."""
    if _whole_number(value) and value >= 1:  # type: ignore[operator]
        return None
    return "a whole number of at least 1"
