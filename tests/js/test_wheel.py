"""The built wheel carries the browser bundle: built from a clean copy of the sources (no node_modules, no
prebuilt bundle), through the sdist, the way a user's `pip install` or a release would build it."""

from __future__ import annotations

import json
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


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdist and wheel built from a clean copy of the sources (no node_modules, no prebuilt bundle)."""
    tmp_path = tmp_path_factory.mktemp("build")
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
    return tmp_path / "dist"


@pytest.mark.slow
def test_the_wheel_contains_the_bundle_built_from_clean_sources(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        bundle = zf.read("ideogram_widgets/static/mask_painter.js").decode()
        styles = zf.read("ideogram_widgets/static/mask_painter.css").decode()
    assert "ideogram_widgets/widgets/_mask_painter.py" in names
    assert "data-lm-suppress-shortcuts" in bundle
    assert re.search(r"\bexport\s*\{", bundle)  # an ES module...
    assert not re.search(r"""\bfrom\s*["']|\bimport\s*\(?\s*["']""", bundle)  # ...importing nothing (no CDN)
    assert ".iw-painter" in styles
    assert not any(name.endswith(".ts") or "node_modules" in name for name in names)

    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as tf:
        members = {m.name.split("/", 1)[1] for m in tf.getmembers() if "/" in m.name}
    assert {"js/package.json", "js/package-lock.json", "js/src/index.ts", "js/src/model.ts"} <= members
    assert not any("node_modules" in m for m in members)


RENDER = """
import json, ideogram_widgets as iw
edit = iw.EditWidget(iw.sample_image(64, 48), prompt="x")
reframe = iw.ReframeWidget(iw.sample_image(64, 48))
painter = edit.painter.get_state()
print(json.dumps({
    "width": painter["image_width"], "png": bytes(painter["display_image"][:4]).hex(),
    "esm": len(str(edit.painter._esm)), "token_esm": len(str(edit.token._esm)),
    "resolution": str(reframe.resolution), "banner": edit.banner.value,
}))
"""


@pytest.mark.slow
def test_the_wheel_installs_and_renders_without_node(dist: Path, tmp_path: Path) -> None:
    """A user's install: the wheel into a fresh environment whose PATH has no node or npm, then widgets
    built and their state rendered (the bundle comes from the wheel, nothing is built)."""
    uv = Path(sys.executable).parent / "uv"
    if not uv.exists():
        pytest.skip("uv is installed by `make env`; this test uses it to make a fresh environment fast")
    (wheel,) = dist.glob("*.whl")
    venv = tmp_path / "venv"
    subprocess.run([str(uv), "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    done = subprocess.run(
        [str(uv), "pip", "install", "-q", "--python", str(python), str(wheel)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    env = {
        "PATH": str(venv / "bin"),  # no node or npm (Debian puts node in /usr/bin), no dev tools
        "HOME": str(tmp_path),
        "IDEOGRAM_WIDGETS_HOME": str(tmp_path / "journal"),
    }
    probe = ["/bin/sh", "-c", "command -v node || command -v npm"]
    no_node = subprocess.run(probe, env=env, capture_output=True)
    assert no_node.returncode != 0
    out = subprocess.run([str(python), "-c", RENDER], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    state = json.loads(out.stdout.strip().splitlines()[-1])
    assert state["width"] == 64
    assert state["png"] == "89504e47"  # the display copy crosses as PNG bytes
    assert state["esm"] > 10_000  # the painter's bundle, read from the installed wheel
    assert state["token_esm"] > 500
    assert state["resolution"] == "1152:864 (4:3)"  # closest to 64×48
    assert "local sandbox" in state["banner"]
