"""Copy the README's screenshots from the browser tests' artifacts (run `make test` first), downsized:
both widgets in JupyterLab Light and Dark (tests/browser/test_design_browser.py), the EditWidget in Voilà,
the workflow and painter pictures, Earlier runs
and the ResumeView. Look at every one before committing it.

python scripts/readme_screenshots.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
TARGET = ROOT / "docs" / "images"
PICKS = {
    "lab-design-edit-light.png": "edit-widget.png",
    "lab-design-edit-dark.png": "edit-widget-dark.png",
    "lab-design-reframe-light.png": "reframe-widget.png",
    "lab-design-reframe-dark.png": "reframe-widget-dark.png",
    "voila-edit-result.png": "voila-edit.png",
    "lab-two-jobs-cancelled.png": "two-jobs-cancelled.png",
    "lab-painter-shapes.png": "mask-painter-shapes.png",
    "notebook-edit-bad-input.png": "notebook7-bad-input.png",
    "lab-earlier-runs-light.png": "earlier-runs.png",  # tests/browser/test_earlier_runs_browser.py
    "lab-resume-view.png": "resume-view.png",
}
MAX_WIDTH = 900


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    for source, name in PICKS.items():
        if not (ARTIFACTS / source).is_file():
            print(f"{source}: not made by this test run; docs/images/{name} kept as it is")
            continue
        image = Image.open(ARTIFACTS / source).convert("RGB")
        if image.width > MAX_WIDTH:
            size = (MAX_WIDTH, round(image.height * MAX_WIDTH / image.width))
            image = image.resize(size, Image.Resampling.LANCZOS)
        image.quantize(256, method=Image.Quantize.FASTOCTREE).save(TARGET / name, optimize=True)
        print(f"{source} -> docs/images/{name} ({(TARGET / name).stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
