"""The Gradio side of bench_gradio: an ImageEditor app on 127.0.0.1, run as its own process.

``python -m benchmarks._gradio_app PORT LOG`` serves one page: an ImageEditor, a "Show the picture" button
whose callback puts the same 4096² picture as bench_painter's into the editor, and an ``input`` listener
that receives the editor's value after every stroke. Each time that listener is called it appends one
JSON line to LOG: the server's clock at the moment the callback starts (the brush layer has arrived in
Python as a numpy array: Gradio uploaded and decoded the background, the layer and the composite before
calling it) and how many pixels of the layer are painted.

Analytics are off, there is no share link, no server-side rendering (no node process) and nothing is
fetched from the network by the server.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("GRADIO_SSR_MODE", "False")

import gradio as gr  # after the environment that switches its analytics off
import numpy as np
from PIL import Image

from benchmarks._painter_page import BRUSH, SIDE, VIEW
from ideogram_widgets.samples import sample_image


def build(log: Path) -> gr.Blocks:
    picture = np.asarray(sample_image(1024, 1024).resize((SIDE, SIDE), Image.Resampling.BICUBIC))

    def show() -> dict[str, Any]:
        return {"background": picture, "layers": [], "composite": None}

    def receive(value: dict[str, Any]) -> None:
        arrived = time.time()
        layers = value.get("layers") or []
        painted = int((layers[0][..., 3] > 0).sum()) if layers else 0
        with log.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"t": arrived, "painted": painted, "layers": len(layers)}) + "\n")

    with gr.Blocks(title="bench: Gradio ImageEditor", analytics_enabled=False) as app:
        editor = gr.ImageEditor(
            type="numpy",
            format="png",  # a mask must be exact: the default webp is lossy
            image_mode="RGBA",
            sources=(),
            transforms=(),
            layers=False,
            brush=gr.Brush(default_size=BRUSH, colors=["#ff0000"], color_mode="fixed"),
            canvas_size=(SIDE, SIDE),
            height=VIEW + 120,  # the toolbar takes the rest: the picture is shown at about VIEW px
            elem_id="editor",
            label="picture",
        )
        gr.Button("Show the picture", elem_id="show").click(show, outputs=editor)
        editor.input(receive, inputs=editor)
    return app


def main(argv: list[str]) -> None:
    port, log = int(argv[0]), Path(argv[1])
    build(log).launch(
        server_name="127.0.0.1",
        server_port=port,
        share=False,
        ssr_mode=False,
        quiet=True,
        footer_links=[],
        prevent_thread_lock=False,
        max_file_size=None,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
