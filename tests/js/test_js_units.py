"""The browser half's unit tests (tsc --noEmit, then node --test), run by pytest so `make test` runs them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parents[2] / "js"


def test_typescript_compiles_and_js_unit_tests_pass():
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is not installed; the JS unit tests need Node.js >= 18")
    if not (JS / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS, check=True, capture_output=True)
    done = subprocess.run([npm, "test"], cwd=JS, capture_output=True, text=True, timeout=300)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report[-6000:]
    assert "# fail 0" in report
    passed = int(report.split("# pass ")[1].split()[0])
    assert passed >= 50, f"only {passed} JS tests ran"
