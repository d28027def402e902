"""How a release reaches users: the deployment strategy, its parameters and what they become.

Pure data and functions, shared by the settings loader (`parse_release`), `EcsService` (the
service's native ECS deployment configuration) and `DeliveryPipeline` (the bake gate's wait).
ECS runs the strategy itself whenever the service gets a new task definition, which is what the
pipeline's standard ECS deploy action does (DESIGN.md, "Releases"; README, "Releases").
"""

import contextlib
import enum
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict


class DeploymentStrategy(enum.Enum):
    """How ECS replaces the running tasks with the new revision."""

    ROLLING = "rolling"
    """Tasks are replaced in place (minimum healthy 100%, maximum 200%); traffic moves as new tasks pass checks."""
    BLUE_GREEN = "blue-green"
    """A full green fleet starts beside blue; the listener rule moves all traffic at once, then it bakes."""
    CANARY = "canary"
    """A full green fleet starts; `canary_percent` of traffic meets it for `canary_interval_minutes`, then all."""
    LINEAR = "linear"
    """A full green fleet starts; traffic moves `linear_step_percent` at a time, `linear_interval_minutes` apart."""


ECS_STRATEGY = {
    DeploymentStrategy.ROLLING: "ROLLING",
    DeploymentStrategy.BLUE_GREEN: "BLUE_GREEN",
    DeploymentStrategy.CANARY: "CANARY",
    DeploymentStrategy.LINEAR: "LINEAR",
}
# The ECS deploy action fails a deployment that has not finished within its timeout (60 minutes, the
# action's maximum): traffic shifting plus bake time must end well before that.
ACTION_TIMEOUT_MINUTES = 60
MAX_RELEASE_MINUTES = 55
RELEASE_KEYS = (
    "type",
    "canaryPercent",
    "canaryIntervalMinutes",
    "linearStepPercent",
    "linearIntervalMinutes",
    "bakeMinutes",
)


class ReleaseArgs(TypedDict):
    """A release strategy and its parameters, as components take them."""

    strategy: NotRequired[DeploymentStrategy]
    """How the service replaces its tasks. Default: DeploymentStrategy.ROLLING."""
    canary_percent: NotRequired[float]
    """CANARY: share of production traffic (0.1-99.9) the new revision gets first. Default: 10."""
    canary_interval_minutes: NotRequired[int]
    """CANARY: minutes the canary share runs before the rest of the traffic moves. Default: 5."""
    linear_step_percent: NotRequired[float]
    """LINEAR: share of traffic (3-50) moved at each step. Default: 25."""
    linear_interval_minutes: NotRequired[int]
    """LINEAR: minutes between steps. Default: 2."""
    bake_minutes: NotRequired[int]
    """Minutes the new revision serves all traffic, watched by the alarms, before the old one goes (ECS bake
    time) and before the pipeline records the release (the bake gate). Default: 10."""


@dataclass(frozen=True, kw_only=True)
class Release:
    """A validated release strategy (settings form of `ReleaseArgs`)."""

    strategy: DeploymentStrategy
    canary_percent: float = 10.0
    canary_interval_minutes: int = 5
    linear_step_percent: float = 25.0
    linear_interval_minutes: int = 2
    bake_minutes: int = 10

    def args(self) -> ReleaseArgs:
        return {
            "strategy": self.strategy,
            "canary_percent": self.canary_percent,
            "canary_interval_minutes": self.canary_interval_minutes,
            "linear_step_percent": self.linear_step_percent,
            "linear_interval_minutes": self.linear_interval_minutes,
            "bake_minutes": self.bake_minutes,
        }


def release_from_args(args: ReleaseArgs) -> Release:
    """ReleaseArgs with their defaults filled in (rolling when no strategy is given)."""
    fields: dict[str, Any] = {"strategy": DeploymentStrategy.ROLLING, **args}
    return Release(**fields)


def default_release(environment: str, target: str = "ecs") -> Release:
    """Dev rolls (fast feedback, one task); every other environment releases a canary on ECS: 10% of
    users meet a new revision for 5 minutes while its alarms judge it, instead of everyone at once
    (blue-green), for the same cost (both run a second fleet during the release). On EKS the
    Deployment rolls (Kubernetes has no traffic-shifting strategy without a mesh) and bakes."""
    if environment == "dev":
        return Release(strategy=DeploymentStrategy.ROLLING, bake_minutes=5)
    if target != "ecs":
        return Release(strategy=DeploymentStrategy.ROLLING)
    return Release(strategy=DeploymentStrategy.CANARY)


def target_problem(target: str, release: Release) -> str | None:
    """Why `release` cannot run on `target`, or None: blue/green, canary and linear are ECS's."""
    if target != "ecs" and release.strategy is not DeploymentStrategy.ROLLING:
        return "rolling on target eks (blue-green, canary and linear are ECS-native strategies)"
    return None


def shifting_minutes(release: Release) -> int:
    """Minutes from green being healthy to green taking all traffic."""
    if release.strategy is DeploymentStrategy.CANARY:
        return release.canary_interval_minutes
    if release.strategy is DeploymentStrategy.LINEAR:
        return (math.ceil(100 / release.linear_step_percent) - 1) * release.linear_interval_minutes
    return 0


def release_minutes(release: Release) -> int:
    """Minutes ECS spends after green is healthy: traffic shifting plus bake (rolling: no bake in ECS)."""
    if release.strategy is DeploymentStrategy.ROLLING:
        return 0
    return shifting_minutes(release) + release.bake_minutes


