"""The local policy pack works from a fresh clone: scripts/bootstrap creates the virtualenv the CLI runs it with.

`pulumi preview --policy-pack policies` starts the pack as `policies/<virtualenv>/bin/python` (the
`virtualenv` runtime option of PulumiPolicy.yaml) and never creates it (docs/ci.md cites the
pulumi/pulumi sources). The test runs that interpreter on the pack's rules as the CLI would.
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest
import yaml

from policies.rules import pack_policies
from tests.conftest import ROOT

PACK = ROOT / "policies"
VIRTUALENV = yaml.safe_load((PACK / "PulumiPolicy.yaml").read_text())["runtime"]["options"]["virtualenv"]
PYTHON = PACK / VIRTUALENV / "bin" / "python"
LIST_POLICIES = "from rules import pack_policies; print('\\n'.join(p.name for p in pack_policies()))"


def test_bootstrap_creates_the_packs_virtualenv_idempotently() -> None:
    script = (ROOT / "scripts" / "bootstrap").read_text()
    assert f"[ -x policies/{VIRTUALENV}/bin/python ] || python3 -m venv policies/{VIRTUALENV}\n" in script
    install = f"policies/{VIRTUALENV}/bin/python -m pip install --quiet --disable-pip-version-check -r "
    assert f"{install}policies/requirements.txt\n" in script
    assert f"policies/{VIRTUALENV}/" in (ROOT / ".gitignore").read_text().splitlines()


def test_the_pack_imports_and_lists_its_policies_from_its_own_virtualenv() -> None:
    if not PYTHON.exists():
        # CI's `bash scripts/bootstrap` creates it, so there the test must run.
        assert not os.environ.get("CI"), f"{PYTHON} is missing although scripts/bootstrap ran"
        print(f"skipped: {PYTHON} does not exist here; `bash scripts/bootstrap` creates it")
        pytest.skip(f"{PYTHON} does not exist here; `bash scripts/bootstrap` creates it")
    # As the language host runs it: the pack's directory as working directory, its own interpreter.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(
        [str(PYTHON), "-c", LIST_POLICIES], cwd=PACK, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [p.name for p in pack_policies()]
    version = subprocess.run(
        [str(PYTHON), "-c", "import pulumi_policy, importlib.metadata as m; print(m.version('pulumi-policy'))"],
        cwd=PACK,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    pinned = re.search(r"^pulumi-policy==(\S+)$", (PACK / "requirements.txt").read_text(), re.MULTILINE)
    assert pinned and version.stdout.strip() == pinned[1]
