"""EksCluster and EksWorkload under mocks (tests/programs/eks), then every Kubernetes object against
kubernetes-validate's bundled API schemas and the cluster request against botocore's EKS model.
Negative controls prove each validator bites."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, cast

import botocore.session
import kubernetes_validate
import pytest
from botocore.exceptions import ParamValidationError
from botocore.validate import validate_parameters
from hypothesis import given
from hypothesis import strategies as st

from components import kubernetes_objects as objects
from components.eks_cluster import (
    CONTROL_PLANE_LOGS,
    INGRESS_CLASS,
    EksClusterArgs,
    cluster_name_for,
    validate_eks_cluster_args,
)
from components.eks_workload import EksWorkloadArgs, validate_eks_workload_args
from preflight.engine import PlanResult, Registration, run_program
from preflight.export import deployment
from preflight.verdicts import evaluate
from tests.conftest import only

PROGRAM = Path(__file__).resolve().parent / "programs" / "eks"
ACCOUNT, REGION = "123456789012", "us-east-1"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CERT = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web@sha256:{'ab' * 32}"
PUBLIC = ["subnet-0aaa0000000000001", "subnet-0aaa0000000000002"]
PRIVATE = ["subnet-0bbb0000000000001", "subnet-0bbb0000000000002"]
CLUSTER_NAME = "eks-test-test-delivery"

EKS, LOG_GROUP, ADDON = "eks:index:Cluster", "aws:cloudwatch/logGroup:LogGroup", "aws:eks/addon:Addon"
K8S_PROVIDER = "pulumi:providers:kubernetes"
NAMESPACE, ACCOUNT_TYPE = "kubernetes:core/v1:Namespace", "kubernetes:core/v1:ServiceAccount"
DEPLOYMENT, SERVICE = "kubernetes:apps/v1:Deployment", "kubernetes:core/v1:Service"
PDB, HPA = "kubernetes:policy/v1:PodDisruptionBudget", "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
INGRESS, INGRESS_CLASS_TYPE = "kubernetes:networking.k8s.io/v1:Ingress", "kubernetes:networking.k8s.io/v1:IngressClass"
ROLE, BINDING = "kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"
PARAMS = "kubernetes:eks.amazonaws.com/v1:IngressClassParams"
# Schemas kubernetes-validate ships: the oldest EKS version in standard support here and the newest.
K8S_VERSIONS = ("1.33", kubernetes_validate.utils.latest_version())
# CRDs have no schema in kubernetes-validate (it bundles the core API only); their fields are
# asserted one by one instead (test_ingress_class_params).
CRDS = {PARAMS}


def run(cluster: dict[str, Any] | None = None, workload: dict[str, Any] | None = None) -> PlanResult:
    overrides: dict[str, Any] = {}
    if cluster:
        overrides["cluster"] = cluster
    if workload:
        overrides["workload"] = workload
    return run_program(PROGRAM, "test", overrides or None)


@pytest.fixture(scope="module")
def plan() -> PlanResult:
    return run()


@pytest.fixture(scope="module")
def https_plan() -> PlanResult:
    return run(
        cluster={"public_access_cidrs": ["203.0.113.0/24"], "protect": False, "kubernetes_version": "1.33"},
        workload={"certificate_arn": CERT, "desired_count": 3, "cpu": 512, "memory": 1024, "container_port": 9000},
    )


def kubernetes_objects(result: PlanResult) -> list[Registration]:
    return [r for r in result.resources if r.type.startswith("kubernetes:")]


def manifest(reg: Registration) -> dict[str, Any]:
    """The object the provider would send to the API server: the recorded inputs."""
    return dict(reg.inputs)


# EksCluster


def test_cluster_component_children(plan: PlanResult) -> None:
    component = only(plan, "container-delivery:index:EksCluster")
    children = {(r.type, r.name) for r in plan.resources if r.parent == component.urn}
    assert children == {
        (LOG_GROUP, "delivery-control-plane-logs"),
        (EKS, "delivery-cluster"),
        (ADDON, "delivery-metrics-server"),
        (K8S_PROVIDER, "delivery-k8s"),
        (PARAMS, "delivery-alb-params"),
        (INGRESS_CLASS_TYPE, "delivery-alb-class"),
    }


def test_cluster_security_inputs_by_default(plan: PlanResult) -> None:
    cluster = only(plan, EKS)
    assert cluster.remote and not cluster.custom
    assert cluster.inputs["name"] == CLUSTER_NAME
    assert cluster.inputs["authenticationMode"] == "API"
    assert cluster.inputs["endpointPrivateAccess"] is True
    assert cluster.inputs["endpointPublicAccess"] is False
    assert "publicAccessCidrs" not in cluster.inputs
    assert cluster.inputs["enabledClusterLogTypes"] == list(CONTROL_PLANE_LOGS)
    assert set(CONTROL_PLANE_LOGS) == {"api", "audit", "authenticator", "controllerManager", "scheduler"}
    assert cluster.inputs["encryptionConfigKeyArn"] == KEY
    assert cluster.inputs["autoMode"] == {"enabled": True}
    assert cluster.inputs["createOidcProvider"] is False
    assert cluster.inputs["deletionProtection"] is True and cluster.protect
    # Nodes only in private subnets; ALBs get the public ones through the IngressClassParams.
    assert cluster.inputs["privateSubnetIds"] == PRIVATE
    assert "publicSubnetIds" not in cluster.inputs and "subnetIds" not in cluster.inputs
    assert cluster.inputs["vpcId"] == "vpc-0a1b2c3d4e5f60718"
    assert "version" not in cluster.inputs  # the platform's default, not a pinned one


def test_cluster_public_endpoint_only_for_given_cidrs(https_plan: PlanResult) -> None:
    cluster = only(https_plan, EKS)
    assert cluster.inputs["endpointPublicAccess"] is True
    assert cluster.inputs["endpointPrivateAccess"] is True
    assert cluster.inputs["publicAccessCidrs"] == ["203.0.113.0/24"]
    assert cluster.inputs["version"] == "1.33"
    assert cluster.inputs["deletionProtection"] is False and not cluster.protect


def test_control_plane_log_group_precreated(plan: PlanResult) -> None:
    group = only(plan, LOG_GROUP)
    cluster = only(plan, EKS)
    assert group.inputs == {"name": f"/aws/eks/{CLUSTER_NAME}/cluster", "retentionInDays": 30, "kmsKeyId": KEY}
    assert group.protect
    assert group.urn in cluster.dependencies


def test_metrics_server_addon_waits_for_cluster(plan: PlanResult) -> None:
    addon = only(plan, ADDON)
    assert addon.inputs["addonName"] == "metrics-server"
    assert addon.inputs["clusterName"] == CLUSTER_NAME
    assert "addonVersion" not in addon.inputs
    assert only(plan, EKS).urn in addon.dependencies


@pytest.mark.parametrize(
    ("cidrs", "flag", "message"),
    [
        pytest.param(["0.0.0.0/0"], False, "opens the Kubernetes API to the internet", id="noncompliant_anywhere"),
        pytest.param(["::/0"], False, "allow_public_endpoint_anywhere=True", id="noncompliant_anywhere_v6"),
        pytest.param(["203.0.113.0/33"], False, "is not a CIDR", id="noncompliant_bad_cidr"),
    ],
)
def test_public_cidr_validation_rejects(cidrs: list[str], flag: bool, message: str) -> None:
    args: EksClusterArgs = {
        "vpc_id": "vpc-1",
        "private_subnet_ids": PRIVATE,
        "public_subnet_ids": PUBLIC,
        "kms_key_arn": KEY,
        "public_access_cidrs": cidrs,
        "allow_public_endpoint_anywhere": flag,
    }
    with pytest.raises(ValueError, match=re.escape(message)):
        validate_eks_cluster_args("c", args)


def test_anywhere_accepted_only_with_explicit_flag() -> None:
    args: EksClusterArgs = {
        "vpc_id": "vpc-1",
        "private_subnet_ids": PRIVATE,
        "public_subnet_ids": PUBLIC,
        "kms_key_arn": KEY,
        "public_access_cidrs": ["0.0.0.0/0"],
        "allow_public_endpoint_anywhere": True,
    }
    validate_eks_cluster_args("c", args)


def test_program_refuses_anywhere_before_registering_the_cluster() -> None:
    with pytest.raises(ValueError, match=re.escape("EksCluster delivery: public_access_cidrs: 0.0.0.0/0 opens")):
        run(cluster={"public_access_cidrs": ["0.0.0.0/0"]})


def test_other_cluster_validation_messages() -> None:
    args: EksClusterArgs = {
        "vpc_id": "vpc-1",
        "private_subnet_ids": [],
        "public_subnet_ids": PUBLIC,
        "kms_key_arn": KEY,
        "log_retention_days": 10,
    }
    with pytest.raises(ValueError) as error:
        validate_eks_cluster_args("c", args)
    assert str(error.value).startswith(
        "EksCluster c: private_subnet_ids must list at least one subnet; "
        "log_retention_days 10 is not a CloudWatch Logs retention; use one of 1, 3, 5, 7, 14, 30,"
    )


@given(st.text(min_size=1, max_size=60), st.text(min_size=1, max_size=60))
def test_cluster_names_are_valid_eks_names(project: str, name: str) -> None:
    result = cluster_name_for(project, "prod", name)
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}", result)


def test_kubernetes_provider_uses_the_cluster_kubeconfig(plan: PlanResult) -> None:
    provider = only(plan, K8S_PROVIDER)
    cluster = only(plan, EKS)
    assert provider.inputs["kubeconfig"] == cluster.outputs["kubeconfigJson"]
    kubeconfig = json.loads(provider.inputs["kubeconfig"])
    assert kubeconfig["kind"] == "Config" and kubeconfig["apiVersion"] == "v1"
    server = kubeconfig["clusters"][0]["cluster"]["server"]
    assert re.fullmatch(r"https://[0-9A-F]{32}\.gr7\.us-east-1\.eks\.amazonaws\.com", server)
    exec_ = kubeconfig["users"][0]["user"]["exec"]
    assert exec_["command"] == "aws"
    assert exec_["args"][2:6] == ["eks", "get-token", "--cluster-name", CLUSTER_NAME]
    assert kubeconfig["clusters"][0]["cluster"]["certificate-authority-data"]
    assert provider.inputs["enableServerSideApply"] in (True, "true")


def test_every_kubernetes_object_uses_the_cluster_provider(plan: PlanResult) -> None:
    provider = only(plan, K8S_PROVIDER)
    reference = f"{provider.urn}::{provider.id}"
    objs = kubernetes_objects(plan)
    assert len(objs) == 11
    assert all(r.provider == reference for r in objs), [r.name for r in objs if r.provider != reference]


def test_cluster_outputs(plan: PlanResult) -> None:
    outputs = plan.stack_outputs()
    assert outputs["cluster_name"] == CLUSTER_NAME
    assert outputs["cluster_arn"] == f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/{CLUSTER_NAME}"
    assert re.fullmatch(r"sg-[0-9a-f]{17}", outputs["cluster_security_group_id"])
    assert outputs["ingress_class_name"] == INGRESS_CLASS


def test_ingress_class_params(plan: PlanResult) -> None:
    params = only(plan, PARAMS)
    assert params.inputs["apiVersion"] == "eks.amazonaws.com/v1" and params.inputs["kind"] == "IngressClassParams"
    assert params.inputs["metadata"]["name"] == INGRESS_CLASS
    assert params.inputs["spec"] == {
        "scheme": "internet-facing",
        "subnets": {"ids": PUBLIC},
        "loadBalancerAttributes": [{"key": "routing.http.drop_invalid_header_fields.enabled", "value": "true"}],
    }
    klass = only(plan, INGRESS_CLASS_TYPE)
    assert klass.inputs["spec"] == {
        "controller": "eks.amazonaws.com/alb",
        "parameters": {"apiGroup": "eks.amazonaws.com", "kind": "IngressClassParams", "name": INGRESS_CLASS},
    }
    # Not the default class: nothing gets an internet-facing ALB without asking for it.
    assert "ingressclass.kubernetes.io/is-default-class" not in klass.inputs["metadata"].get("annotations", {})
    assert params.urn in klass.dependencies


# EksWorkload


def test_workload_children(plan: PlanResult) -> None:
    component = only(plan, "container-delivery:index:EksWorkload")
    children = {(r.type, r.name) for r in plan.resources if r.parent == component.urn}
    assert children == {
        (NAMESPACE, "web-namespace"),
        (ACCOUNT_TYPE, "web-service-account"),
        (DEPLOYMENT, "web-deployment"),
        (SERVICE, "web-service"),
        (PDB, "web-pdb"),
        (HPA, "web-hpa"),
        (INGRESS, "web-ingress"),
        (ROLE, "web-deploy-role"),
        (BINDING, "web-deploy-binding"),
    }
    namespaced = [r for r in plan.resources if r.parent == component.urn and r.type != NAMESPACE]
    assert {r.inputs["metadata"]["namespace"] for r in namespaced} == {"web"}


def test_namespace_enforces_restricted_pod_security(plan: PlanResult) -> None:
    labels = only(plan, NAMESPACE).inputs["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"


def test_service_account_mounts_no_token(plan: PlanResult) -> None:
    assert only(plan, ACCOUNT_TYPE).inputs["automountServiceAccountToken"] is False


def test_deployment_security_and_rollout(plan: PlanResult) -> None:
    deployment = only(plan, DEPLOYMENT).inputs
    spec = deployment["spec"]
    assert "replicas" not in spec  # the HPA owns the count
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}
    assert deployment["metadata"]["annotations"]["pulumi.com/patchForce"] == "true"
    pod = spec["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["serviceAccountName"] == "web"
    assert pod["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "runAsGroup": 10001,
        "fsGroup": 10001,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert {c["topologyKey"] for c in pod["topologySpreadConstraints"]} == {
        "topology.kubernetes.io/zone",
        "kubernetes.io/hostname",
    }
    assert pod["volumes"] == [{"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}}]
    (container,) = pod["containers"]
    assert container["image"] == IMAGE
    assert container["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "runAsGroup": 10001,
        "readOnlyRootFilesystem": True,
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert container["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
    assert container["env"] == [{"name": "PORT", "value": "8080"}]
    assert container["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["resources"] == {
        "requests": {"cpu": "250m", "memory": "512Mi"},
        "limits": {"cpu": "250m", "memory": "512Mi"},
    }


def test_deployment_sizes_from_settings(https_plan: PlanResult) -> None:
    (container,) = only(https_plan, DEPLOYMENT).inputs["spec"]["template"]["spec"]["containers"]
    assert container["resources"]["limits"] == {"cpu": "500m", "memory": "1024Mi"}
    assert container["ports"][0]["containerPort"] == 9000
    assert container["env"] == [{"name": "PORT", "value": "9000"}]


def test_service_pdb_and_hpa(plan: PlanResult, https_plan: PlanResult) -> None:
    service = only(plan, SERVICE).inputs["spec"]
    assert service["type"] == "ClusterIP"
    assert service["ports"] == [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]
    pdb = only(plan, PDB).inputs["spec"]
    assert pdb["maxUnavailable"] == 1 and pdb["unhealthyPodEvictionPolicy"] == "AlwaysAllow"
    assert pdb["selector"] == {"matchLabels": {"app.kubernetes.io/name": "web"}}
    for result, low, high in ((plan, 2, 4), (https_plan, 3, 6)):
        hpa = only(result, HPA).inputs["spec"]
        assert (hpa["minReplicas"], hpa["maxReplicas"]) == (low, high)
        assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
        assert hpa["metrics"][0]["resource"] == {
            "name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": 70},
        }


def test_ingress_http(plan: PlanResult) -> None:
    ingress = only(plan, INGRESS).inputs
    annotations = ingress["metadata"]["annotations"]
    assert annotations == {
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/healthcheck-path": "/healthz",
        "alb.ingress.kubernetes.io/success-codes": "200-399",
        "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}]',
    }
    assert ingress["spec"]["ingressClassName"] == INGRESS_CLASS
    (path,) = ingress["spec"]["rules"][0]["http"]["paths"]
    assert path["backend"] == {"service": {"name": "web", "port": {"number": 80}}}
    assert only(plan, SERVICE).urn in only(plan, INGRESS).dependencies


def test_ingress_https_redirects_and_pins_tls_policy(https_plan: PlanResult) -> None:
    annotations = only(https_plan, INGRESS).inputs["metadata"]["annotations"]
    assert json.loads(annotations["alb.ingress.kubernetes.io/listen-ports"]) == [{"HTTP": 80}, {"HTTPS": 443}]
    assert annotations["alb.ingress.kubernetes.io/certificate-arn"] == CERT
    assert annotations["alb.ingress.kubernetes.io/ssl-redirect"] == "443"
    assert annotations["alb.ingress.kubernetes.io/ssl-policy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"


def test_deploy_rbac_is_least_privilege(plan: PlanResult) -> None:
    role = only(plan, ROLE).inputs
    assert role["rules"] == [
        {
            "apiGroups": ["apps"],
            "resources": ["deployments"],
            "resourceNames": ["web"],
            "verbs": ["get", "list", "watch", "patch"],
        },
        {"apiGroups": ["apps"], "resources": ["replicasets"], "verbs": ["get", "list", "watch"]},
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]},
    ]
    verbs = {v for rule in role["rules"] for v in rule["verbs"]}
    assert not verbs & {"*", "create", "delete", "update", "escalate", "bind", "impersonate"}
    binding = only(plan, BINDING).inputs
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "web-deployer"}
    assert binding["subjects"] == [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "cicd-deploy-web"}
    ]


def test_workload_outputs(plan: PlanResult) -> None:
    outputs = plan.stack_outputs()
    assert {k: v for k, v in outputs.items() if k.startswith("web_")} == {
        "web_namespace": "web",
        "web_deployment_name": "web",
        "web_container_name": "web",
        "web_service_name": "web",
        "web_deploy_group": "cicd-deploy-web",
        "web_url": "pending",  # mocks publish no ingress status
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"container_port": 80}, "container_port 80 must be 1024-65535", id="noncompliant_low_port"),
        pytest.param({"health_check_path": "healthz"}, "must start with '/'", id="noncompliant_path"),
        pytest.param({"desired_count": 0}, "desired_count must be at least 1", id="noncompliant_count"),
    ],
)
def test_workload_validation(change: dict[str, Any], message: str) -> None:
    args = {"cluster_name": "c", "provider": None, "image": IMAGE, "ingress_class_name": "x", **change}
    with pytest.raises(ValueError, match=re.escape(message)):
        validate_eks_workload_args("web", cast(EksWorkloadArgs, args))


def test_workload_rejects_names_kubernetes_rejects() -> None:
    with pytest.raises(ValueError, match="name 'Web_1' must be lowercase"):
        validate_eks_workload_args("Web_1", cast(EksWorkloadArgs, {}))


# Independent validators: kubernetes-validate (API schemas) and botocore (EKS API)


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("plan_name", ["plan", "https_plan"])
def test_every_recorded_object_passes_kubernetes_validate(
    plan_name: str, version: str, request: pytest.FixtureRequest
) -> None:
    result: PlanResult = request.getfixturevalue(plan_name)
    checked = 0
    for reg in kubernetes_objects(result):
        if reg.type in CRDS:
            continue
        kubernetes_validate.validate(manifest(reg), version, strict=True)
        checked += 1
    assert checked == 10


def pure_objects(certificate: str | None, desired: int) -> list[dict[str, Any]]:
    return [
        objects.namespace("api"),
        objects.service_account("api", "api"),
        objects.deployment(
            name="api",
            ns="api",
            image=IMAGE,
            port=8080,
            health_check_path="/ready",
            cpu=1024,
            memory=2048,
            environment={"WHOAMI_PORT_NUMBER": "8080", "PORT": "ignored"},
        ),
        objects.service("api", "api"),
        objects.pod_disruption_budget("api", "api"),
        objects.horizontal_pod_autoscaler("api", "api", desired),
        objects.ingress(
            name="api", ns="api", ingress_class=INGRESS_CLASS, health_check_path="/ready", certificate_arn=certificate
        ),
        objects.deploy_role("api", "api"),
        objects.deploy_role_binding("api", "api", "cicd-deploy-api"),
        objects.ingress_class(INGRESS_CLASS),
    ]


@pytest.mark.parametrize(("certificate", "desired"), [(None, 1), (CERT, 5)])
def test_pure_objects_pass_kubernetes_validate(certificate: str | None, desired: int) -> None:
    for obj in pure_objects(certificate, desired):
        for version in K8S_VERSIONS:
            kubernetes_validate.validate(obj, version, strict=True)


def test_environment_never_overrides_port() -> None:
    deployment = pure_objects(None, 1)[2]
    assert deployment["spec"]["template"]["spec"]["containers"][0]["env"] == [
        {"name": "PORT", "value": "8080"},
        {"name": "WHOAMI_PORT_NUMBER", "value": "8080"},
    ]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        pytest.param(("spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"), "8080", id="port_str"),
        pytest.param(("spec", "strategy", "rollingUpdate", "maxSurge"), [1], id="surge_list"),
        pytest.param(("spec", "template", "spec", "automountServiceAccountToken"), "false", id="automount_str"),
        pytest.param(("spec", "template", "spec", "securityContext", "runAsUsr"), 10001, id="unknown_field"),
    ],
)
def test_kubernetes_validate_bites(path: tuple[str | int, ...], value: Any) -> None:
    deployment = json.loads(json.dumps(pure_objects(None, 2)[2]))
    target: Any = deployment
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSIONS[0], strict=True)


def create_cluster_request(inputs: dict[str, Any]) -> dict[str, Any]:
    """pulumi-eks's inputs as the EKS CreateCluster call it makes (cluster role from its own ServiceRole)."""
    vpc: dict[str, Any] = {
        "subnetIds": inputs["privateSubnetIds"],
        "endpointPrivateAccess": inputs["endpointPrivateAccess"],
        "endpointPublicAccess": inputs["endpointPublicAccess"],
    }
    if "publicAccessCidrs" in inputs:
        vpc["publicAccessCidrs"] = inputs["publicAccessCidrs"]
    auto = inputs["autoMode"]["enabled"]
    request = {
        "name": inputs["name"],
        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/delivery-cluster-eksRole-role-0a1b2c3",
        "resourcesVpcConfig": vpc,
        "logging": {"clusterLogging": [{"types": inputs["enabledClusterLogTypes"], "enabled": True}]},
        "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": inputs["encryptionConfigKeyArn"]}}],
        "accessConfig": {
            "authenticationMode": inputs["authenticationMode"],
            "bootstrapClusterCreatorAdminPermissions": True,
        },
        "bootstrapSelfManagedAddons": not auto,
        "computeConfig": {
            "enabled": auto,
            "nodePools": ["general-purpose", "system"],
            "nodeRoleArn": f"arn:aws:iam::{ACCOUNT}:role/delivery-cluster-nodeRole-role-0a1b2c3",
        },
        "kubernetesNetworkConfig": {"ipFamily": "ipv4", "elasticLoadBalancing": {"enabled": auto}},
        "storageConfig": {"blockStorage": {"enabled": auto}},
        "deletionProtection": inputs["deletionProtection"],
    }
    if "version" in inputs:
        request["version"] = inputs["version"]
    return request


