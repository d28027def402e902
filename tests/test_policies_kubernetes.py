"""Kubernetes rules: workloads (Pod Security Standards restricted, hygiene) and RBAC. The happy path
is the program's own Deployment and deploy Role; each case changes one field, and every object a
case hands the pack is first accepted by kubernetes-validate, so the pack judges objects the API
server would take."""

from __future__ import annotations

import copy
from typing import Any

import kubernetes_validate
import pytest

from components import kubernetes_objects as objects
from policies.rules import rules
from policies.rules.contract import SERVICE_ACCOUNT_TOKEN_ANNOTATION
from tests.policy_harness import DELETE, changed, messages, state

K8S_VERSION = kubernetes_validate.utils.latest_version()
DIGEST = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:" + "0" * 64
DEPLOYMENT = objects.deployment(
    name="web", ns="web", image=DIGEST, port=8080, health_check_path="/", cpu=256, memory=512
)
POD_SPEC: dict[str, Any] = DEPLOYMENT["spec"]["template"]["spec"]
TYPES = {
    "Pod": "kubernetes:core/v1:Pod",
    "Deployment": "kubernetes:apps/v1:Deployment",
    "StatefulSet": "kubernetes:apps/v1:StatefulSet",
    "DaemonSet": "kubernetes:apps/v1:DaemonSet",
    "ReplicaSet": "kubernetes:apps/v1:ReplicaSet",
    "Job": "kubernetes:batch/v1:Job",
    "CronJob": "kubernetes:batch/v1:CronJob",
}
WORKLOAD_RULES = [r.name for r in rules() if r.check.__module__.endswith(".kubernetes")]
POD = "spec.template.spec."
C = f"{POD}containers.0."
W = "Deployment web/web"
CW = f"{W} container web"


def workload(kind: str, pod_spec: dict[str, Any] | None = None) -> dict[str, Any]:
    """A valid `kind` in namespace web, named web, whose pod template is the program's (or `pod_spec`)."""
    spec = copy.deepcopy(pod_spec or POD_SPEC)
    template = {"metadata": {"labels": objects.labels("web")}, "spec": spec}
    metadata = {"name": "web", "namespace": "web", "labels": objects.labels("web")}
    selector = {"matchLabels": objects.selector("web")}
    if kind == "Pod":
        return {"apiVersion": "v1", "kind": kind, "metadata": metadata, "spec": spec}
    if kind in ("Job", "CronJob"):
        job = {"template": {**template, "spec": {**spec, "restartPolicy": "OnFailure"}}}
        if kind == "Job":
            return {"apiVersion": "batch/v1", "kind": kind, "metadata": metadata, "spec": job}
        return {
            "apiVersion": "batch/v1",
            "kind": kind,
            "metadata": metadata,
            "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": job}},
        }
    body: dict[str, Any] = {"selector": selector, "template": template}
    if kind == "StatefulSet":
        body["serviceName"] = "web"
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": metadata, "spec": body}


def judged(policy: str, obj: dict[str, Any]) -> list[str]:
    """The messages of `policy` on `obj`, once kubernetes-validate has accepted `obj`."""
    kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
    return messages(policy, [state(TYPES[obj["kind"]], "web", obj)])


def test_workload_rules_are_the_ones_pinned_here():
    assert WORKLOAD_RULES == [
        "k8s-no-privileged-containers",
        "k8s-no-host-access",
        "k8s-run-as-non-root",
        "k8s-seccomp-profile",
        "k8s-read-only-root-filesystem",
        "k8s-resource-requests-and-limits",
        "k8s-image-digest",
        "k8s-service-account-token",
    ]


@pytest.mark.parametrize("kind", list(TYPES))
@pytest.mark.parametrize("policy", WORKLOAD_RULES)
def test_compliant_program_pod_template_passes_in_every_workload_kind(policy, kind):
    assert judged(policy, workload(kind)) == []


