"""The CrossGuard policy pack: `pulumi preview --policy-pack policies`.

Only constructs the pack (which starts the analyzer server and blocks). The rules live in
`rules/`, importable without this side effect.
"""

from pulumi_policy import EnforcementLevel, PolicyPack
from rules import PACK_NAME, pack_policies

PolicyPack(name=PACK_NAME, policies=pack_policies(), enforcement_level=EnforcementLevel.ADVISORY)
