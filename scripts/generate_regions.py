"""Regenerate components/aws_regions.py from botocore's endpoint data (a dev dependency).

Run `.venv/bin/python scripts/generate_regions.py` after upgrading botocore; a test fails
while the vendored list and botocore's data disagree.
"""

import json
from pathlib import Path

import botocore

ROOT = Path(__file__).resolve().parents[1]


def regions_by_partition() -> dict[str, list[str]]:
    data = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    return {p["partition"]: sorted(p["regions"]) for p in data["partitions"]}


def render() -> str:
    lines = [
        '"""AWS regions by partition, generated from botocore\'s `data/endpoints.json`.',
        "",
        f"Source: botocore {botocore.__version__}; regenerate with `scripts/generate_regions.py`.",
        "Vendored so that `pulumi up` does not need botocore; tests compare it with botocore's data.",
        '"""',
        "",
        f'BOTOCORE_VERSION = "{botocore.__version__}"',
        "",
        "REGIONS: dict[str, tuple[str, ...]] = {",
    ]
    for partition, regions in regions_by_partition().items():
        lines.append(f'    "{partition}": (')
        lines.extend(f'        "{r}",' for r in regions)
        lines.append("    ),")
    lines += ["}", "", "ALL_REGIONS: frozenset[str] = frozenset(r for rs in REGIONS.values() for r in rs)", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    (ROOT / "components" / "aws_regions.py").write_text(render())