@pytest.mark.parametrize("kind", list(TYPES))
def test_noncompliant_pod_template_is_found_in_every_workload_kind(kind):
    # Given a privileged container in the pod template of `kind` (a CronJob nests it in jobTemplate)
    obj = workload(kind, changed(POD_SPEC, "containers.0.securityContext.privileged", True))
    assert judged("k8s-no-privileged-containers", obj) == [
        f"{kind} web/web container web: securityContext.privileged is true: remove it (a privileged container is "
        "root on the node)"
    ]


PRIVILEGED_FIX = "add at most NET_BIND_SERVICE"
INIT = {**POD_SPEC["containers"][0], "name": "migrate", "ports": []}


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param(f"{C}securityContext.capabilities.add", ["NET_BIND_SERVICE"], [], id="compliant_net_bind_service"),
        pytest.param(
            f"{C}securityContext.privileged",
            True,
            [f"{CW}: securityContext.privileged is true: remove it (a privileged container is root on the node)"],
            id="noncompliant_privileged",
        ),
        pytest.param(
            f"{C}securityContext.allowPrivilegeEscalation",
            DELETE,
            [f"{CW}: securityContext.allowPrivilegeEscalation is not false: set it to false"],
            id="noncompliant_escalation_unset",
        ),
        pytest.param(
            f"{C}securityContext.capabilities.drop",
            ["NET_RAW"],
            [f"{CW}: securityContext.capabilities.drop does not include ALL: drop ALL"],
            id="noncompliant_drop_not_all",
        ),
        pytest.param(
            f"{C}securityContext.capabilities.add",
            ["SYS_ADMIN", "NET_BIND_SERVICE"],
            [f"{CW}: securityContext.capabilities.add has SYS_ADMIN: {PRIVILEGED_FIX}"],
            id="noncompliant_adds_sys_admin",
        ),
        pytest.param(
            f"{POD}initContainers",
            [changed(INIT, "securityContext.privileged", True)],
            [
                f"{W} init container migrate: securityContext.privileged is true: remove it (a privileged container "
                "is root on the node)"
            ],
            id="noncompliant_privileged_init_container",
        ),
    ],
)
def test_k8s_no_privileged_containers(path, value, expected):
    assert judged("k8s-no-privileged-containers", changed(DEPLOYMENT, path, value)) == expected


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param(f"{POD}hostNetwork", False, [], id="compliant_host_network_false"),
        pytest.param(
            f"{POD}hostNetwork",
            True,
            [f"{W}: hostNetwork is true: remove it (the pod would share the node's network)"],
            id="noncompliant_host_network",
        ),
        pytest.param(
            f"{POD}hostPID",
            True,
            [f"{W}: hostPID is true: remove it (the pod would share the node's process table)"],
            id="noncompliant_host_pid",
        ),
        pytest.param(
            f"{POD}hostIPC",
            True,
            [f"{W}: hostIPC is true: remove it (the pod would share the node's IPC namespace)"],
            id="noncompliant_host_ipc",
        ),
        pytest.param(
            f"{POD}volumes.0",
            {"name": "tmp", "hostPath": {"path": "/var/run"}},
            [f"{W}: volume tmp is a hostPath: use an emptyDir, configMap, secret or persistentVolumeClaim"],
            id="noncompliant_host_path_volume",
        ),
        pytest.param(
            f"{C}ports.0.hostPort",
            8080,
            [f"{CW}: ports[0].hostPort is 8080: remove it and expose the pod through a Service"],
            id="noncompliant_host_port",
        ),
    ],
)
def test_k8s_no_host_access(path, value, expected):
    assert judged("k8s-no-host-access", changed(DEPLOYMENT, path, value)) == expected


NON_ROOT = (
    f"{CW}: runAsNonRoot is not true in its or the pod's securityContext: set securityContext.runAsNonRoot true "
    "with a non-zero runAsUser"
)


