import "./studio.css"; // the editing widgets' styles ride in this bundle's CSS (widgets/_compare.py)
/**
 * The anywidget entry point for MaskPainter (bundled by esbuild into ideogram_widgets/static/).
 */
import type { RenderProps } from "@anywidget/types";
import type { Model } from "./model";
import { Painter } from "./painter";
import "./painter.css";

function render({ model, el }: RenderProps<Model>): () => void {
  const painter = new Painter(model, el);
  return () => painter.destroy();
}

export default { render };
