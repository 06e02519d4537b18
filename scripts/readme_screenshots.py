"""Copy the README's screenshots from the browser tests' artifacts (run `make test` first), downsized.

python scripts/readme_screenshots.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
TARGET = ROOT / "docs" / "images"
PICKS = {
    "lab-edit-result.png": "edit-widget.png",
    "lab-reframe-result.png": "reframe-widget.png",
    "lab-two-jobs-cancelled.png": "two-jobs-cancelled.png",
    "lab-painter-shapes.png": "mask-painter-shapes.png",
    "notebook-edit-bad-input.png": "notebook7-bad-input.png",
}
MAX_WIDTH = 900


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    for source, name in PICKS.items():
        image = Image.open(ARTIFACTS / source).convert("RGB")
        if image.width > MAX_WIDTH:
            size = (MAX_WIDTH, round(image.height * MAX_WIDTH / image.width))
            image = image.resize(size, Image.Resampling.LANCZOS)
        image.quantize(256, method=Image.Quantize.FASTOCTREE).save(TARGET / name, optimize=True)
        print(f"{source} -> docs/images/{name} ({(TARGET / name).stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