def without(obj: dict[str, Any], *paths: str) -> dict[str, Any]:
    for path in paths:
        obj = changed(obj, path, DELETE)
    return obj


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        pytest.param(
            without(DEPLOYMENT, f"{C}securityContext.runAsNonRoot", f"{C}securityContext.runAsUser"),
            [],
            id="compliant_inherited_from_pod",
        ),
        pytest.param(
            without(DEPLOYMENT, f"{C}securityContext.runAsUser", f"{POD}securityContext.runAsUser"),
            [],
            id="compliant_user_from_image_checked_by_kubelet",
        ),
        pytest.param(
            changed(DEPLOYMENT, f"{C}securityContext.runAsNonRoot", False),
            [NON_ROOT],
            id="noncompliant_container_overrides_false",
        ),
        pytest.param(
            without(DEPLOYMENT, f"{C}securityContext.runAsNonRoot", f"{POD}securityContext.runAsNonRoot"),
            [NON_ROOT],
            id="noncompliant_never_set",
        ),
        pytest.param(
            changed(DEPLOYMENT, f"{C}securityContext.runAsUser", 0),
            [f"{CW}: runAsUser is 0 (root): set a non-zero runAsUser"],
            id="noncompliant_root_user",
        ),
    ],
)
def test_k8s_run_as_non_root(obj, expected):
    assert judged("k8s-run-as-non-root", obj) == expected


SECCOMP_FIX = "set securityContext.seccompProfile.type RuntimeDefault on the pod (or Localhost)"


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        pytest.param(without(DEPLOYMENT, f"{POD}securityContext.seccompProfile"), [], id="compliant_container_only"),
        pytest.param(
            changed(
                without(DEPLOYMENT, f"{C}securityContext.seccompProfile"),
                f"{POD}securityContext.seccompProfile",
                {"type": "Localhost", "localhostProfile": "profiles/web.json"},
            ),
            [],
            id="compliant_localhost_on_pod",
        ),
        pytest.param(
            changed(DEPLOYMENT, f"{C}securityContext.seccompProfile", {"type": "Unconfined"}),
            [f"{CW}: seccompProfile is Unconfined: {SECCOMP_FIX}"],
            id="noncompliant_container_unconfined",
        ),
        pytest.param(
            without(DEPLOYMENT, f"{C}securityContext.seccompProfile", f"{POD}securityContext.seccompProfile"),
            [f"{CW}: seccompProfile is not set: {SECCOMP_FIX}"],
            id="noncompliant_not_set",
        ),
    ],
)
def test_k8s_seccomp_profile(obj, expected):
    assert judged("k8s-seccomp-profile", obj) == expected


READ_ONLY = (
    f"{CW}: securityContext.readOnlyRootFilesystem is not true: set it true and mount an emptyDir where the process "
    "writes"
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(False, [READ_ONLY], id="noncompliant_false"),
        pytest.param(DELETE, [READ_ONLY], id="noncompliant_unset"),
    ],
)
def test_k8s_read_only_root_filesystem(value, expected):
    obj = changed(DEPLOYMENT, f"{C}securityContext.readOnlyRootFilesystem", value)
    assert judged("k8s-read-only-root-filesystem", obj) == expected


RESOURCES_FIX = "set requests (cpu, memory) and a memory limit"


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param(f"{C}resources.limits.cpu", DELETE, [], id="compliant_no_cpu_limit"),
        pytest.param(
            f"{C}resources.limits.memory",
            DELETE,
            [f"{CW}: resources lack limits.memory: {RESOURCES_FIX}"],
            id="noncompliant_no_memory_limit",
        ),
        pytest.param(
            f"{C}resources",
            DELETE,
            [f"{CW}: resources lack requests.cpu, requests.memory, limits.memory: {RESOURCES_FIX}"],
            id="noncompliant_no_resources",
        ),
        pytest.param(
            f"{POD}initContainers",
            [without(INIT, "resources")],
            [
                f"{W} init container migrate: resources lack requests.cpu, requests.memory, limits.memory: "
                + RESOURCES_FIX
            ],
            id="noncompliant_init_container_without_resources",
        ),
    ],
)
def test_k8s_resource_requests_and_limits(path, value, expected):
    assert judged("k8s-resource-requests-and-limits", changed(DEPLOYMENT, path, value)) == expected


