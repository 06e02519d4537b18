"""An Output: files on disk or, when the disk refused them, the bytes in memory; both behave alike."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from ideogram_widgets.jobs import Output

EDIT, REFRAME = "ideogram/ideogram-v3/edit", "ideogram/ideogram-v3/reframe"


def png(size: tuple[int, int], colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def jpeg(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "blue").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "a.png", tmp_path / "b.png"
    first.write_bytes(png((5, 4), "red"))
    second.write_bytes(png((3, 2), "green"))
    return first, second


def test_an_output_on_disk_reads_saves_and_shows_its_files(files: tuple[Path, Path], tmp_path: Path) -> None:
    out = Output("r1", REFRAME, files, ("https://x/a.png", "https://x/b.png"))
    assert len(out) == 2
    assert [img.size for img in out.images] == [(5, 4), (3, 2)]
    assert out.image.getpixel((0, 0)) == (255, 0, 0)
    assert out.path == files[0]
    assert [img.size for img in out.composites] == [(5, 4), (3, 2)]  # a reframe is its own composite
    assert out.composite is not None
    assert out.composite.size == (5, 4)
    copy = out.save(tmp_path / "copy.png")
    assert copy.read_bytes() == files[0].read_bytes()  # byte for byte, not re-encoded
    assert out._repr_png_() == files[0].read_bytes()


def test_an_output_the_disk_refused_keeps_the_bytes_and_behaves_the_same(tmp_path: Path) -> None:
    raw = (png((5, 4), "red"), png((3, 2), "green"))
    out = Output("r1", REFRAME, (), ("https://x/a.png", "https://x/b.png"), data=raw, stored=False)
    assert len(out) == 2
    assert [img.size for img in out.images] == [(5, 4), (3, 2)]
    assert out.image.getpixel((0, 0)) == (255, 0, 0)
    assert out.save(tmp_path / "kept.png").read_bytes() == raw[0]
    assert out._repr_png_() == raw[0]
    shown_jpeg = Output("r2", REFRAME, (), (), data=(jpeg((4, 4)),), stored=False)
    assert shown_jpeg._repr_png_() is None  # not a PNG: the notebook shows the repr instead
    assert shown_jpeg.image.size == (4, 4)


def test_an_edit_without_its_original_has_no_composite(files: tuple[Path, Path]) -> None:
    out = Output("r1", EDIT, files[:1], ())
    assert out.composites == []
    assert out.composite is None
    with_composite = Output("r1", EDIT, files[:1], (), composite_paths=files[1:])
    assert with_composite.composite is not None
    assert with_composite.composite.size == (3, 2)
    kept = Image.new("RGB", (7, 7))
    in_memory = Output("r1", EDIT, files[:1], (), kept=(kept,), composites_kept=(kept,))
    assert in_memory.image is kept
    assert in_memory.composite is kept
    assert in_memory.composites == [kept]
    assert Output("r1", EDIT, (files[0].with_suffix(".jpg"),), ())._repr_png_() is None
