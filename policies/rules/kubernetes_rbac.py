"""Kubernetes RBAC least privilege: Roles and ClusterRoles name what they grant (no `*`, no
escalate/bind/impersonate), bindings do not hand out cluster-admin (or admin/edit cluster-wide),
and reading secrets in every namespace is flagged.

An aggregated ClusterRole (`aggregationRule`) gets its rules from the roles it selects, which
are judged themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .props import known
from .registry import Config, Resource, resource_rule

GROUP = "kubernetes:rbac.authorization.k8s.io/v1"
ROLE, CLUSTER_ROLE = f"{GROUP}:Role", f"{GROUP}:ClusterRole"
ROLE_BINDING, CLUSTER_ROLE_BINDING = f"{GROUP}:RoleBinding", f"{GROUP}:ClusterRoleBinding"
ESCALATING_VERBS = ("escalate", "bind", "impersonate")
READ_VERBS = ("get", "list", "watch", "*")
FIELDS = ("verbs", "apiGroups", "resources")


def _label(resource: Resource) -> str:
    kind = resource.type.rsplit(":", 1)[-1]
    metadata = resource.props.get("metadata") or {}
    name = known(metadata, "name") or resource.name
    namespace = known(metadata, "namespace")
    return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"


def _rules(resource: Resource) -> list[Mapping[str, Any]]:
    return list(resource.props.get("rules") or [])


@resource_rule(
    name="k8s-rbac-no-wildcards",
    types=[ROLE, CLUSTER_ROLE],
    description="Role and ClusterRole rules list their verbs, apiGroups and resources: no `*` (mandatory: a "
    "wildcard grants every verb or resource, including those added later).",
    severity="high",
    remediation="Replace `*` with the verbs (get, list, watch, patch ...), API groups and resources the subject needs.",
)
def no_wildcards(resource: Resource, config: Config) -> Iterator[str]:
    label = _label(resource)
    for i, rule in enumerate(_rules(resource)):
        for field in FIELDS:
            wild = [str(v) for v in rule.get(field) or [] if "*" in str(v)]
            if wild:
                yield f"{label} rules[{i}].{field} has {', '.join(wild)}: list the {field} the subject needs"


@resource_rule(
    name="k8s-rbac-no-escalation-verbs",
    types=[ROLE, CLUSTER_ROLE],
    description="No Role or ClusterRole grants escalate, bind or impersonate (mandatory: each lets its holder "
    "gain permissions it was not given).",
    severity="critical",
    remediation="Remove escalate, bind and impersonate; grant the permissions themselves to whoever needs them.",
)
def no_escalation_verbs(resource: Resource, config: Config) -> Iterator[str]:
    label = _label(resource)
    for i, rule in enumerate(_rules(resource)):
        verbs = [v for v in ESCALATING_VERBS if v in (rule.get("verbs") or [])]
        if verbs:
            yield f"{label} rules[{i}].verbs has {', '.join(verbs)}: remove it (its holder can grant itself more)"


@resource_rule(
    name="k8s-rbac-no-admin-bindings",
    types=[ROLE_BINDING, CLUSTER_ROLE_BINDING],
    description="No binding to the cluster-admin ClusterRole, and no ClusterRoleBinding to admin or edit "
    "(mandatory: full control of the cluster, or of every namespace).",
    severity="critical",
    remediation="Bind a Role with the permissions the subject needs, in its namespace; admin or edit only with "
    "a RoleBinding in one namespace.",
)
def no_admin_bindings(resource: Resource, config: Config) -> Iterator[str]:
    ref = resource.props.get("roleRef") or {}
    role = ref.get("name")
    if ref.get("kind") != "ClusterRole":
        return
    if role == "cluster-admin":
        yield f"{_label(resource)} binds cluster-admin: bind a Role with only the permissions its subjects need"
    elif role in ("admin", "edit") and resource.type == CLUSTER_ROLE_BINDING:
        yield (
            f"{_label(resource)} binds {role} in every namespace: use a RoleBinding in the namespace its subjects "
            "work in"
        )


@resource_rule(
    name="k8s-rbac-cluster-secrets-read",
    types=[CLUSTER_ROLE],
    description="A ClusterRole that reads secrets is flagged (advisory: bound cluster-wide it reads every "
    "secret in the cluster; bound in one namespace by a RoleBinding it may be fine).",
    severity="high",
    remediation="Use a Role in the namespace whose secrets are needed, with resourceNames where possible.",
    level="advisory",
)
def cluster_secrets_read(resource: Resource, config: Config) -> Iterator[str]:
    label = _label(resource)
    for i, rule in enumerate(_rules(resource)):
        core = any(g in ("", "*") for g in rule.get("apiGroups") or [])
        secrets = any(r in ("secrets", "*") for r in rule.get("resources") or [])
        verbs = [v for v in rule.get("verbs") or [] if v in READ_VERBS]
        if core and secrets and verbs:
            yield (
                f"{label} rules[{i}] can {', '.join(verbs)} secrets (in every namespace once bound by a "
                "ClusterRoleBinding): use a Role in the namespace that needs them"
            )