DIGEST_FIX = "reference it as <repository>@sha256:<digest>"


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        pytest.param(DIGEST, [], id="compliant_digest"),
        pytest.param(f"web:1.2@sha256:{'0' * 64}", [], id="compliant_tag_and_digest"),
        pytest.param(
            "docker.io/traefik/whoami:v1.11.0",
            [f"{CW}: image docker.io/traefik/whoami:v1.11.0 is pinned by tag, not digest: {DIGEST_FIX}"],
            id="noncompliant_tag",
        ),
        pytest.param(
            "registry.local:5000/web",
            [f"{CW}: image registry.local:5000/web has no tag or digest (it means :latest): {DIGEST_FIX}"],
            id="noncompliant_registry_port_no_tag",
        ),
    ],
)
def test_k8s_image_digest(image, expected):
    assert judged("k8s-image-digest", changed(DEPLOYMENT, f"{C}image", image)) == expected


TOKEN = (
    f"{W}: automountServiceAccountToken is not false: set it false in the pod template, or annotate the workload "
    f"{SERVICE_ACCOUNT_TOKEN_ANNOTATION}: needed if its pods call the Kubernetes API"
)
UNSET = changed(DEPLOYMENT, f"{POD}automountServiceAccountToken", DELETE)


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        pytest.param(
            changed(UNSET, f"metadata.annotations.{SERVICE_ACCOUNT_TOKEN_ANNOTATION}", "needed"),
            [],
            id="compliant_workload_declares_it",
        ),
        pytest.param(
            changed(UNSET, f"spec.template.metadata.annotations.{SERVICE_ACCOUNT_TOKEN_ANNOTATION}", "needed"),
            [],
            id="compliant_pod_template_declares_it",
        ),
        pytest.param(UNSET, [TOKEN], id="noncompliant_unset"),
        pytest.param(changed(DEPLOYMENT, f"{POD}automountServiceAccountToken", True), [TOKEN], id="noncompliant_true"),
        pytest.param(
            changed(UNSET, f"metadata.annotations.{SERVICE_ACCOUNT_TOKEN_ANNOTATION}", "yes"),
            [TOKEN],
            id="noncompliant_other_annotation_value",
        ),
    ],
)
def test_k8s_service_account_token(obj, expected):
    assert judged("k8s-service-account-token", obj) == expected


def test_ephemeral_containers_of_a_pod_are_judged():
    # Given a running Pod (as a stack export records it) with a debug container added by kubectl debug
    pod = changed(workload("Pod"), "spec.ephemeralContainers", [{"name": "debug", "image": "busybox:1.36"}])
    got = {policy: judged(policy, pod) for policy in WORKLOAD_RULES}
    debug = "Pod web/web ephemeral container debug"
    assert got["k8s-no-privileged-containers"] == [
        f"{debug}: securityContext.allowPrivilegeEscalation is not false: set it to false",
        f"{debug}: securityContext.capabilities.drop does not include ALL: drop ALL",
    ]
    assert got["k8s-run-as-non-root"] == []  # inherited from the pod
    assert got["k8s-resource-requests-and-limits"] == []  # ephemeral containers cannot set resources
    assert got["k8s-image-digest"] == [f"{debug}: image busybox:1.36 is pinned by tag, not digest: {DIGEST_FIX}"]


# RBAC ---------------------------------------------------------------------------------------------

RBAC = "kubernetes:rbac.authorization.k8s.io/v1:"
ROLE = objects.deploy_role("web", "web")
BINDING = objects.deploy_role_binding("web", "web", "web-deployers")
R = "Role web/web-deployer"
READER = {
    "apiVersion": "rbac.authorization.k8s.io/v1",
    "kind": "ClusterRole",
    "metadata": {"name": "reader"},
    "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}],
}


def rbac(policy: str, obj: dict[str, Any]) -> list[str]:
    kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
    return messages(policy, [state(RBAC + obj["kind"], "subject", obj)])


