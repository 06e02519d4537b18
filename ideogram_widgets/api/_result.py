"""What a finished job gives back: its images, the files as downloaded, and the composite of an edit."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from PIL import Image

from ._png import encode_png
from ._wire import JobResult

__all__ = ["Result"]


@dataclass
class Result:
    """A finished job: its ``images`` (PIL), the lossless ``files`` as downloaded, and the source ``urls``.

    For an edit, ``composite`` is the first image put back into the full-resolution original (see
    :func:`~ideogram_widgets.api._composite.put_back`); for a reframe it is the image itself.
    ``backend`` names what made it (``"RunComfy Model API"``, ``"local sandbox"``, a host name): a sandbox's
    classical inpainting is never mistaken for Ideogram's. In a notebook a Result shows its first image.

    Example:
        >>> from PIL import Image
        >>> out = Image.new("RGB", (4, 2), "red")
        >>> result = Result("r1", "ideogram/ideogram-v3/reframe", [out], [b"..."], backend="local sandbox")
        >>> result.image.size, result.composite is out, result.backend
        ((4, 2), True, 'local sandbox')
    """

    request_id: str
    model_id: str
    images: list[Image.Image]
    files: list[bytes] = field(repr=False)
    urls: tuple[str, ...] = ()
    answer: JobResult | None = field(default=None, repr=False)
    composite_image: Image.Image | None = field(default=None, repr=False)
    """The composite when one was made (an edit of a local image); None otherwise."""
    backend: str = ""

    @property
    def image(self) -> Image.Image:
        """The first (usually only) image, as the service made it."""
        return self.images[0]

    @property
    def composite(self) -> Image.Image:
        """The edit at the original's full resolution (the service's image where there is no composite)."""
        return self.composite_image if self.composite_image is not None else self.image

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the first image's file as downloaded (lossless)."""
        with open(path, "wb") as fh:
            fh.write(self.files[0])

    def _repr_png_(self) -> bytes:
        return encode_png(self.image)
