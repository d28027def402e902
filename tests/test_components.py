"""Components as the dev and prod stacks build them: child types, names, security inputs."""

from __future__ import annotations

import json

from preflight.engine import PlanResult
from tests.conftest import only, plan

PROJECT_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/"


def children(result: PlanResult, component_type: str, name: str) -> set[tuple[str, str]]:
    parent = only(result, component_type, name)
    return {(r.type, r.name) for r in result.resources if r.parent == parent.urn}


def test_artifact_store_children(dev_plan: PlanResult) -> None:
    assert children(dev_plan, "container-delivery:index:ArtifactStore", "artifacts") == {
        ("aws:kms/key:Key", "artifacts-key"),
        ("aws:kms/alias:Alias", "artifacts-key-alias"),
        ("aws:s3/bucket:Bucket", "artifacts-bucket"),
        ("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "artifacts-ownership"),
        ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "artifacts-public-access"),
        (
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "artifacts-encryption",
        ),
        ("aws:s3/bucketVersioning:BucketVersioning", "artifacts-versioning"),
        ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "artifacts-lifecycle"),
        ("aws:s3/bucketPolicy:BucketPolicy", "artifacts-policy"),
    }


def test_artifact_store_key_rotates_and_is_account_scoped(dev_plan: PlanResult) -> None:
    key = only(dev_plan, "aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 30
    policy = json.loads(key.inputs["policy"])
    principals = [s["Principal"] for s in policy["Statement"]]
    assert {"AWS": "arn:aws:iam::123456789012:root"} in principals
    assert all(p != "*" and p != {"AWS": "*"} for p in principals)
    assert all("kms:*" not in s["Action"] for s in policy["Statement"])
    logs = next(s for s in policy["Statement"] if s["Sid"] == "CloudWatchLogsUsesKey")
    assert logs["Condition"] == {
        "ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:123456789012:log-group:*"}
    }


def test_artifact_bucket_is_private_encrypted_versioned_tls_only(dev_plan: PlanResult) -> None:
    key = only(dev_plan, "aws:kms/key:Key")
    bucket = only(dev_plan, "aws:s3/bucket:Bucket", "artifacts-bucket")
    block = only(dev_plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "artifacts-public-access")
    assert all(
        block.inputs[k] is True
        for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    assert block.inputs["bucket"] == bucket.id
    sse = only(
        dev_plan,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "artifacts-encryption",
    )
    default = sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert default == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key.outputs["arn"]}
    versioning = only(dev_plan, "aws:s3/bucketVersioning:BucketVersioning", "artifacts-versioning")
    assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"
    ownership = only(dev_plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "artifacts-ownership")
    assert ownership.inputs["rule"]["objectOwnership"] == "BucketOwnerEnforced"
    policy = json.loads(only(dev_plan, "aws:s3/bucketPolicy:BucketPolicy", "artifacts-policy").inputs["policy"])
    tls = next(s for s in policy["Statement"] if s["Sid"] == "DenyInsecureTransport")
    assert tls["Effect"] == "Deny" and tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert tls["Resource"] == [bucket.outputs["arn"], bucket.outputs["arn"] + "/*"]


def test_artifact_lifecycle_expires_old_and_noncurrent(dev_plan: PlanResult) -> None:
    rule = only(
        dev_plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "artifacts-lifecycle"
    ).inputs["rules"][0]
    assert rule["status"] == "Enabled"
    assert rule["expiration"]["days"] == 30
    assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == 30
    assert rule["abortIncompleteMultipartUpload"]["daysAfterInitiation"] == 7


def test_registry_is_immutable_scanned_kms(dev_plan: PlanResult) -> None:
    key = only(dev_plan, "aws:kms/key:Key")
    repo = only(dev_plan, "aws:ecr/repository:Repository", "web-repository")
    assert repo.inputs["imageTagMutability"] == "IMMUTABLE"
    assert repo.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo.inputs["encryptionConfigurations"] == [{"encryptionType": "KMS", "kmsKey": key.outputs["arn"]}]
    assert children(dev_plan, "container-delivery:index:ContainerRegistry", "web") == {
        ("aws:ecr/repository:Repository", "web-repository"),
        ("aws:ecr/lifecyclePolicy:LifecyclePolicy", "web-lifecycle"),
        ("aws:ecr/repository:Repository", "web-cache"),
        ("aws:ecr/lifecyclePolicy:LifecyclePolicy", "web-cache-lifecycle"),
    }


def test_cache_repository_is_marked_and_scanned(dev_plan: PlanResult) -> None:
    cache = only(dev_plan, "aws:ecr/repository:Repository", "web-cache")
    assert cache.inputs["imageTagMutability"] == "MUTABLE"
    assert cache.inputs["tags"] == {"cicd:purpose": "build-cache"}
    assert cache.inputs["imageScanningConfiguration"] == {"scanOnPush": True}


def test_registry_lifecycle_targets_its_repository(dev_plan: PlanResult) -> None:
    repo = only(dev_plan, "aws:ecr/repository:Repository", "web-repository")
    lifecycle = only(dev_plan, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "web-lifecycle")
    assert lifecycle.inputs["repository"] == repo.outputs["name"]
    rules = json.loads(lifecycle.inputs["policy"])["rules"]
    assert rules[0]["selection"] == {
        "tagStatus": "untagged",
        "countType": "sinceImagePushed",
        "countUnit": "days",
        "countNumber": 7,
    }
    assert rules[1]["selection"] == {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30}