EKS_MODEL = botocore.session.get_session().get_service_model("eks")


@pytest.mark.parametrize("plan_name", ["plan", "https_plan"])
def test_create_cluster_request_matches_eks_api(plan_name: str, request: pytest.FixtureRequest) -> None:
    result: PlanResult = request.getfixturevalue(plan_name)
    params = create_cluster_request(only(result, EKS).inputs)
    validate_parameters(params, EKS_MODEL.operation_model("CreateCluster").input_shape)
    log_types = EKS_MODEL.shape_for("LogType").enum
    assert set(params["logging"]["clusterLogging"][0]["types"]) == set(log_types)


def test_addon_request_matches_eks_api(plan: PlanResult) -> None:
    addon = only(plan, ADDON).inputs
    params = {
        "clusterName": addon["clusterName"],
        "addonName": addon["addonName"],
        "resolveConflicts": addon["resolveConflictsOnCreate"],
    }
    validate_parameters(params, EKS_MODEL.operation_model("CreateAddon").input_shape)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"resourcesVpcConfig": {"endpointPublicAccess": "no"}}, id="wrong_type"),
        pytest.param({"name": ""}, id="empty_name"),
        pytest.param({"encryptionConfig": {"resources": ["secrets"]}}, id="not_a_list"),
    ],
)
def test_eks_api_validation_bites(change: dict[str, Any], plan: PlanResult) -> None:
    params = {**create_cluster_request(only(plan, EKS).inputs), **change}
    with pytest.raises(ParamValidationError):
        validate_parameters(params, EKS_MODEL.operation_model("CreateCluster").input_shape)


