"""Kubernetes workloads: every pod template meets the Pod Security Standards `restricted` profile
(mandatory), and container hygiene (read-only root, requests and a memory limit, images by digest,
no service-account token it does not need) is advised.

A pod template lives at `spec` (Pod), `spec.template` (Deployment, StatefulSet, DaemonSet,
ReplicaSet, Job) or `spec.jobTemplate.spec.template` (CronJob). Containers, init containers and
ephemeral containers are all judged; a container's securityContext overrides the pod's for
runAsNonRoot, runAsUser and seccompProfile, as the kubelet applies them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .contract import SERVICE_ACCOUNT_TOKEN_ANNOTATION, SERVICE_ACCOUNT_TOKEN_NEEDED
from .props import known
from .registry import Config, Resource, resource_rule

POD = "kubernetes:core/v1:Pod"
CRON_JOB = "kubernetes:batch/v1:CronJob"
TEMPLATED = (
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:apps/v1:ReplicaSet",
    "kubernetes:batch/v1:Job",
)
WORKLOADS = (POD, *TEMPLATED, CRON_JOB)
CONTAINER_KINDS = (("containers", "container"), ("initContainers", "init container"))
EPHEMERAL = ("ephemeralContainers", "ephemeral container")
SECCOMP_TYPES = ("RuntimeDefault", "Localhost")
ALLOWED_CAPABILITIES = ("NET_BIND_SERVICE",)

Obj = Mapping[str, Any]


@dataclass(frozen=True)
class Container:
    label: str
    """How a message names it: "container web", "init container migrate"."""
    spec: Obj
    ephemeral: bool

    @property
    def security(self) -> Obj:
        return self.spec.get("securityContext") or {}


@dataclass(frozen=True)
class Workload:
    label: str
    """How a message names it: "Deployment web/web"."""
    metadata: Obj
    template_metadata: Obj
    pod: Obj
    """The pod spec of the template."""

    @property
    def security(self) -> Obj:
        return self.pod.get("securityContext") or {}

    def containers(self, *, ephemeral: bool = True) -> Iterator[Container]:
        kinds = (*CONTAINER_KINDS, EPHEMERAL) if ephemeral else CONTAINER_KINDS
        for key, kind in kinds:
            for container in self.pod.get(key) or []:
                yield Container(f"{kind} {container.get('name')}", container, key == EPHEMERAL[0])

    def effective(self, container: Container, key: str) -> Any:
        """A securityContext field as the kubelet applies it: the container's, else the pod's."""
        value = container.security.get(key)
        return value if value is not None else self.security.get(key)


def workload(resource: Resource) -> Workload:
    kind = resource.type.rsplit(":", 1)[-1]
    props = resource.props
    metadata = props.get("metadata") or {}
    name = known(metadata, "name") or resource.name
    namespace = known(metadata, "namespace")
    label = f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"
    spec = props.get("spec") or {}
    if resource.type == POD:
        return Workload(label, metadata, metadata, spec)
    if resource.type == CRON_JOB:
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    template = spec.get("template") or {}
    return Workload(label, metadata, template.get("metadata") or {}, template.get("spec") or {})


@resource_rule(
    name="k8s-no-privileged-containers",
    types=WORKLOADS,
    description="Pod Security Standards restricted: no privileged container, allowPrivilegeEscalation false, "
    "capabilities drop ALL and add at most NET_BIND_SERVICE (mandatory: a container that can gain privileges "
    "can take the node).",
    severity="critical",
    remediation="In every container's securityContext: privileged false (or unset), allowPrivilegeEscalation "
    "false, capabilities {drop: [ALL]} (add only NET_BIND_SERVICE, and only to bind a port below 1024).",
)
def no_privileged_containers(resource: Resource, config: Config) -> Iterator[str]:
    w = workload(resource)
    for c in w.containers():
        where = f"{w.label} {c.label}: securityContext"
        if c.security.get("privileged") is True:
            yield f"{where}.privileged is true: remove it (a privileged container is root on the node)"
        if c.security.get("allowPrivilegeEscalation") is not False:
            yield f"{where}.allowPrivilegeEscalation is not false: set it to false"
        capabilities = c.security.get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or []):
            yield f"{where}.capabilities.drop does not include ALL: drop ALL"
        added = [str(a) for a in capabilities.get("add") or [] if a not in ALLOWED_CAPABILITIES]
        if added:
            yield f"{where}.capabilities.add has {', '.join(added)}: add at most NET_BIND_SERVICE"


@resource_rule(
    name="k8s-no-host-access",
    types=WORKLOADS,
    description="Pod Security Standards restricted: no hostNetwork, hostPID or hostIPC, no hostPath volume, no "
    "hostPort (mandatory: each reaches past the pod into the node).",
    severity="critical",
    remediation="Remove hostNetwork/hostPID/hostIPC and hostPort; replace hostPath volumes with emptyDir, "
    "configMap, secret or a persistentVolumeClaim; expose ports through a Service.",
)
def no_host_access(resource: Resource, config: Config) -> Iterator[str]:
    w = workload(resource)
    for key, shared in (("hostNetwork", "network"), ("hostPID", "process table"), ("hostIPC", "IPC namespace")):
        if w.pod.get(key) is True:
            yield f"{w.label}: {key} is true: remove it (the pod would share the node's {shared})"
    for volume in w.pod.get("volumes") or []:
        if volume.get("hostPath") is not None:
            yield (
                f"{w.label}: volume {volume.get('name')} is a hostPath: use an emptyDir, configMap, secret or "
                "persistentVolumeClaim"
            )
    for c in w.containers():
        for i, port in enumerate(c.spec.get("ports") or []):
            if port.get("hostPort"):
                yield (
                    f"{w.label} {c.label}: ports[{i}].hostPort is {port.get('hostPort')}: remove it and expose the "
                    "pod through a Service"
                )


@resource_rule(
    name="k8s-run-as-non-root",
    types=WORKLOADS,
    description="Pod Security Standards restricted: every container runs with runAsNonRoot true and a runAsUser "
    "other than 0, from its own or the pod's securityContext (mandatory: root in a container is one escape from "
    "root on the node).",
    severity="high",
    remediation="Set securityContext {runAsNonRoot: true, runAsUser: <non-zero uid>} on the pod (containers "
    "inherit it); the image's USER must be numeric and non-zero when runAsUser is unset.",
)
def run_as_non_root(resource: Resource, config: Config) -> Iterator[str]:
    w = workload(resource)
    for c in w.containers():
        if w.effective(c, "runAsNonRoot") is not True:
            yield (
                f"{w.label} {c.label}: runAsNonRoot is not true in its or the pod's securityContext: set "
                "securityContext.runAsNonRoot true with a non-zero runAsUser"
            )
        if w.effective(c, "runAsUser") == 0:
            yield f"{w.label} {c.label}: runAsUser is 0 (root): set a non-zero runAsUser"


@resource_rule(
    name="k8s-seccomp-profile",
    types=WORKLOADS,
    description="Pod Security Standards restricted: every container runs under the RuntimeDefault (or a "
    "Localhost) seccomp profile, set on the pod or the container (mandatory: the syscall filter is what keeps "
    "most kernel exploits out of reach).",
    severity="high",
    remediation="Set securityContext.seccompProfile {type: RuntimeDefault} on the pod.",
)
def seccomp_profile(resource: Resource, config: Config) -> Iterator[str]:
    w = workload(resource)
    for c in w.containers():
        profile = (w.effective(c, "seccompProfile") or {}).get("type")
        if profile not in SECCOMP_TYPES:
            state = f"is {profile}" if profile else "is not set"
            yield (
                f"{w.label} {c.label}: seccompProfile {state}: set securityContext.seccompProfile.type "
                "RuntimeDefault on the pod (or Localhost)"
            )


@resource_rule(
    name="k8s-read-only-root-filesystem",
    types=WORKLOADS,
    description="Every container's root filesystem is read-only (advisory: a writable root lets an intruder "
    "change the running code; some images need work to run read-only).",
    severity="medium",
    remediation="Set securityContext.readOnlyRootFilesystem true and mount an emptyDir where the process writes "
    "(e.g. /tmp).",
    level="advisory",
)
def read_only_root_filesystem(resource: Resource, config: Config) -> Iterator[str]:
    w = workload(resource)
    for c in w.containers():
        if c.security.get("readOnlyRootFilesystem") is not True:
            yield (
                f"{w.label} {c.label}: securityContext.readOnlyRootFilesystem is not true: set it true and mount "
                "an emptyDir where the process writes"
            )


@resource_rule(
    name="k8s-resource-requests-and-limits",
    types=WORKLOADS,
    description="Every container and init container requests CPU and memory and has a memory limit (advisory: "
    "scheduling and noisy-neighbour hygiene; ephemeral containers cannot set resources).",
    severity="medium",
    remediation="Set resources {requests: {cpu, memory}, limits: {memory}} on every container.",
    level="advisory",
)
def resource_requests_and_limits(resource: Resource, config: Config) -> Iterator[str]:
    w = workload(resource)
    for c in w.containers(ephemeral=False):
        resources = c.spec.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        missing = [f"requests.{k}" for k in ("cpu", "memory") if not requests.get(k)]
        missing += ["limits.memory"] if not limits.get("memory") else []
        if missing:
            yield (
                f"{w.label} {c.label}: resources lack {', '.join(missing)}: set requests (cpu, memory) and a "
                "memory limit"
            )


def _has_tag(image: str) -> bool:
    """Whether `image` names a tag: a `:` after the last `/` (a registry port comes before it)."""
    return ":" in image.rsplit("/", 1)[-1]


@resource_rule(
    name="k8s-image-digest",
    types=WORKLOADS,
    description="Every container image is referenced by digest (advisory: a tag can be moved to other content; "
    "an image with neither tag nor digest means :latest).",
    severity="low",
    remediation="Reference images as <repository>@sha256:<digest> (the pipeline's record holds the digest it "
    "deployed).",
    level="advisory",
)
def image_digest(resource: Resource, config: Config) -> Iterator[str]:
    w = workload(resource)
    for c in w.containers():
        image = str(c.spec.get("image") or "")
        if "@sha256:" in image:
            continue
        pinned = "is pinned by tag, not digest" if _has_tag(image) else "has no tag or digest (it means :latest)"
        yield f"{w.label} {c.label}: image {image} {pinned}: reference it as <repository>@sha256:<digest>"


def _declares_token(w: Workload) -> bool:
    annotations = [(m.get("annotations") or {}) for m in (w.metadata, w.template_metadata)]
    return any(a.get(SERVICE_ACCOUNT_TOKEN_ANNOTATION) == SERVICE_ACCOUNT_TOKEN_NEEDED for a in annotations)


@resource_rule(
    name="k8s-service-account-token",
    types=WORKLOADS,
    description="Pods do not mount a service-account token unless the workload declares that it calls the "
    f"Kubernetes API (annotation {SERVICE_ACCOUNT_TOKEN_ANNOTATION}: {SERVICE_ACCOUNT_TOKEN_NEEDED} on the "
    "workload or its pod template) (advisory: a token in every pod is a credential for whoever breaks in).",
    severity="medium",
    remediation="Set automountServiceAccountToken false in the pod template, or annotate the workload "
    f"{SERVICE_ACCOUNT_TOKEN_ANNOTATION}: {SERVICE_ACCOUNT_TOKEN_NEEDED} when its pods call the API.",
    level="advisory",
)
def service_account_token(resource: Resource, config: Config) -> Iterator[str]:
    w = workload(resource)
    if w.pod.get("automountServiceAccountToken") is False or _declares_token(w):
        return
    yield (
        f"{w.label}: automountServiceAccountToken is not false: set it false in the pod template, or annotate the "
        f"workload {SERVICE_ACCOUNT_TOKEN_ANNOTATION}: {SERVICE_ACCOUNT_TOKEN_NEEDED} if its pods call the "
        "Kubernetes API"
    )
