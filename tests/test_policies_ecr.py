"""ECR rules: immutable tags, KMS, scanning (on push or enhanced), lifecycle policies."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policy_harness import DELETE, changed, messages, resource_messages, state

REPOSITORY = "aws:ecr/repository:Repository"
LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
SCANNING = "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration"

GOOD: dict[str, Any] = {
    "name": "web-repository-581384b",
    "imageTagMutability": "IMMUTABLE",
    "imageScanningConfiguration": {"scanOnPush": True},
    "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": "arn:aws:kms:us-east-1:1:key/k"}],
}
CACHE: dict[str, Any] = {**GOOD, "imageTagMutability": "MUTABLE", "tags": {"cicd:purpose": "build-cache"}}
IMMUTABLE_MESSAGE = (
    "imageTagMutability is {}: set it to IMMUTABLE (or tag a build-cache repository cicd:purpose=build-cache)"
)


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        pytest.param(GOOD, [], id="compliant_immutable"),
        pytest.param(CACHE, [], id="compliant_marked_cache"),
        pytest.param(
            changed(GOOD, "imageTagMutability", "MUTABLE"),
            [IMMUTABLE_MESSAGE.format("MUTABLE")],
            id="noncompliant_mutable",
        ),
        pytest.param(
            changed(GOOD, "imageTagMutability", DELETE),
            [IMMUTABLE_MESSAGE.format("MUTABLE")],
            id="noncompliant_default_mutable",
        ),
        pytest.param(
            changed(GOOD, "imageTagMutability", "IMMUTABLE_WITH_EXCLUSION"),
            [IMMUTABLE_MESSAGE.format("IMMUTABLE_WITH_EXCLUSION")],
            id="noncompliant_unmarked_exclusion",
        ),
        pytest.param(
            changed(CACHE, "tags", {"cicd:purpose": "cache"}),
            [IMMUTABLE_MESSAGE.format("MUTABLE")],
            id="noncompliant_wrongly_marked_cache",
        ),
    ],
)
def test_tags_immutable(props: dict[str, Any], expected: list[str]) -> None:
    assert resource_messages("ecr-tags-immutable", REPOSITORY, props) == expected


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        pytest.param(GOOD, [], id="compliant_kms"),
        pytest.param(
            changed(GOOD, "encryptionConfigurations", [{"encryptionType": "AES256"}]),
            ["encryptionConfigurations does not use KMS: set encryption_type='KMS' with the stack key"],
            id="noncompliant_aes256",
        ),
        pytest.param(
            changed(GOOD, "encryptionConfigurations", DELETE),
            ["encryptionConfigurations does not use KMS: set encryption_type='KMS' with the stack key"],
            id="noncompliant_default_encryption",
        ),
    ],
)
def test_kms_encryption(props: dict[str, Any], expected: list[str]) -> None:
    assert resource_messages("ecr-kms-encryption", REPOSITORY, props) == expected


NOT_SCANNED = (
    "repository web-repository-581384b does not scan on push and no enhanced scanning rule covers it: "
    "set imageScanningConfiguration.scanOnPush to true"
)


def enhanced(filter_: str, frequency: str = "SCAN_ON_PUSH", scan_type: str = "ENHANCED") -> dict[str, Any]:
    return state(
        SCANNING,
        "registry-scanning",
        {
            "scanType": scan_type,
            "rules": [
                {"scanFrequency": frequency, "repositoryFilters": [{"filter": filter_, "filterType": "WILDCARD"}]}
            ],
        },
    )


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        pytest.param([state(REPOSITORY, "r", GOOD)], [], id="compliant_scan_on_push"),
        pytest.param(
            [state(REPOSITORY, "r", changed(GOOD, "imageScanningConfiguration.scanOnPush", False)), enhanced("web-*")],
            [],
            id="compliant_enhanced_rule_matches",
        ),
        pytest.param(
            [
                state(REPOSITORY, "r", changed(GOOD, "imageScanningConfiguration.scanOnPush", False)),
                enhanced("web-*", "CONTINUOUS_SCAN"),
            ],
            [],
            id="compliant_continuous_scan",
        ),
        pytest.param(
            [state(REPOSITORY, "r", changed(GOOD, "imageScanningConfiguration.scanOnPush", False))],
            [NOT_SCANNED],
            id="noncompliant_scan_off",
        ),
        pytest.param(
            [state(REPOSITORY, "r", changed(GOOD, "imageScanningConfiguration", DELETE))],
            [NOT_SCANNED],
            id="noncompliant_no_scanning_configuration",
        ),
        pytest.param(
            [state(REPOSITORY, "r", changed(GOOD, "imageScanningConfiguration.scanOnPush", False)), enhanced("api-*")],
            [NOT_SCANNED],
            id="noncompliant_enhanced_rule_for_other_repositories",
        ),
        pytest.param(
            [
                state(REPOSITORY, "r", changed(GOOD, "imageScanningConfiguration.scanOnPush", False)),
                enhanced("*", scan_type="BASIC"),
            ],
            [NOT_SCANNED],
            id="noncompliant_basic_registry_rule",
        ),
        pytest.param(
            [
                state(REPOSITORY, "r", changed(GOOD, "imageScanningConfiguration.scanOnPush", False)),
                enhanced("*", "MANUAL"),
            ],
            [NOT_SCANNED],
            id="noncompliant_manual_frequency",
        ),
    ],
)
def test_image_scanning(states: list[dict[str, Any]], expected: list[str]) -> None:
    assert messages("ecr-image-scanning", states) == expected


@pytest.mark.parametrize(
    ("lifecycle_repository", "expected"),
    [
        pytest.param("web-repository-581384b", [], id="compliant_has_lifecycle"),
        pytest.param(
            "other",
            ["repository web-repository-581384b has no lifecycle policy: add an aws.ecr.LifecyclePolicy"],
            id="noncompliant_lifecycle_for_another_repository",
        ),
        pytest.param(
            None,
            ["repository web-repository-581384b has no lifecycle policy: add an aws.ecr.LifecyclePolicy"],
            id="noncompliant_no_lifecycle",
        ),
    ],
)
def test_lifecycle_policy(lifecycle_repository: str | None, expected: list[str]) -> None:
    states = [state(REPOSITORY, "r", GOOD)]
    if lifecycle_repository:
        states.append(state(LIFECYCLE, "l", {"repository": lifecycle_repository, "policy": "{}"}))
    assert messages("ecr-lifecycle-policy", states) == expected
