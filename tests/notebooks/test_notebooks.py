"""Every notebook in notebooks/ runs top to bottom in a real kernel, on the local sandbox."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from PIL import Image

NOTEBOOKS = sorted((Path(__file__).parents[2] / "notebooks").glob("*.ipynb"))


def run(path: Path, tmp_path: Path) -> nbformat.NotebookNode:
    """Execute a notebook in a real kernel on the local sandbox, its journal in the test's folder."""
    nb = nbformat.read(path, as_version=4)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("RUNCOMFY_API_TOKEN", raising=False)
        patch.setenv("IDEOGRAM_WIDGETS_HOME", str(tmp_path / "home"))
        client = NotebookClient(
            nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
        )
        client.execute()
    return nb


def images_in(nb: nbformat.NotebookNode) -> list[Image.Image]:
    out: list[Image.Image] = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                out.append(Image.open(io.BytesIO(base64.b64decode(data["image/png"]))))
    return out


def text_of(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_without_errors(path, tmp_path):
    nb = run(path, tmp_path)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", output.get("evalue")
        if cell.cell_type == "code" and "run_batch(" in cell.source:
            # the progress bar the widgets package hands to the jobs layer (jobs/ draws nothing itself)
            views = [
                o for o in cell.outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
            ]
            assert views, f"no progress bar under {cell.source!r}"


def test_quickstart_shows_the_sandbox_banner_an_edit_and_a_reframe(tmp_path):
    nb = run(Path(__file__).parents[2] / "notebooks" / "quickstart.ipynb", tmp_path)
    text = text_of(nb)
    assert "local sandbox" in text
    assert "not Ideogram" in text
    sizes = [im.size for im in images_in(nb)]
    assert (768, 512) in sizes  # the source and the edited image
    assert (1536, 640) in sizes  # the reframed image, exactly the chosen resolution
    assert "the mask marks nothing to edit" in text