def release_problems(release: Release) -> list[str]:
    """What is wrong with the parameters, each with its fix (empty when valid)."""
    problems = []
    if not 0.1 <= release.canary_percent <= 99.9:
        problems.append(f"canary_percent {release.canary_percent} must be 0.1-99.9")
    if not 3 <= release.linear_step_percent <= 50:
        problems.append(f"linear_step_percent {release.linear_step_percent} must be 3-50")
    for key in ("canary_interval_minutes", "linear_interval_minutes", "bake_minutes"):
        value = getattr(release, key)
        if not isinstance(value, int) or not 0 <= value <= MAX_RELEASE_MINUTES:
            problems.append(f"{key} {value!r} must be a whole number of minutes from 0 to {MAX_RELEASE_MINUTES}")
    if not problems and (total := release_minutes(release)) > MAX_RELEASE_MINUTES:
        problems.append(
            f"the {release.strategy.value} release takes {total} minutes after the new tasks are healthy; the "
            f"pipeline's ECS deploy action fails after {ACTION_TIMEOUT_MINUTES}: keep shifting plus bake within "
            f"{MAX_RELEASE_MINUTES} minutes"
        )
    return problems


def deployment_configuration(release: Release) -> dict[str, Any]:
    """The ECS service's `deployment_configuration` (pulumi-aws input names) for `release`."""
    strategy = release.strategy
    config: dict[str, Any] = {"strategy": ECS_STRATEGY[strategy]}
    if strategy is DeploymentStrategy.ROLLING:
        return config
    config["bake_time_in_minutes"] = str(release.bake_minutes)
    if strategy is DeploymentStrategy.CANARY:
        config["canary_configuration"] = {
            "canary_percent": release.canary_percent,
            "canary_bake_time_in_minutes": str(release.canary_interval_minutes),
        }
    elif strategy is DeploymentStrategy.LINEAR:
        config["linear_configuration"] = {
            "step_percent": release.linear_step_percent,
            "step_bake_time_in_minutes": str(release.linear_interval_minutes),
        }
    return config


def needs_alternate_target_group(strategy: DeploymentStrategy) -> bool:
    """Every strategy but rolling runs two fleets behind two target groups and a listener rule."""
    return strategy is not DeploymentStrategy.ROLLING


def describe(release: Release) -> str:
    """One line for pictures and logs: `canary 10% for 5 min, bake 10 min`."""
    strategy = release.strategy
    if strategy is DeploymentStrategy.CANARY:
        shift = f"canary {release.canary_percent:g}% for {release.canary_interval_minutes} min"
    elif strategy is DeploymentStrategy.LINEAR:
        shift = f"linear {release.linear_step_percent:g}% every {release.linear_interval_minutes} min"
    else:
        shift = strategy.value
    return f"{shift}, bake {release.bake_minutes} min"


Add = Callable[[str, Any, str], None]


def parse_release(key: str, raw: Any, base: Release, add: Add) -> Release:
    """A `deploymentStrategy` setting over `base`: a strategy name, or an object with `type` and parameters.

    `add(key, value, expected)` reports a problem; the result is `base` where a value is bad.
    """
    if raw is None:
        return base
    if isinstance(raw, str) and raw.startswith("{"):
        # Structured config arrives from the CLI as JSON text.
        with contextlib.suppress(json.JSONDecodeError):
            raw = json.loads(raw)
    if isinstance(raw, str):
        raw = {"type": raw}
    if not isinstance(raw, Mapping):
        add(key, raw, "a strategy name (rolling, blue-green, canary, linear) or an object with type and parameters")
        return base
    values: dict[str, Any] = {}
    for extra in sorted(set(raw) - set(RELEASE_KEYS)):
        add(f"{key}.{extra}", raw[extra], f"one of the keys {', '.join(RELEASE_KEYS)}")
    names = [s.value for s in DeploymentStrategy]
    kind = raw.get("type")
    if kind is not None:
        if kind in names:
            values["strategy"] = DeploymentStrategy(kind)
        else:
            add(f"{key}.type", kind, f"one of {', '.join(names)}")
    fields = {
        "canaryPercent": ("canary_percent", float, 0.1, 99.9),
        "canaryIntervalMinutes": ("canary_interval_minutes", int, 0, MAX_RELEASE_MINUTES),
        "linearStepPercent": ("linear_step_percent", float, 3, 50),
        "linearIntervalMinutes": ("linear_interval_minutes", int, 0, MAX_RELEASE_MINUTES),
        "bakeMinutes": ("bake_minutes", int, 0, MAX_RELEASE_MINUTES),
    }
    for setting, (field, kind_, lo, hi) in fields.items():
        value = raw.get(setting)
        if value is None:
            continue
        number = _number(value, kind_)
        if number is None or not lo <= number <= hi:
            add(f"{key}.{setting}", value, f"a {'whole ' if kind_ is int else ''}number from {lo:g} to {hi:g}")
        else:
            values[field] = number
    release = Release(**{**base.__dict__, **values})
    if (total := release_minutes(release)) > MAX_RELEASE_MINUTES:
        add(
            key,
            dict(raw),
            f"traffic shifting plus bake within {MAX_RELEASE_MINUTES} minutes (this one takes {total}; the "
            f"pipeline's ECS deploy action fails after {ACTION_TIMEOUT_MINUTES})",
        )
        return base
    return release


def _number(value: Any, kind: type) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if not isinstance(value, int | float):
        return None
    if kind is int:
        return int(value) if float(value).is_integer() else None
    return float(value)
