"""Availability Zones per region, as the mocks answer `aws.getAvailabilityZones(state="available")`.

Source: the AWS Global Infrastructure guide, "AWS Availability Zones" and "AZ IDs"
(https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html),
read 2026-12. Constrained zones (closed to new accounts: use1-az3, usw1-az2, apne1-az3,
cac1-az3) are left out, so a count here is what a new account can use. An account may see
more zones in the oldest regions; `aws ec2 describe-availability-zones --region <region>` says.
"""

# region -> AZ ids of the zones a new account can use, in the order of their names (a, b, c, ...).
ZONE_IDS: dict[str, tuple[str, ...]] = {
    "us-east-1": ("use1-az1", "use1-az2", "use1-az4", "use1-az5", "use1-az6"),
    "us-east-2": ("use2-az1", "use2-az2", "use2-az3"),
    "us-west-1": ("usw1-az1", "usw1-az3"),
    "us-west-2": ("usw2-az1", "usw2-az2", "usw2-az3", "usw2-az4"),
    "ca-central-1": ("cac1-az1", "cac1-az2", "cac1-az4"),
    "ca-west-1": ("caw1-az1", "caw1-az2", "caw1-az3"),
    "mx-central-1": ("mxc1-az1", "mxc1-az2", "mxc1-az3"),
    "us-gov-east-1": ("usge1-az1", "usge1-az2", "usge1-az3"),
    "us-gov-west-1": ("usgw1-az1", "usgw1-az2", "usgw1-az3"),
    "af-south-1": ("afs1-az1", "afs1-az2", "afs1-az3"),
    "ap-east-1": ("ape1-az1", "ape1-az2", "ape1-az3"),
    "ap-east-2": ("ape2-az1", "ape2-az2", "ape2-az3"),
    "ap-northeast-1": ("apne1-az1", "apne1-az2", "apne1-az4"),
    "ap-northeast-2": ("apne2-az1", "apne2-az2", "apne2-az3", "apne2-az4"),
    "ap-northeast-3": ("apne3-az1", "apne3-az2", "apne3-az3"),
    "ap-south-1": ("aps1-az1", "aps1-az2", "aps1-az3"),
    "ap-south-2": ("aps2-az1", "aps2-az2", "aps2-az3"),
    "ap-southeast-1": ("apse1-az1", "apse1-az2", "apse1-az3"),
    "ap-southeast-2": ("apse2-az1", "apse2-az2", "apse2-az3"),
    "ap-southeast-3": ("apse3-az1", "apse3-az2", "apse3-az3"),
    "ap-southeast-4": ("apse4-az1", "apse4-az2", "apse4-az3"),
    "ap-southeast-5": ("apse5-az1", "apse5-az2", "apse5-az3"),
    "ap-southeast-6": ("apse6-az1", "apse6-az2", "apse6-az3"),
    "ap-southeast-7": ("apse7-az1", "apse7-az2", "apse7-az3"),
    "cn-north-1": ("cnn1-az1", "cnn1-az2", "cnn1-az4"),
    "cn-northwest-1": ("cnnw1-az1", "cnnw1-az2", "cnnw1-az3"),
    "eu-central-1": ("euc1-az1", "euc1-az2", "euc1-az3"),
    "eu-central-2": ("euc2-az1", "euc2-az2", "euc2-az3"),
    "eu-north-1": ("eun1-az1", "eun1-az2", "eun1-az3"),
    "eu-south-1": ("eus1-az1", "eus1-az2", "eus1-az3"),
    "eu-south-2": ("eus2-az1", "eus2-az2", "eus2-az3"),
    "eu-west-1": ("euw1-az1", "euw1-az2", "euw1-az3"),
    "eu-west-2": ("euw2-az1", "euw2-az2", "euw2-az3"),
    "eu-west-3": ("euw3-az1", "euw3-az2", "euw3-az3"),
    "il-central-1": ("ilc1-az1", "ilc1-az2", "ilc1-az3"),
    "me-central-1": ("mec1-az1", "mec1-az2", "mec1-az3"),
    "me-south-1": ("mes1-az1", "mes1-az2", "mes1-az3"),
    "sa-east-1": ("sae1-az1", "sae1-az2", "sae1-az3"),
}

# Every region AWS opens has at least three zones; one missing above gets three.
DEFAULT_ZONES = 3


def available_zones(region: str) -> tuple[list[str], list[str]]:
    """(names, ids) of the zones `describe-availability-zones` lists as available in `region`."""
    ids = ZONE_IDS.get(region)
    if ids is None:
        short = "".join(part[0] if not part.isdigit() else part for part in region.split("-"))
        ids = tuple(f"{short}-az{i}" for i in range(1, DEFAULT_ZONES + 1))
    return [f"{region}{chr(ord('a') + i)}" for i in range(len(ids))], list(ids)
