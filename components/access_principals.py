"""Who may use an EKS cluster besides its creator: the rule the settings loader and `ClusterAccess` share.

Cluster administrators get `AmazonEKSClusterAdminPolicy` on the whole cluster; viewers get
`AmazonEKSViewPolicy` scoped to the services' namespaces. Principals are IAM role ARNs (people
and CI assume roles; an IAM user's long-lived keys are not a way into production).
"""

import re
from collections.abc import Sequence

ROLE_ARN = re.compile(r"^arn:aws(-cn|-us-gov)?:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
ADMIN_POLICY = "AmazonEKSClusterAdminPolicy"
VIEW_POLICY = "AmazonEKSViewPolicy"


def access_policy_arn(partition: str, policy: str) -> str:
    return f"arn:{partition}:eks::aws:cluster-access-policy/{policy}"


def principal_problems(admins: Sequence[object], viewers: Sequence[object]) -> list[tuple[str, object, str]]:
    """(key, value, expected) for every principal that is not a role ARN or is in both lists."""
    problems: list[tuple[str, object, str]] = []
    for key, values in (("clusterAdmins", admins), ("clusterViewers", viewers)):
        for value in values:
            if not isinstance(value, str) or not ROLE_ARN.fullmatch(value):
                problems.append((key, value, "an IAM role ARN such as arn:aws:iam::111122223333:role/operators"))
        if len(set(map(str, values))) != len(values):
            problems.append((key, list(values), "each role once"))
    for both in sorted(set(map(str, admins)) & set(map(str, viewers))):
        problems.append(("clusterViewers", both, "a role that is not also in clusterAdmins (admins can view)"))
    return problems
