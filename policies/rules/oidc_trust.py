"""OIDC trust: a role that a federated OIDC provider may assume names who, by the token's `sub`
claim, and for which audience, by its `aud` claim.

Without a `sub` condition any GitHub repository (any workflow of any owner) or any service account
of an EKS cluster gets the role's credentials. The trust policy is parsed (iam_documents), never
matched as text; an unreadable one is reported by iam-policy-document-readable.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from typing import Any

from .iam_documents import DocumentError, Stmt, condition_entries, normalised, parse
from .registry import Config, Resource, resource_rule

ROLE = "aws:iam/role:Role"
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
GITHUB = "token.actions.githubusercontent.com"
EKS_ISSUER = re.compile(r"oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/id/[A-Za-z0-9]+")
SUBJECT_OPERATORS = ("stringequals", "stringlike")
WILDCARDS = ("*", "?")
GITHUB_SUBJECT = re.compile(r"repo:(?P<owner>[^/:]+)/(?P<repo>[^/:]+):(?P<context>.+)")
GITHUB_CONTEXT = re.compile(r"(?:ref:refs/(?:heads|tags)/|ref:refs/|environment:)(?P<name>.+)")
SERVICE_ACCOUNT = re.compile(r"system:serviceaccount:(?P<namespace>[^:]+):(?P<name>[^:]+)")


def provider_of(federated: str) -> str | None:
    """The issuer (host and path) a Federated principal names; None for a SAML provider."""
    if not federated.startswith("arn:"):
        return federated  # a well-known provider named directly: accounts.google.com, cognito-identity...
    _account, sep, issuer = federated.partition(":oidc-provider/")
    return issuer if sep else None


def _wild(text: str) -> bool:
    return any(w in text for w in WILDCARDS)


def subject_problem(provider: str, subject: str) -> str | None:
    """Why `subject` (a value the sub condition admits) is too broad; None when it names specific callers.
    Wildcards are judged whatever the operator: a `*` under StringEquals is a wildcard meant."""
    if provider == GITHUB:
        match = GITHUB_SUBJECT.fullmatch(subject)
        if match is None or _wild(match["owner"]) or _wild(match["repo"]):
            return "name repo:<owner>/<repository>:..., with no wildcard in owner or repository"
        if match["context"] == "pull_request":
            return None  # the pull-request jobs of that one repository (docs/ci.md: the read-only preview role)
        context = GITHUB_CONTEXT.fullmatch(match["context"])
        if context is None or context["name"][0] in WILDCARDS:
            return "name a ref (ref:refs/heads/<branch>) or an environment (environment:<name>), not every one"
        return None
    if EKS_ISSUER.fullmatch(provider):
        account = SERVICE_ACCOUNT.fullmatch(subject)
        if account is None or _wild(account["namespace"]) or _wild(account["name"]):
            return "name system:serviceaccount:<namespace>:<service account>, with no wildcard"
        return None
    if not subject or subject[0] in WILDCARDS:
        return "name the subjects, with no leading wildcard"
    return None


def _positive(operator: str) -> bool:
    """Operators that hold only when the key is present and matches (no Not, IfExists or ForAllValues)."""
    lowered = operator.lower()
    return not (lowered.startswith("forallvalues:") or lowered.endswith("ifexists") or "not" in lowered)


def _claims(stmt: Stmt, key: str) -> list[tuple[str, list[Any]]]:
    """(operator, values) of the positive conditions on `key` (condition keys are case-insensitive)."""
    return [
        (operator, values)
        for operator, name, values in condition_entries(stmt)
        if name.lower() == key.lower() and _positive(operator)
    ]


def _who(provider: str) -> str:
    if provider == GITHUB:
        return "any GitHub repository"
    if EKS_ISSUER.fullmatch(provider):
        return "any service account of the cluster"
    return f"any identity {provider} signs for"


@functools.lru_cache(maxsize=4096)
def _statements(raw: str) -> tuple[Stmt, ...]:
    try:
        document = parse(raw)
        return tuple(normalised(document)) if document is not None else ()
    except DocumentError:
        return ()


def _trust(resource: Resource) -> Sequence[Stmt]:
    raw = resource.props.get("assumeRolePolicy")
    if isinstance(raw, str):
        return _statements(raw)
    try:
        document = parse(raw)
        return normalised(document) if document is not None else ()
    except DocumentError:
        return ()


@resource_rule(
    name="iam-oidc-trust-subject",
    types=[ROLE],
    description="A role trusted by an OIDC provider (GitHub Actions, an EKS IRSA issuer, any other) checks the "
    "token's aud and constrains its sub (StringEquals/StringLike on <provider>:sub) to specific repositories and "
    "refs, environments or pull requests, or namespaces and service accounts (mandatory: otherwise anyone the "
    "provider signs for assumes the role).",
    severity="critical",
    remediation="Add StringEquals <provider>:aud sts.amazonaws.com and StringEquals/StringLike <provider>:sub "
    "repo:<owner>/<repo>:ref:refs/heads/<branch> (or :environment:<name>), or "
    "system:serviceaccount:<namespace>:<service account> for EKS.",
)
def oidc_trust_subject(resource: Resource, config: Config) -> Iterator[str]:
    for stmt in _trust(resource):
        if not stmt.grants(WEB_IDENTITY):
            continue
        for kind, federated in stmt.principals:
            provider = provider_of(federated) if kind.lower() == "federated" else None
            if provider is None:
                continue
            where = f"assumeRolePolicy {stmt.label} trusts {provider}"
            audiences = _claims(stmt, f"{provider}:aud")
            if not any(values and all(str(v) not in WILDCARDS for v in values) for _op, values in audiences):
                yield (
                    f"{where} without a condition on {provider}:aud: add StringEquals {provider}:aud with the "
                    "audience (sts.amazonaws.com for GitHub Actions and EKS)"
                )
            subjects = [
                (op, values) for op, values in _claims(stmt, f"{provider}:sub") if op.lower() in SUBJECT_OPERATORS
            ]
            if not subjects:
                yield (
                    f"{where} without a StringEquals/StringLike condition on {provider}:sub, so {_who(provider)} "
                    f"can assume the role: constrain {provider}:sub to the callers"
                )
            # Condition operators are ANDed: one block that names only specific callers is enough.
            problems = [
                [(str(v), subject_problem(provider, str(v))) for v in values] or [("", "list the callers")]
                for _operator, values in subjects
            ]
            if subjects and all(any(problem for _v, problem in block) for block in problems):
                for value, problem in (item for block in problems for item in block):
                    if problem:
                        yield f"{where} and lets {provider}:sub match {value!r}: {problem}"
