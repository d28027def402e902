"""EKS and load-balancer rules: one table per policy, one changed field per case. EKS rules run on
both the AWS cluster resource and the pulumi-eks component's inputs, with the same verdict."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policy_harness import DELETE, changed, messages, resource_messages, state, urn

KEY = "arn:aws:kms:us-east-1:123456789012:key/9f58f95d-8940-1a77-6c0e-74cc25e9803e"
LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
AWS_CLUSTER = "aws:eks/cluster:Cluster"
COMPONENT = "eks:index:Cluster"
AWS_PROPS: dict[str, Any] = {
    "roleArn": "arn:aws:iam::123456789012:role/eks",
    "vpcConfig": {"subnetIds": ["subnet-1", "subnet-2"], "endpointPrivateAccess": True, "endpointPublicAccess": False},
    "enabledClusterLogTypes": LOG_TYPES,
    "encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": KEY}},
}
# pulumi-eks names, as preflight records the component (checked against pulumi_eks/cluster.py).
COMPONENT_PROPS: dict[str, Any] = {
    "vpcId": "vpc-1",
    "privateSubnetIds": ["subnet-1", "subnet-2"],
    "endpointPrivateAccess": True,
    "endpointPublicAccess": False,
    "enabledClusterLogTypes": LOG_TYPES,
    "encryptionConfigKeyArn": KEY,
}
BOTH = [pytest.param(AWS_CLUSTER, "vpcConfig.", id="aws"), pytest.param(COMPONENT, "", id="pulumi_eks")]


def cluster(type_: str, prefix: str, field: str, value: Any) -> dict[str, Any]:
    """The happy-path cluster of `type_` with `field` (under `prefix`) changed."""
    base = AWS_PROPS if type_ == AWS_CLUSTER else COMPONENT_PROPS
    return changed(base, f"{prefix}{field}", value)


@pytest.mark.parametrize(("type_", "prefix"), BOTH)
@pytest.mark.parametrize("policy", ["eks-endpoint-not-public", "eks-control-plane-logging", "eks-secrets-encryption"])
def test_happy_path_cluster_passes(type_, prefix, policy):
    props = AWS_PROPS if type_ == AWS_CLUSTER else COMPONENT_PROPS
    assert resource_messages(policy, type_, props) == []


NOT_PUBLIC_FIX = (
    "set endpointPublicAccess false with endpointPrivateAccess true, or list only your networks in publicAccessCidrs"
)


@pytest.mark.parametrize(("type_", "prefix"), BOTH)
@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        pytest.param("publicAccessCidrs", ["0.0.0.0/0"], [], id="compliant_private_endpoint_ignores_cidrs"),
        pytest.param(
            "endpointPublicAccess",
            DELETE,
            [
                "{p}endpointPublicAccess is not set (default true) and {p}publicAccessCidrs is not set (EKS then "
                "allows 0.0.0.0/0): " + NOT_PUBLIC_FIX
            ],
            id="noncompliant_default_public",
        ),
        pytest.param(
            "endpointPublicAccess",
            True,
            [
                "{p}endpointPublicAccess is true and {p}publicAccessCidrs is not set (EKS then allows 0.0.0.0/0): "
                + NOT_PUBLIC_FIX
            ],
            id="noncompliant_public_without_cidrs",
        ),
    ],
)
def test_eks_endpoint_not_public(type_, prefix, field, value, expected):
    props = cluster(type_, prefix, field, value)
    assert resource_messages("eks-endpoint-not-public", type_, props) == [m.format(p=prefix) for m in expected]


TOO_OPEN = (
    "{{p}}endpointPublicAccess is true and {{p}}publicAccessCidrs together admit {count} IPv4 addresses, more than "
    "16,777,216 (maxPublicAddresses): " + NOT_PUBLIC_FIX
)


@pytest.mark.parametrize(("type_", "prefix"), BOTH)
@pytest.mark.parametrize(
    ("cidrs", "expected"),
    [
        pytest.param(["203.0.113.0/24"], [], id="compliant_public_to_listed_network"),
        pytest.param(["10.0.0.0/8"], [], id="compliant_union_exactly_the_limit"),
        pytest.param(["10.0.0.0/9", "10.0.0.0/8", "10.128.0.0/9"], [], id="compliant_overlaps_counted_once"),
        pytest.param(
            ["203.0.113.0/24", "0.0.0.0/0"],
            [TOO_OPEN.format(count="4,294,967,296")],
            id="noncompliant_public_to_anywhere",
        ),
        pytest.param(
            ["0.0.0.0/1", "128.0.0.0/1"], [TOO_OPEN.format(count="4,294,967,296")], id="noncompliant_internet_in_halves"
        ),
        pytest.param(
            ["10.0.0.0/8", "11.0.0.0/8"], [TOO_OPEN.format(count="33,554,432")], id="noncompliant_two_slash_eights"
        ),
        pytest.param(
            ["203.0.113.0/24", "2001:db8::/32"],
            [
                "{p}publicAccessCidrs lists IPv6 2001:db8::/32 on an IPv4 cluster: list IPv4 CIDRs only (EKS accepts "
                "IPv6 public-access CIDRs on IPv6 clusters only)"
            ],
            id="noncompliant_ipv6_on_ipv4_cluster",
        ),
        pytest.param(
            ["203.0.113.0/24", "not-a-cidr"],
            ["{p}publicAccessCidrs entry 'not-a-cidr' is not a CIDR: list networks such as 203.0.113.0/24"],
            id="noncompliant_not_a_cidr",
        ),
    ],
)
def test_eks_public_endpoint_limited_by_cidrs(type_, prefix, cidrs, expected):
    # Given a public endpoint (one change from the happy path) with these CIDRs
    props = cluster(type_, prefix, "endpointPublicAccess", True)
    props = changed(props, f"{prefix}publicAccessCidrs", cidrs)
    assert resource_messages("eks-endpoint-not-public", type_, props) == [m.format(p=prefix) for m in expected]


IPV6_FAMILY = [
    pytest.param(AWS_CLUSTER, "vpcConfig.", "kubernetesNetworkConfig.ipFamily", id="aws"),
    pytest.param(COMPONENT, "", "ipFamily", id="pulumi_eks"),
]


@pytest.mark.parametrize(("type_", "prefix", "family_field"), IPV6_FAMILY)
@pytest.mark.parametrize(
    ("cidrs", "expected"),
    [
        pytest.param(["203.0.113.0/24", "2001:db8::/32"], [], id="compliant_ipv6_on_ipv6_cluster"),
        pytest.param(
            ["2000::/3"],
            [
                "{p}endpointPublicAccess is true and {p}publicAccessCidrs together admit about 2^125 IPv6 addresses, "
                "more than about 2^120 (maxPublicAddresses): " + NOT_PUBLIC_FIX
            ],
            id="noncompliant_all_global_ipv6",
        ),
    ],
)
def test_eks_public_endpoint_on_an_ipv6_cluster(type_, prefix, family_field, cidrs, expected):
    props = changed(cluster(type_, prefix, "endpointPublicAccess", True), family_field, "ipv6")
    props = changed(props, f"{prefix}publicAccessCidrs", cidrs)
    assert resource_messages("eks-endpoint-not-public", type_, props) == [m.format(p=prefix) for m in expected]


def test_eks_public_endpoint_limit_is_pack_config():
    props = changed(cluster(COMPONENT, "", "endpointPublicAccess", True), "publicAccessCidrs", ["198.51.100.0/24"])
    assert resource_messages("eks-endpoint-not-public", COMPONENT, props, maxPublicAddresses=256) == []
    assert resource_messages("eks-endpoint-not-public", COMPONENT, props, maxPublicAddresses=255) == [
        "endpointPublicAccess is true and publicAccessCidrs together admit 256 IPv4 addresses, more than 255 "
        "(maxPublicAddresses): " + NOT_PUBLIC_FIX
    ]


@pytest.mark.parametrize(("type_", "prefix"), BOTH)
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(["scheduler", *LOG_TYPES[:-1]], [], id="compliant_any_order"),
        pytest.param(
            ["api", "authenticator"],
            [
                "enabledClusterLogTypes lacks audit, controllerManager, scheduler: enable all of api, audit, "
                "authenticator, controllerManager, scheduler"
            ],
            id="noncompliant_no_audit",
        ),
        pytest.param(
            DELETE,
            [
                "enabledClusterLogTypes lacks api, audit, authenticator, controllerManager, scheduler: enable all of "
                "api, audit, authenticator, controllerManager, scheduler"
            ],
            id="noncompliant_off",
        ),
    ],
)
def test_eks_control_plane_logging(type_, prefix, value, expected):
    props = cluster(type_, "", "enabledClusterLogTypes", value)
    assert resource_messages("eks-control-plane-logging", type_, props) == expected


@pytest.mark.parametrize(
    ("type_", "field", "value", "expected"),
    [
        pytest.param(
            COMPONENT,
            "encryptionConfigKeyArn",
            DELETE,
            ["encryptionConfigKeyArn is not set: set it to the stack's KMS key so secrets are envelope-encrypted"],
            id="noncompliant_pulumi_eks_no_key",
        ),
        pytest.param(
            AWS_CLUSTER,
            "encryptionConfig",
            DELETE,
            ["encryptionConfig.resources does not include secrets: encrypt resources ['secrets'] with a KMS key"],
            id="noncompliant_aws_no_encryption_config",
        ),
        pytest.param(
            AWS_CLUSTER,
            "encryptionConfig.resources",
            [],
            ["encryptionConfig.resources does not include secrets: encrypt resources ['secrets'] with a KMS key"],
            id="noncompliant_aws_no_secrets",
        ),
        pytest.param(
            AWS_CLUSTER,
            "encryptionConfig.provider.keyArn",
            "",
            ["encryptionConfig.provider.keyArn is not set: set it to the stack's KMS key"],
            id="noncompliant_aws_no_key",
        ),
    ],
)
def test_eks_secrets_encryption(type_, field, value, expected):
    props = cluster(type_, "", field, value)
    assert resource_messages("eks-secrets-encryption", type_, props) == expected


LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
LB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web-alb-347fb74/347fb7493259fcae"
LB_PROPS: dict[str, Any] = {
    "loadBalancerType": "application",
    "internal": False,
    "dropInvalidHeaderFields": True,
    "accessLogs": {"enabled": True, "bucket": "web-access-logs-1", "prefix": "web"},
    "name": "web-alb-347fb74",
    "arn": LB_ARN,
}
TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/0d084063e8fdf785"
HTTPS_PROPS: dict[str, Any] = {
    "loadBalancerArn": LB_ARN,
    "port": 443,
    "protocol": "HTTPS",
    "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
    "defaultActions": [{"type": "forward", "targetGroupArn": TG}],
}
REDIRECT_PROPS: dict[str, Any] = {
    "loadBalancerArn": LB_ARN,
    "port": 80,
    "protocol": "HTTP",
    "defaultActions": [
        {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
    ],
}
LB_URN = urn(LB, "web-alb")


def alb(listener: str | None = None, path: str = "", value: Any = None) -> list[dict[str, Any]]:
    """The HTTPS-with-redirect load balancer, `listener` ("https" or "http") changed, or dropped if no path."""
    states = [state(LB, "web-alb", LB_PROPS)]
    for name, props in (("https", HTTPS_PROPS), ("http", REDIRECT_PROPS)):
        if name == listener:
            if not path:
                continue
            props = changed(props, path, value)
        states.append(state(LISTENER, f"web-{name}", props, dependencies=[LB_URN]))
    return states


NO_REDIRECT = (
    "HTTP listener web-http on load balancer web-alb-347fb74 does not redirect to HTTPS, though the load balancer has "
    "an HTTPS listener: set its default action to a redirect with protocol HTTPS"
)
FORWARD = [{"type": "forward", "targetGroupArn": TG}]


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        pytest.param(alb(), [], id="compliant_redirect"),
        pytest.param(alb("https"), [], id="compliant_http_only_load_balancer"),
        pytest.param(alb("http"), [], id="compliant_https_only"),
        pytest.param(alb("http", "defaultActions.0.order", 2), [], id="compliant_redirect_with_order"),
        pytest.param(alb("http", "defaultActions", FORWARD), [NO_REDIRECT], id="noncompliant_http_forwards"),
        pytest.param(
            alb("http", "defaultActions.0.redirect.protocol", "#{protocol}"),
            [NO_REDIRECT],
            id="noncompliant_redirect_keeps_http",
        ),
        pytest.param(
            alb("http", "defaultActions.0", {"type": "fixed-response", "fixedResponse": {"contentType": "text/plain"}}),
            [NO_REDIRECT],
            id="noncompliant_fixed_response",
        ),
    ],
)
def test_elb_http_redirects_to_https(states, expected):
    assert messages("elb-http-redirects-to-https", states) == expected


def test_elb_listeners_grouped_by_dependency_in_a_preview():
    # Given a preview of a new load balancer: its ARN, and so the listeners' loadBalancerArn, are unknown
    states = [
        {**s, "outputs": {**s["outputs"], "arn" if s["type"] == LB else "loadBalancerArn": UNKNOWN_STRING_VALUE}}
        for s in alb("http", "defaultActions", FORWARD)
    ]
    # Then the listeners are still grouped by their dependency on the load balancer
    assert messages("elb-http-redirects-to-https", states) == [NO_REDIRECT]


def test_elb_listeners_without_dependency_are_grouped_by_arn():
    # Given listeners that name the load balancer only by ARN (no recorded dependency)
    states = [{**s, "dependencies": []} for s in alb("http", "defaultActions", FORWARD)]
    # Then the forwarding HTTP listener is still found beside the HTTPS one
    assert messages("elb-http-redirects-to-https", states) == [NO_REDIRECT]


def test_elb_listeners_of_different_load_balancers_are_separate():
    # Given the forwarding HTTP listener on another load balancer than the HTTPS one
    other = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/other/1"
    states = alb("http", "defaultActions", FORWARD)
    states[2] = state(LISTENER, "web-http", {**REDIRECT_PROPS, "loadBalancerArn": other, "defaultActions": FORWARD})
    # Then nothing is reported: that load balancer has no HTTPS listener
    assert messages("elb-http-redirects-to-https", states) == []


TLS_FIX = "set it to ELBSecurityPolicy-TLS13-1-2-2021-06"


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param("sslPolicy", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06", [], id="compliant_tls13_family"),
        pytest.param("sslPolicy", "ELBSecurityPolicy-TLS-1-2-Ext-2018-06", [], id="compliant_tls12_family"),
        pytest.param("sslPolicy", "ELBSecurityPolicy-TLS13-1-3-2021-06", [], id="compliant_tls13_only"),
        pytest.param("sslPolicy", "ELBSecurityPolicy-FS-1-2-Res-2020-10", [], id="compliant_fs_tls12"),
        pytest.param("protocol", "HTTP", [], id="compliant_http_listener_has_no_policy"),
        pytest.param(
            "sslPolicy",
            "ELBSecurityPolicy-2016-08",
            [f"sslPolicy ELBSecurityPolicy-2016-08 is not one of allowedSslPolicies (TLS 1.2 or later): {TLS_FIX}"],
            id="noncompliant_2016_08_allows_tls10",
        ),
        pytest.param(
            "sslPolicy",
            "ELBSecurityPolicy-TLS13-1-1-2021-06",
            [
                "sslPolicy ELBSecurityPolicy-TLS13-1-1-2021-06 is not one of allowedSslPolicies (TLS 1.2 or later): "
                + TLS_FIX
            ],
            id="noncompliant_tls13_family_allowing_tls11",
        ),
        pytest.param(
            "sslPolicy",
            DELETE,
            ["HTTPS listener has no sslPolicy: set it to ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.2 or later)"],
            id="noncompliant_unset",
        ),
    ],
)
def test_elb_tls_policy(path, value, expected):
    props = changed(HTTPS_PROPS, path, value)
    assert resource_messages("elb-tls-policy", LISTENER, props) == expected


def test_elb_tls_policy_covers_nlb_tls_listeners_and_is_configurable():
    # Given an NLB TLS listener with a FIPS policy the team allows explicitly
    props = changed(changed(HTTPS_PROPS, "protocol", "TLS"), "sslPolicy", "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04")
    # Then it passes by default, and is reported when the team allows only one exact policy
    assert resource_messages("elb-tls-policy", "aws:alb/listener:Listener", props) == []
    assert resource_messages(
        "elb-tls-policy", LISTENER, props, allowedSslPolicies=["ELBSecurityPolicy-TLS13-1-2-2021-06"]
    ) == [
        "sslPolicy ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04 is not one of allowedSslPolicies (TLS 1.2 or later): "
        + TLS_FIX
    ]


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param("loadBalancerType", "network", [], id="compliant_network_logs_on"),
        pytest.param("loadBalancerType", "gateway", [], id="compliant_gateway_has_no_access_logs"),
        pytest.param(
            "accessLogs.enabled",
            False,
            ["accessLogs.enabled is not true: enable access logs to an S3 bucket"],
            id="noncompliant_disabled",
        ),
        pytest.param(
            "accessLogs",
            DELETE,
            ["accessLogs.enabled is not true: enable access logs to an S3 bucket"],
            id="noncompliant_unset",
        ),
    ],
)
def test_elb_access_logs(path, value, expected):
    assert resource_messages("elb-access-logs", LB, changed(LB_PROPS, path, value)) == expected


DROP = "dropInvalidHeaderFields is not true: set drop_invalid_header_fields=True"


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param("loadBalancerType", "network", [], id="compliant_network_has_no_http_headers"),
        pytest.param("dropInvalidHeaderFields", False, [DROP], id="noncompliant_false"),
        pytest.param("dropInvalidHeaderFields", DELETE, [DROP], id="noncompliant_unset"),
    ],
)
def test_elb_drop_invalid_headers(path, value, expected):
    assert resource_messages(
        "elb-drop-invalid-headers", "aws:alb/loadBalancer:LoadBalancer", changed(LB_PROPS, path, value)
    ) == (expected)


def test_elb_drop_invalid_headers_default_type_is_application():
    # Given a load balancer that does not name its type (application is the default)
    props = changed(changed(LB_PROPS, "loadBalancerType", DELETE), "dropInvalidHeaderFields", DELETE)
    assert resource_messages("elb-drop-invalid-headers", LB, props) == [DROP]
