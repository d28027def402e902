"""The Kubernetes objects of an EKS service, as plain dicts (no Pulumi, no cluster).

`EksCluster` and `EksWorkload` hand these to `pulumi_kubernetes`; tests hand the same dicts to
`kubernetes-validate`. Every pod-level setting satisfies the `restricted` Pod Security Standard
that the namespace enforces, so the API server rejects a pod that drifts from it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from policies.rules.contract import TLS_POLICY

from .container_definitions import RUN_AS_USER, TMP_PATH

Obj = dict[str, Any]

ALB_CONTROLLER = "eks.amazonaws.com/alb"
PARAMS_API_GROUP = "eks.amazonaws.com"
SERVICE_PORT = 80
CPU_TARGET_PERCENT = 70
UID = int(RUN_AS_USER)
# Pulumi's Kubernetes provider overrides fields another manager (e.g. `kubectl set image`) took
# over: Pulumi owns the spec and sets the image from the pipeline's record.
PATCH_FORCE = {"pulumi.com/patchForce": "true"}
ALB = "alb.ingress.kubernetes.io/"


def labels(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "pulumi"}


def selector(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name}


def cpu_quantity(units: int) -> str:
    """ECS-style CPU units (1024 = one vCPU) as a Kubernetes quantity in millicores, rounded up."""
    return f"{-(-units * 1000 // 1024)}m"


def memory_quantity(mib: int) -> str:
    return f"{mib}Mi"


def max_replicas(desired: int) -> int:
    """Room to scale out: twice the floor, and at least three."""
    return max(2 * desired, 3)


def _meta(name: str, namespace: str | None = None, **extra: Any) -> Obj:
    # The namespace is named after the service, so namespaced objects carry the service's label.
    meta: Obj = {"name": name, "labels": labels(name if namespace is None else namespace)}
    if namespace is not None:
        meta["namespace"] = namespace
    meta.update(extra)
    return meta


def namespace(name: str) -> Obj:
    pss = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
    meta = _meta(name)
    meta["labels"] = {**meta["labels"], **pss, "pod-security.kubernetes.io/enforce-version": "latest"}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def service_account(name: str, ns: str) -> Obj:
    # No API token in the pods: the service never calls the Kubernetes API.
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": _meta(name, ns),
        "automountServiceAccountToken": False,
    }


def deployment(
    *,
    name: str,
    ns: str,
    image: str,
    port: int,
    health_check_path: str,
    cpu: int,
    memory: int,
    environment: Mapping[str, str] | None = None,
) -> Obj:
    """No `replicas`: the HorizontalPodAutoscaler owns the count (its minimum is the desired count),
    so `pulumi up` never resets what the autoscaler chose."""
    env = [{"name": "PORT", "value": str(port)}]
    env += [{"name": k, "value": v} for k, v in sorted((environment or {}).items()) if k != "PORT"]
    probe = {"httpGet": {"path": health_check_path, "port": "http"}, "timeoutSeconds": 5, "failureThreshold": 3}
    seccomp = {"type": "RuntimeDefault"}
    resources = {"cpu": cpu_quantity(cpu), "memory": memory_quantity(memory)}
    container: Obj = {
        "name": name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
        "env": env,
        "readinessProbe": {**probe, "periodSeconds": 10},
        "livenessProbe": {**probe, "periodSeconds": 20, "initialDelaySeconds": 15},
        "resources": {"requests": resources, "limits": dict(resources)},
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": UID,
            "runAsGroup": UID,
            "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False,
            "privileged": False,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": seccomp,
        },
        "volumeMounts": [{"name": "tmp", "mountPath": TMP_PATH}],
    }

    def spread(key: str) -> Obj:
        # ScheduleAnyway: after a zone outage the pods still reschedule into the zones left.
        return {
            "maxSkew": 1,
            "topologyKey": key,
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": selector(name)},
        }

    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(name, ns, annotations=dict(PATCH_FORCE)),
        "spec": {
            "selector": {"matchLabels": selector(name)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
            "template": {
                "metadata": {"labels": labels(name)},
                "spec": {
                    "serviceAccountName": name,
                    "automountServiceAccountToken": False,
                    "enableServiceLinks": False,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": UID,
                        "runAsGroup": UID,
                        "fsGroup": UID,
                        "seccompProfile": seccomp,
                    },
                    "topologySpreadConstraints": [
                        spread("topology.kubernetes.io/zone"),
                        spread("kubernetes.io/hostname"),
                    ],
                    "terminationGracePeriodSeconds": 30,
                    "containers": [container],
                    "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}}],
                },
            },
        },
    }


def service(name: str, ns: str) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(name, ns),
        "spec": {
            "type": "ClusterIP",
            "selector": selector(name),
            "ports": [{"name": "http", "port": SERVICE_PORT, "targetPort": "http", "protocol": "TCP"}],
        },
    }


def pod_disruption_budget(name: str, ns: str) -> Obj:
    """One pod at a time may be evicted (node rotation never deadlocks, even at one replica);
    unhealthy pods never block a drain."""
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(name, ns),
        "spec": {
            "maxUnavailable": 1,
            "selector": {"matchLabels": selector(name)},
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        },
    }


def horizontal_pod_autoscaler(name: str, ns: str, desired: int) -> Obj:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": _meta(name, ns),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
            "minReplicas": desired,
            "maxReplicas": max_replicas(desired),
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": CPU_TARGET_PERCENT},
                    },
                }
            ],
        },
    }


def ingress(
    *,
    name: str,
    ns: str,
    ingress_class: str,
    health_check_path: str,
    certificate_arn: str | None = None,
    web_acl_arn: str | None = None,
) -> Obj:
    """An ALB per service, targets are pod IPs; with a certificate, HTTPS (TLS 1.2+) and HTTP redirected;
    with a web ACL, behind AWS WAF (EKS Auto Mode honours `wafv2-acl-arn`; only the WAF Classic ones are not)."""
    annotations = {
        f"{ALB}target-type": "ip",
        f"{ALB}healthcheck-path": health_check_path,
        f"{ALB}success-codes": "200-399",
        f"{ALB}listen-ports": json.dumps([{"HTTP": 80}]),
    }
    if certificate_arn:
        annotations |= {
            f"{ALB}listen-ports": json.dumps([{"HTTP": 80}, {"HTTPS": 443}]),
            f"{ALB}certificate-arn": certificate_arn,
            f"{ALB}ssl-policy": TLS_POLICY,
            f"{ALB}ssl-redirect": "443",
        }
    if web_acl_arn:
        annotations[f"{ALB}wafv2-acl-arn"] = web_acl_arn
    backend = {"service": {"name": name, "port": {"number": SERVICE_PORT}}}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": _meta(name, ns, annotations=annotations),
        "spec": {
            "ingressClassName": ingress_class,
            "rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}],
        },
    }


def deploy_role(name: str, ns: str) -> Obj:
    """What `kubectl set image`, `rollout status` and `rollout undo` need, on this Deployment only."""
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": _meta(f"{name}-deployer", ns),
        "rules": [
            {
                "apiGroups": ["apps"],
                "resources": ["deployments"],
                "resourceNames": [name],
                "verbs": ["get", "list", "watch", "patch"],
            },
            {"apiGroups": ["apps"], "resources": ["replicasets"], "verbs": ["get", "list", "watch"]},
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]},
        ],
    }


def deploy_role_binding(name: str, ns: str, group: str) -> Obj:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": _meta(f"{name}-deployer", ns),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": f"{name}-deployer"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": group}],
    }


def ingress_class_params(
    name: str, public_subnet_ids: Sequence[str], access_logs_bucket: str | None = None, access_logs_prefix: str = ""
) -> Obj:
    """EKS Auto Mode ALB settings (a CRD): internet-facing, in the given public subnets (so no
    subnet tags are needed), invalid HTTP headers dropped, access logs to `access_logs_bucket`
    under `access_logs_prefix` when a bucket is given."""
    attributes = [{"key": "routing.http.drop_invalid_header_fields.enabled", "value": "true"}]
    if access_logs_bucket:
        attributes += [
            {"key": "access_logs.s3.enabled", "value": "true"},
            {"key": "access_logs.s3.bucket", "value": access_logs_bucket},
            {"key": "access_logs.s3.prefix", "value": access_logs_prefix},
        ]
    return {
        "apiVersion": f"{PARAMS_API_GROUP}/v1",
        "kind": "IngressClassParams",
        "metadata": {"name": name, "labels": labels(name)},
        "spec": {
            "scheme": "internet-facing",
            "subnets": {"ids": list(public_subnet_ids)},
            "loadBalancerAttributes": attributes,
        },
    }


def ingress_class(name: str) -> Obj:
    """Not the default class: an Ingress gets an internet-facing ALB only by naming this class."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "IngressClass",
        "metadata": {"name": name, "labels": labels(name)},
        "spec": {
            "controller": ALB_CONTROLLER,
            "parameters": {"apiGroup": PARAMS_API_GROUP, "kind": "IngressClassParams", "name": name},
        },
    }