@pytest.mark.parametrize("plan_name", ["plan", "https_plan"])
def test_policy_pack_passes(plan_name: str, request: pytest.FixtureRequest) -> None:
    result: PlanResult = request.getfixturevalue(plan_name)
    verdicts = evaluate(deployment(result)["deployment"]["resources"])
    assert verdicts.violations == []


def test_policy_pack_rejects_an_endpoint_open_to_anywhere() -> None:
    result = run(cluster={"public_access_cidrs": ["0.0.0.0/0"], "allow_public_endpoint_anywhere": True})
    verdicts = evaluate(deployment(result)["deployment"]["resources"])
    assert [(v.policy, v.enforcementLevel) for v in verdicts.violations] == [("eks-endpoint-not-public", "mandatory")]


# Pure sizing


@given(st.integers(min_value=1, max_value=16384))
def test_cpu_quantity_is_millicores(units: int) -> None:
    quantity = objects.cpu_quantity(units)
    assert re.fullmatch(r"\d+m", quantity)
    assert abs(int(quantity[:-1]) - units * 1000 / 1024) < 1


@given(st.integers(min_value=1, max_value=1000))
def test_max_replicas_leaves_room(desired: int) -> None:
    high = objects.max_replicas(desired)
    assert high >= 3 and high >= 2 * desired and high > desired
