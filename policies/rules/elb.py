"""Load balancers: HTTP redirected to HTTPS where HTTPS exists, TLS 1.2+ policies, access logs,
invalid headers dropped."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .contract import TLS_POLICY
from .props import known, matches_any
from .registry import Config, Resource, StackResource, resource_rule, stack_rule

LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
# TLS 1.2 or later only. The spec's two families, plus the TLS 1.3-only and forward-secrecy
# TLS 1.2 families, which are as strict or stricter.
TLS12_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-*",
    "ELBSecurityPolicy-TLS-1-2-*",
    "ELBSecurityPolicy-TLS13-1-3-*",
    "ELBSecurityPolicy-FS-1-2-*",
]
RECOMMENDED_POLICY = TLS_POLICY


def _redirects_to_https(actions: Sequence[Mapping[str, Any]]) -> bool:
    terminal = [a for a in actions if not str(a.get("type", "")).startswith("authenticate")]
    return bool(terminal) and all(
        a.get("type") == "redirect" and (a.get("redirect") or {}).get("protocol") == "HTTPS" for a in terminal
    )


def _listeners_by_load_balancer(resources: Sequence[StackResource]) -> dict[str, list[StackResource]]:
    """Listeners keyed by the URN of their load balancer: the dependency on it (known even in a
    preview of a new load balancer), else `loadBalancerArn` matched to a load balancer's `arn`."""
    balancers = [r for r in resources if r.type in LOAD_BALANCERS]
    urns = {r.urn for r in balancers}
    by_arn = {str(known(r.props, "arn")): r.urn for r in balancers if known(r.props, "arn")}
    groups: dict[str, list[StackResource]] = {}
    for listener in (r for r in resources if r.type in LISTENERS):
        arn = known(listener.props, "loadBalancerArn")
        key = next((d for d in listener.dependencies if d in urns), None) or (by_arn.get(arn, arn) if arn else None)
        if key:
            groups.setdefault(str(key), []).append(listener)
    return groups


@stack_rule(
    name="elb-http-redirects-to-https",
    description="On a load balancer with an HTTPS listener, every HTTP listener redirects to HTTPS (mandatory: "
    "TLS; a forwarding HTTP listener serves the same application unencrypted).",
    severity="high",
    remediation="Give the HTTP listener default_actions=[{'type': 'redirect', 'redirect': {'protocol': 'HTTPS', "
    "'port': '443', 'status_code': 'HTTP_301'}}] (EcsService does this when given a certificate).",
)
def http_redirects_to_https(resources: Sequence[StackResource], config: Config) -> Iterator[tuple[str, str | None]]:
    names = {r.urn: str(known(r.props, "name") or r.name) for r in resources if r.type in LOAD_BALANCERS}
    for key, listeners in _listeners_by_load_balancer(resources).items():
        if not any(r.props.get("protocol") == "HTTPS" for r in listeners):
            continue
        for listener in listeners:
            if listener.props.get("protocol") == "HTTP" and not _redirects_to_https(
                listener.props.get("defaultActions") or []
            ):
                yield (
                    f"HTTP listener {listener.name} on load balancer {names.get(key, key)} does not redirect to HTTPS, "
                    "though the load balancer has an HTTPS listener: set its default action to a redirect with "
                    "protocol HTTPS",
                    listener.urn,
                )


@resource_rule(
    name="elb-tls-policy",
    types=list(LISTENERS),
    description="HTTPS and TLS listeners use a security policy that accepts only TLS 1.2 or later (mandatory: TLS).",
    severity="high",
    remediation=f"Set ssl_policy={RECOMMENDED_POLICY!r} (or another policy of allowedSslPolicies).",
    config={
        "allowedSslPolicies": {
            "type": "array",
            "items": {"type": "string"},
            "default": TLS12_POLICIES,
            "description": "Shell-style patterns of the ELB security policies allowed on HTTPS and TLS listeners.",
        }
    },
)
def tls_policy(resource: Resource, config: Config) -> Iterator[str]:
    protocol = resource.props.get("protocol")
    if protocol not in ("HTTPS", "TLS"):
        return
    policy = resource.props.get("sslPolicy")
    if not policy:
        yield f"{protocol} listener has no sslPolicy: set it to {RECOMMENDED_POLICY} (TLS 1.2 or later)"
    elif not matches_any(str(policy), config["allowedSslPolicies"]):
        yield f"sslPolicy {policy} is not one of allowedSslPolicies (TLS 1.2 or later): set it to {RECOMMENDED_POLICY}"


@resource_rule(
    name="elb-access-logs",
    types=list(LOAD_BALANCERS),
    description="Application and network load balancers write access logs to S3 (advisory: traffic analysis and "
    "incident response, at a storage cost the team weighs).",
    severity="low",
    remediation="Set access_logs={'bucket': <bucket>, 'prefix': <prefix>, 'enabled': True} with a bucket whose "
    "policy lets ELB log delivery write (EcsService creates one).",
    level="advisory",
)
def access_logs(resource: Resource, config: Config) -> Iterator[str]:
    if resource.props.get("loadBalancerType", "application") == "gateway":
        return
    if (resource.props.get("accessLogs") or {}).get("enabled") is not True:
        yield "accessLogs.enabled is not true: enable access logs to an S3 bucket"


@resource_rule(
    name="elb-drop-invalid-headers",
    types=list(LOAD_BALANCERS),
    description="Application load balancers drop requests' invalid header fields (mandatory: invalid headers are "
    "the material of HTTP desync and request smuggling).",
    severity="medium",
    remediation="Set drop_invalid_header_fields=True.",
)
def drop_invalid_headers(resource: Resource, config: Config) -> Iterator[str]:
    if resource.props.get("loadBalancerType", "application") != "application":
        return
    if resource.props.get("dropInvalidHeaderFields") is not True:
        yield "dropInvalidHeaderFields is not true: set drop_invalid_header_fields=True"
