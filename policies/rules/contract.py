"""The strings the component library writes and the policy pack reads: defined once, here.

A component marks a resource (a tag, a policy name) and a rule recognises the mark; if the two
spelled it separately they would drift apart silently. The pack must stay self-contained (it is
published and run on its own), so the contract lives in the pack and the components import it.
This module imports nothing, so `components` can load it without loading the pack.
"""

PURPOSE_TAG = "cicd:purpose"
"""Tag that says why a resource departs from a baseline rule; its values follow."""
BUILD_CACHE_PURPOSE = "build-cache"
"""A layer-cache ECR repository: mutable tags are allowed (cache manifests are overwritten)."""
PULL_THROUGH_CACHE_PURPOSE = "pull-through-cache"
"""Repositories an ECR pull-through cache creates (tagged by their creation template): mutable
tags are allowed, because ECR re-syncs cached tags from the upstream registry."""
ALB_ACCESS_LOGS_PURPOSE = "alb-access-logs"
"""The ALB access-log bucket: SSE-S3 is allowed (ALB log delivery supports nothing else)."""
S3_ACCESS_LOGS_PURPOSE = "s3-access-logs"
"""An S3 server access log bucket: SSE-S3 is allowed (a target bucket with SSE-KMS default encryption gets no logs)."""

ENVIRONMENT_TAG = "cicd:environment"
"""Tag naming the environment a pipeline deploys to; production pipelines need an approval."""

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
"""The ELB security policy the components set on HTTPS listeners: TLS 1.3 and 1.2 only."""

SERVICE_ACCOUNT_TOKEN_ANNOTATION = "container-delivery/service-account-token"
"""Annotation (on a workload or its pod template) by which a workload declares that its pods call the
Kubernetes API and so need the service-account token mounted; its one value follows."""
SERVICE_ACCOUNT_TOKEN_NEEDED = "needed"
