"""The built wheel carries the browser bundle: built from a clean copy of the sources (no node_modules, no
prebuilt bundle), through the sdist, the way a user's `pip install` or a release would build it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def source_files() -> list[str]:
    """What a fresh clone holds: tracked files plus new ones not ignored (work in progress included)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


@pytest.mark.slow
def test_the_wheel_contains_the_bundle_built_from_clean_sources(tmp_path):
    if shutil.which("npm") is None:
        pytest.fail("npm is not installed; building the package needs Node.js >= 18")
    src = tmp_path / "src"
    for name in source_files():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, src / name)
    assert not (src / "ideogram_widgets" / "static" / "mask_painter.js").exists()
    assert not (src / "js" / "node_modules").exists()

    uv = Path(sys.executable).parent / "uv"
    cmd = [str(uv), "build"] if uv.exists() else [sys.executable, "-m", "build"]
    done = subprocess.run(
        [*cmd, "--out-dir", str(tmp_path / "dist")], cwd=src, capture_output=True, text=True
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-5000:]

    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        bundle = zf.read("ideogram_widgets/static/mask_painter.js").decode()
        styles = zf.read("ideogram_widgets/static/mask_painter.css").decode()
    assert "ideogram_widgets/widgets/mask_painter.py" in names
    assert "data-lm-suppress-shortcuts" in bundle
    assert re.search(r"\bexport\s*\{", bundle)  # an ES module...
    assert not re.search(r"""\bfrom\s*["']|\bimport\s*\(?\s*["']""", bundle)  # ...importing nothing (no CDN)
    assert ".iw-painter" in styles
    assert not any(name.endswith(".ts") or "node_modules" in name for name in names)

    (sdist,) = (tmp_path / "dist").glob("*.tar.gz")
    with tarfile.open(sdist) as tf:
        members = {m.name.split("/", 1)[1] for m in tf.getmembers() if "/" in m.name}
    assert {"js/package.json", "js/package-lock.json", "js/src/index.ts", "js/src/model.ts"} <= members
    assert not any("node_modules" in m for m in members)
