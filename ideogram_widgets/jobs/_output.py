"""A downloaded result: the files as the service sent them, and the composite of an edit.

Example:
    >>> out = Output("r1", "ideogram/ideogram-v3/edit", (), ())
    >>> len(out), out.composite is None
    (0, True)
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

__all__ = ["Output", "read_images"]


def read_images(sources: Iterable[Path | bytes]) -> list[Image.Image]:
    """Decode result files, from the local cache (paths) or as downloaded (bytes), each fully loaded
    (a file is closed again). The one way this package decodes a result.

    Example:
        >>> import io
        >>> png = io.BytesIO()
        >>> Image.new("RGB", (3, 2), "red").save(png, "PNG")
        >>> [(img.size, img.mode) for img in read_images([png.getvalue()])]
        [((3, 2), 'RGB')]
    """
    images = []
    for source in sources:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as img:
            img.load()
            images.append(img)
    return images


@dataclass(frozen=True, eq=False)
class Output:
    """A downloaded result: the local ``paths`` (lossless, as the service sent them) and source ``urls``.

    ``images`` are decoded PIL images: kept in memory for a single job, read from disk on demand for
    batches (so a thousand results do not fill the memory). For an edit, ``composite`` is the service's
    output put back into the full-size original inside the mask (``composite_paths`` its files); for a
    reframe it is the output itself. When the disk refused the files, ``stored`` is False, ``paths`` is
    empty and the bytes are kept in memory (``data``): nothing downloaded is thrown away.

    Example:
        >>> out = Output("r1", "ideogram/ideogram-v3/edit", (), ())
        >>> len(out), out.composite is None
        (0, True)
    """

    request_id: str
    model_id: str
    paths: tuple[Path, ...]
    urls: tuple[str, ...]
    kept: tuple[Image.Image, ...] | None = field(default=None, repr=False)
    composite_paths: tuple[Path, ...] = ()
    composites_kept: tuple[Image.Image, ...] | None = field(default=None, repr=False)
    data: tuple[bytes, ...] | None = field(default=None, repr=False)
    stored: bool = True

    def __len__(self) -> int:
        return len(self.paths) if self.stored else len(self.data or ())

    @property
    def images(self) -> list[Image.Image]:
        """Every result image (decoded from the local files unless kept in memory)."""
        if self.kept is not None:
            return list(self.kept)
        return read_images(self.paths if self.stored else self.data or ())

    @property
    def image(self) -> Image.Image:
        """The first (usually only) image."""
        return self.kept[0] if self.kept else self.images[0]

    @property
    def composites(self) -> list[Image.Image]:
        """Every composite (an edit put back into its original); a reframe's outputs themselves."""
        if self.composites_kept is not None:
            return list(self.composites_kept)
        if self.composite_paths:
            return read_images(self.composite_paths)
        return self.images if self.model_id.endswith("/reframe") else []

    @property
    def composite(self) -> Image.Image | None:
        """The first composite (None for an edit whose original is not known here)."""
        if self.composites_kept:
            return self.composites_kept[0]
        found = self.composites
        return found[0] if found else None

    @property
    def path(self) -> Path:
        """The local file of the first image."""
        return self.paths[0]

    def save(self, target: str | Path) -> Path:
        """Copy the first file, byte for byte, to ``target``; returns the path written."""
        target = Path(target)
        raw = self.path.read_bytes() if self.stored else (self.data or (b"",))[0]
        target.write_bytes(raw)
        return target

    def _repr_png_(self) -> bytes | None:
        if self.stored and self.paths and self.paths[0].suffix == ".png":
            return self.paths[0].read_bytes()
        if not self.stored and self.data and self.data[0].startswith(b"\x89PNG"):
            return self.data[0]
        return None