def test_data_protection_follows_settings(dev_plan: PlanResult, prod_plan: PlanResult) -> None:
    stateful = [
        ("aws:kms/key:Key", None),
        ("aws:s3/bucket:Bucket", "artifacts-bucket"),
        ("aws:ecr/repository:Repository", "web-repository"),
    ]
    for type_, name in stateful:
        assert only(prod_plan, type_, name).protect is True
        assert only(dev_plan, type_, name).protect is False
    assert only(prod_plan, "aws:ecr/repository:Repository", "web-repository").inputs["forceDelete"] is False
    assert only(prod_plan, "aws:s3/bucket:Bucket", "artifacts-bucket").inputs["forceDestroy"] is False
    assert only(dev_plan, "aws:ecr/repository:Repository", "web-repository").inputs["forceDelete"] is True


def test_image_build_project_inputs(dev_plan: PlanResult) -> None:
    project = only(dev_plan, "aws:codebuild/project:Project", "web-build")
    role = only(dev_plan, "aws:iam/role:Role", "web-build-role")
    logs = only(dev_plan, "aws:cloudwatch/logGroup:LogGroup", "web-build-logs")
    key = only(dev_plan, "aws:kms/key:Key")
    repo = only(dev_plan, "aws:ecr/repository:Repository", "web-repository")
    assert project.inputs["serviceRole"] == role.outputs["arn"]
    assert project.inputs["encryptionKey"] == key.outputs["arn"]
    env = project.inputs["environment"]
    assert env["privilegedMode"] is True and env["type"] == "LINUX_CONTAINER"
    variables = {v["name"]: v for v in env["environmentVariables"]}
    assert all(v["type"] == "PLAINTEXT" for v in variables.values())
    assert variables["REPOSITORY_URI"]["value"] == repo.outputs["repositoryUrl"]
    assert variables["SCAN_BLOCKING_SEVERITIES"]["value"] == "CRITICAL,HIGH"
    assert variables["CONTAINER_NAME"]["value"] == "web"
    assert project.inputs["logsConfig"]["cloudwatchLogs"] == {"status": "ENABLED", "groupName": logs.outputs["name"]}
    assert project.inputs["source"]["type"] == "CODEPIPELINE"
    assert logs.inputs["kmsKeyId"] == key.outputs["arn"]
    assert logs.inputs["retentionInDays"] == 30


def test_build_trust_is_codebuild_in_this_account(dev_plan: PlanResult) -> None:
    trust = json.loads(only(dev_plan, "aws:iam/role:Role", "web-build-role").inputs["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Service": "codebuild.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_build_role_statements_scoped_to_own_resources(dev_plan: PlanResult) -> None:
    policy = json.loads(only(dev_plan, "aws:iam/rolePolicy:RolePolicy", "web-build-policy").inputs["policy"])
    repo = only(dev_plan, "aws:ecr/repository:Repository", "web-repository").outputs["arn"]
    cache = only(dev_plan, "aws:ecr/repository:Repository", "web-cache").outputs["arn"]
    bucket = only(dev_plan, "aws:s3/bucket:Bucket", "artifacts-bucket").outputs["arn"]
    logs = only(dev_plan, "aws:cloudwatch/logGroup:LogGroup", "web-build-logs").outputs["arn"]
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["PushAndPullOwnImages"]["Resource"] == [repo, cache]
    assert by_sid["ReadWritePipelineArtifacts"]["Resource"] == f"{bucket}/*"
    assert by_sid["WriteBuildLogs"]["Resource"] == [logs, f"{logs}:log-stream:*"]
    assert by_sid["UseStackKey"]["Resource"].startswith(PROJECT_KEY_ARN)
    star = [s for s in policy["Statement"] if s["Resource"] == "*"]
    assert star == [by_sid["LogInToEcr"]] and by_sid["LogInToEcr"]["Action"] == ["ecr:GetAuthorizationToken"]


def test_severity_threshold_reaches_the_build() -> None:
    result = plan("dev", scanSeverityThreshold="MEDIUM")
    variables = only(result, "aws:codebuild/project:Project", "web-build").inputs["environment"]["environmentVariables"]
    assert {"name": "SCAN_BLOCKING_SEVERITIES", "value": "CRITICAL,HIGH,MEDIUM", "type": "PLAINTEXT"} in variables


def test_each_service_gets_its_own_registry_and_build() -> None:
    result = plan(
        "dev",
        services=[
            {"name": "web", "source": {"provider": "github", "repository": "o/web"}},
            {"name": "api", "source": {"provider": "codecommit", "repository": "api"}},
        ],
    )
    assert {r.name for r in result.of_type("aws:codebuild/project:Project")} == {
        "web-build",
        "web-record",
        "api-build",
        "api-record",
    }
    assert {r.name for r in result.of_type("aws:ecr/repository:Repository")} == {
        "web-repository",
        "web-cache",
        "api-repository",
        "api-cache",
    }
    assert len(result.of_type("aws:kms/key:Key")) == 1
