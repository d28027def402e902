"""The deployment strategy: settings, defaults, and the ECS deployment configuration it becomes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.deployment_strategy import (
    MAX_RELEASE_MINUTES,
    DeploymentStrategy,
    Release,
    deployment_configuration,
    describe,
    release_minutes,
)
from components.settings import SettingsError, parse_settings

WEB = {"name": "web", "source": {"provider": "github", "repository": "o/web"}}


def test_defaults_roll_in_dev_and_release_a_canary_in_prod() -> None:
    dev = parse_settings({}, "dev").services[0].release
    prod = parse_settings({}, "prod").services[0].release
    assert dev == Release(strategy=DeploymentStrategy.ROLLING, bake_minutes=5)
    assert prod == Release(strategy=DeploymentStrategy.CANARY)
    assert describe(prod) == "canary 10% for 5 min, bake 10 min"


@pytest.mark.parametrize(
    ("release", "expected"),
    [
        (Release(strategy=DeploymentStrategy.ROLLING), {"strategy": "ROLLING"}),
        (
            Release(strategy=DeploymentStrategy.BLUE_GREEN, bake_minutes=15),
            {"strategy": "BLUE_GREEN", "bake_time_in_minutes": "15"},
        ),
        (
            Release(strategy=DeploymentStrategy.CANARY, canary_percent=5, canary_interval_minutes=10),
            {
                "strategy": "CANARY",
                "bake_time_in_minutes": "10",
                "canary_configuration": {"canary_percent": 5, "canary_bake_time_in_minutes": "10"},
            },
        ),
        (
            Release(strategy=DeploymentStrategy.LINEAR, linear_step_percent=20, linear_interval_minutes=3),
            {
                "strategy": "LINEAR",
                "bake_time_in_minutes": "10",
                "linear_configuration": {"step_percent": 20, "step_bake_time_in_minutes": "3"},
            },
        ),
    ],
    ids=["rolling", "blue_green", "canary", "linear"],
)
def test_deployment_configuration(release: Release, expected: dict[str, Any]) -> None:
    assert deployment_configuration(release) == expected


def test_stack_strategy_applies_to_every_service_and_a_service_overrides_it() -> None:
    services = [WEB, {**WEB, "name": "api", "deploymentStrategy": {"type": "linear", "bakeMinutes": 3}}]
    settings = parse_settings(
        {"deploymentStrategy": {"type": "canary", "canaryPercent": 20}, "services": services}, "dev"
    )
    web, api = settings.services
    assert (web.release.strategy, web.release.canary_percent, web.release.bake_minutes) == (
        DeploymentStrategy.CANARY,
        20,
        5,
    )
    assert (api.release.strategy, api.release.canary_percent, api.release.bake_minutes) == (
        DeploymentStrategy.LINEAR,
        20,
        3,
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"deploymentStrategy": "big-bang"},
            "deploymentStrategy.type: got 'big-bang'; expected one of rolling, blue-green, canary, linear",
        ),
        (
            {"deploymentStrategy": {"type": "canary", "canaryPercent": 0}},
            "deploymentStrategy.canaryPercent: got 0; expected a number from 0.1 to 99.9",
        ),
        (
            {"deploymentStrategy": {"type": "linear", "stepPercent": 10}},
            "deploymentStrategy.stepPercent: got 10; expected one of the keys type, canaryPercent, "
            "canaryIntervalMinutes, linearStepPercent, linearIntervalMinutes, bakeMinutes",
        ),
        (
            {"deploymentStrategy": {"type": "linear", "linearStepPercent": 10, "linearIntervalMinutes": 10}},
            'deploymentStrategy: got {"type": "linear", "linearStepPercent": 10, "linearIntervalMinutes": 10}; '
            "expected traffic shifting plus bake within 55 minutes (this one takes 95; the pipeline's ECS deploy "
            "action fails after 60)",
        ),
        ({"latencyThresholdMs": 5}, "latencyThresholdMs: got 5; expected a whole number from 10 to 60000"),
        ({"wafRateLimit": 1}, "wafRateLimit: got 1; expected a whole number from 10 to 2000000000"),
    ],
    ids=[
        "noncompliant_name",
        "noncompliant_canary_percent",
        "noncompliant_key",
        "noncompliant_too_long",
        "noncompliant_latency",
        "noncompliant_rate_limit",
    ],
)
def test_bad_release_settings_are_reported(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(SettingsError) as error:
        parse_settings(raw, "dev")
    assert message in error.value.problems


def test_waf_and_access_logs_default_on_in_prod_only() -> None:
    prod, dev = parse_settings({}, "prod"), parse_settings({}, "dev")
    assert (prod.web_acl, prod.artifact_access_logs, prod.waf_rate_limit) == (True, True, 2000)
    assert (dev.web_acl, dev.artifact_access_logs) == (False, False)
    assert parse_settings({"webAcl": True}, "dev").web_acl is True


@given(
    step=st.floats(min_value=3, max_value=50),
    interval=st.integers(min_value=0, max_value=MAX_RELEASE_MINUTES),
    bake=st.integers(min_value=0, max_value=MAX_RELEASE_MINUTES),
)
def test_linear_release_minutes_count_every_step_after_the_first(step: float, interval: int, bake: int) -> None:
    release = Release(
        strategy=DeploymentStrategy.LINEAR,
        linear_step_percent=step,
        linear_interval_minutes=interval,
        bake_minutes=bake,
    )
    steps = -(-100 // step)  # ceil
    assert release_minutes(release) == (int(steps) - 1) * interval + bake


def test_eks_rolls_and_refuses_ecs_strategies() -> None:
    assert parse_settings({"target": "eks"}, "prod").services[0].release == Release(strategy=DeploymentStrategy.ROLLING)
    with pytest.raises(SettingsError) as error:
        parse_settings({"target": "eks", "deploymentStrategy": "canary"}, "prod")
    assert error.value.problems == [
        "services[0].deploymentStrategy: got 'canary'; expected rolling on target eks (blue-green, canary and "
        "linear are ECS-native strategies)"
    ]