@pytest.mark.parametrize("policy", ["k8s-rbac-no-wildcards", "k8s-rbac-no-escalation-verbs"])
@pytest.mark.parametrize("obj", [ROLE, READER], ids=["role", "cluster_role"])
def test_compliant_program_roles_pass(policy, obj):
    assert rbac(policy, obj) == []


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param(
            "rules.0.verbs",
            ["*"],
            [f"{R} rules[0].verbs has *: list the verbs the subject needs"],
            id="noncompliant_verbs",
        ),
        pytest.param(
            "rules.1.resources",
            ["*"],
            [f"{R} rules[1].resources has *: list the resources the subject needs"],
            id="noncompliant_resources",
        ),
        pytest.param(
            "rules.2.apiGroups",
            ["*"],
            [f"{R} rules[2].apiGroups has *: list the apiGroups the subject needs"],
            id="noncompliant_api_groups",
        ),
        pytest.param(
            "rules.1.resources",
            ["replicasets", "deployments/*"],
            [f"{R} rules[1].resources has deployments/*: list the resources the subject needs"],
            id="noncompliant_every_subresource",
        ),
    ],
)
def test_k8s_rbac_no_wildcards(path, value, expected):
    assert rbac("k8s-rbac-no-wildcards", changed(ROLE, path, value)) == expected


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        pytest.param(
            changed(ROLE, "rules.0.verbs", ["get", "bind", "impersonate"]),
            [f"{R} rules[0].verbs has bind, impersonate: remove it (its holder can grant itself more)"],
            id="noncompliant_bind_impersonate",
        ),
        pytest.param(
            changed(
                READER,
                "rules.0",
                {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["escalate"]},
            ),
            ["ClusterRole reader rules[0].verbs has escalate: remove it (its holder can grant itself more)"],
            id="noncompliant_cluster_role_escalate",
        ),
    ],
)
def test_k8s_rbac_no_escalation_verbs(obj, expected):
    assert rbac("k8s-rbac-no-escalation-verbs", obj) == expected


def cluster_binding(role: str) -> dict[str, Any]:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": "ops"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "ops"}],
    }


CLUSTER_ROLE_REF = {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole"}


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        pytest.param(BINDING, [], id="compliant_program_binding"),
        pytest.param(
            changed(BINDING, "roleRef", {**CLUSTER_ROLE_REF, "name": "edit"}), [], id="compliant_edit_in_namespace"
        ),
        pytest.param(cluster_binding("view"), [], id="compliant_view_cluster_wide"),
        pytest.param(
            changed(BINDING, "roleRef", {**CLUSTER_ROLE_REF, "name": "cluster-admin"}),
            [
                "RoleBinding web/web-deployer binds cluster-admin: bind a Role with only the permissions its "
                "subjects need"
            ],
            id="noncompliant_cluster_admin_in_namespace",
        ),
        pytest.param(
            cluster_binding("cluster-admin"),
            ["ClusterRoleBinding ops binds cluster-admin: bind a Role with only the permissions its subjects need"],
            id="noncompliant_cluster_admin",
        ),
        pytest.param(
            cluster_binding("admin"),
            [
                "ClusterRoleBinding ops binds admin in every namespace: use a RoleBinding in the namespace its "
                "subjects work in"
            ],
            id="noncompliant_admin_cluster_wide",
        ),
        pytest.param(
            cluster_binding("edit"),
            [
                "ClusterRoleBinding ops binds edit in every namespace: use a RoleBinding in the namespace its "
                "subjects work in"
            ],
            id="noncompliant_edit_cluster_wide",
        ),
    ],
)
def test_k8s_rbac_no_admin_bindings(obj, expected):
    assert rbac("k8s-rbac-no-admin-bindings", obj) == expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        pytest.param(READER["rules"][0], [], id="compliant_configmaps"),
        pytest.param({"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]}, [], id="compliant_write_only"),
        pytest.param(
            {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]},
            [
                "ClusterRole reader rules[0] can get, list secrets (in every namespace once bound by a "
                "ClusterRoleBinding): use a Role in the namespace that needs them"
            ],
            id="noncompliant_reads_secrets",
        ),
    ],
)
def test_k8s_rbac_cluster_secrets_read(rule, expected):
    assert rbac("k8s-rbac-cluster-secrets-read", changed(READER, "rules.0", rule)) == expected
