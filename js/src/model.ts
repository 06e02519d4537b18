/**
 * The synced state of a MaskPainter: one field per Python trait tagged `sync=True` in
 * `ideogram_widgets/widgets/_mask_painter.py` (a Python test checks the two lists agree).
 * Bytes traits arrive as DataView and are sent back as DataView (binary buffers, never base64).
 */
export type Tool = "brush" | "eraser" | "rectangle" | "ellipse" | "lasso" | "wand";

export const TOOLS: readonly Tool[] = ["brush", "eraser", "rectangle", "ellipse", "lasso", "wand"];

export interface Model {
  /** The browser's copy of the image (may be smaller than the image; drawn stretched to full size). */
  display_image: DataView;
  /** Its type: "image/png", "image/jpeg" or "image/webp". */
  display_mime: string;
  /** The original image's size in pixels: the mask is always exactly this size. */
  image_width: number;
  image_height: number;
  /** The mask at full resolution as a 1-bit greyscale PNG, white = edit; empty bytes = nothing masked. */
  mask_png: DataView;
  /** Bumped by whoever writes `mask_png`; Python ignores a browser mask whose version is not newer. */
  mask_version: number;
  /** Fraction of the image's pixels marked to edit, 0..1. */
  coverage: number;
  tool: Tool;
  /** Brush diameter in image pixels. */
  brush_size: number;
  /** CSS colour "#rrggbb" of the mask overlay, or "auto" (the complement of the picture's mean hue). */
  overlay_color: string;
  overlay_opacity: number;
  show_mask: boolean;
  /** Magic wand: the largest difference of R, G or B from the clicked pixel that still counts (0..255). */
  wand_tolerance: number;
  /** Magic wand: only the similar pixels connected to the click (else all over the picture). */
  wand_contiguous: boolean;
  /** Pixels the Grow and Shrink buttons move the mask's edge. */
  grow_by: number;
  /** Height of the drawing area in CSS pixels (the width follows the notebook's column). */
  viewport_height: number;
}
