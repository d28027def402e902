"""The image build's buildspec, generated from Python data.

The commands read their parameters from environment variables that the CodeBuild
project sets (see `BUILD_VARIABLES`), so the buildspec text is the same for every
service and each command stays one shell line that `bash -n` can check.
"""

from __future__ import annotations

import functools
from typing import Any

import yaml

# Set on the CodeBuild project by `ImageBuild`; listed here so tests can check both agree.
BUILD_VARIABLES = (
    "REPOSITORY_URI",
    "REPOSITORY_NAME",
    "CACHE_REPOSITORY_URI",
    "BASE_REGISTRY",
    "CONTAINER_NAME",
    "DOCKERFILE",
    "BUILD_CONTEXT",
    "TEST_TARGET",
    "SCAN_THRESHOLD",
    "SCAN_BLOCKING_SEVERITIES",
)
# Passed per run by the pipeline's build action (`#{SourceVariables.CommitId}`).
PIPELINE_VARIABLES = ("COMMIT_ID",)
EXPORTED_VARIABLES = ("IMAGE_TAG", "IMAGE_DIGEST", "IMAGE_URI")

LOGIN = (
    'aws ecr get-login-password --region "$AWS_REGION"'
    ' | docker login --username AWS --password-stdin "${REPOSITORY_URI%%/*}"'
)
# The build host's own Docker engine builds (buildx's `docker` driver): no BuildKit image to pull,
# from Docker Hub or anywhere. That driver cannot export a registry cache, so each stage is
# pushed to the mutable cache repository with its cache inline (`BUILDKIT_INLINE_CACHE`), and the
# next build imports both: the test stage's layers as well as the runtime's, as `mode=max` did.
_TEST_CACHE = '"$CACHE_REPOSITORY_URI:test"'
_RUNTIME_CACHE = '"$CACHE_REPOSITORY_URI:buildcache"'
_BUILD = (
    'docker buildx build --builder default --progress plain --file "$DOCKERFILE"'
    # Base images come through the stack's pull-through cache (see app/Dockerfile).
    ' --build-arg BASE_REGISTRY="$BASE_REGISTRY" --build-arg BUILDKIT_INLINE_CACHE=1'
    f" --cache-from {_TEST_CACHE} --cache-from {_RUNTIME_CACHE}"
)
_NOT_BUILT = 'if [ -z "$EXISTING_DIGEST" ] || [ "$EXISTING_DIGEST" = "None" ]; then '
_FIND_DIGEST = (
    'aws ecr describe-images --repository-name "$REPOSITORY_NAME" --image-ids imageTag="$IMAGE_TAG"'
    ' --query "imageDetails[0].imageDigest" --output text 2>/dev/null || true'
)
_SCAN_ID = '--repository-name "$REPOSITORY_NAME" --image-id imageDigest="$IMAGE_DIGEST"'


def buildspec_document() -> dict[str, Any]:
    """The buildspec as data: login, test, build and push with layer cache, scan gate,
    then `imagedefinitions.json` naming the image by digest."""
    return {
        "version": 0.2,
        "env": {
            "shell": "bash",
            "variables": {"DOCKER_BUILDKIT": "1"},
            "exported-variables": list(EXPORTED_VARIABLES),
        },
        "phases": {
            "pre_build": {
                "on-failure": "ABORT",
                "commands": [
                    # Tags are commit SHAs: immutable, and traceable back to the source.
                    'IMAGE_TAG="${COMMIT_ID:-$CODEBUILD_RESOLVED_SOURCE_VERSION}"',
                    'test -n "$IMAGE_TAG" || { echo "No commit id: start builds from the pipeline." >&2; exit 1; }',
                    LOGIN,
                    # A retried run of the same commit reuses the image: its tag cannot be pushed twice.
                    f"EXISTING_DIGEST=$({_FIND_DIGEST})",
                ],
            },
            "build": {
                "on-failure": "ABORT",
                "commands": [
                    f'{_NOT_BUILT}{_BUILD} --target "$TEST_TARGET" --tag {_TEST_CACHE} "$BUILD_CONTEXT"'
                    f" && docker push {_TEST_CACHE}; fi",
                    f"{_NOT_BUILT}{_BUILD} --provenance=false "
                    # The image can report which commit it was built from (the sample's /version).
                    '--build-arg COMMIT_SHA="$IMAGE_TAG" '
                    f'--tag "$REPOSITORY_URI:$IMAGE_TAG" --tag {_RUNTIME_CACHE} "$BUILD_CONTEXT"'
                    f' && docker push "$REPOSITORY_URI:$IMAGE_TAG" && docker push {_RUNTIME_CACHE}; fi',
                ],
            },
            "post_build": {
                "on-failure": "ABORT",
                "commands": [
                    f"IMAGE_DIGEST=$({_FIND_DIGEST})",
                    'case "$IMAGE_DIGEST" in sha256:*) ;; *) echo "No image for tag $IMAGE_TAG." >&2; exit 1;; esac',
                    'IMAGE_URI="$REPOSITORY_URI@$IMAGE_DIGEST"',
                    f"aws ecr wait image-scan-complete {_SCAN_ID}",
                    f"aws ecr describe-image-scan-findings {_SCAN_ID}"
                    " --query imageScanFindings.findingSeverityCounts --output json > scan-findings.json",
                    'BLOCKING=$(jq --arg s "$SCAN_BLOCKING_SEVERITIES"'
                    " '[($s | split(\",\"))[] as $k | (.[$k] // 0)] | add // 0' scan-findings.json)",
                    'if [ "$BLOCKING" -gt 0 ]; then echo "Scan gate: $BLOCKING findings at or above'
                    ' $SCAN_THRESHOLD in $IMAGE_URI: $(cat scan-findings.json)" >&2; exit 1; fi',
                    'printf \'[{"name":"%s","imageUri":"%s"}]\' "$CONTAINER_NAME" "$IMAGE_URI" > imagedefinitions.json',
                ],
            },
        },
        "artifacts": {"files": ["imagedefinitions.json", "scan-findings.json"]},
    }


@functools.cache
def render_buildspec() -> str:
    return yaml.safe_dump(buildspec_document(), sort_keys=False, width=1000)
