/**
 * The colours the painter draws on its canvases, read from JupyterLab's theme variables (so Light, Dark
 * and high-contrast themes are right without theme code), at start and again whenever the theme changes.
 * Outside JupyterLab (VS Code, Colab, classic) the fallbacks apply.
 */

export interface CanvasColours {
  /** A pair that contrasts with each other on any picture: lines are drawn wide in one, thin in the other. */
  ink: string;
  paper: string;
  /** The checkerboard under transparent pixels. */
  checkerLight: string;
  checkerDark: string;
}

const VARIABLES: Record<keyof CanvasColours, [string, string]> = {
  ink: ["--jp-ui-font-color0", "#000"],
  paper: ["--jp-layout-color0", "#fff"],
  checkerLight: ["--jp-layout-color1", "#f2f2f2"],
  checkerDark: ["--jp-layout-color3", "#bdbdbd"],
};

/** The colours as `el` sees its theme variables now. */
export function readColours(el: Element): CanvasColours {
  const style = getComputedStyle(el);
  const out = {} as CanvasColours;
  for (const [key, [name, fallback]] of Object.entries(VARIABLES) as [keyof CanvasColours, [string, string]][]) {
    out[key] = style.getPropertyValue(name).trim() || fallback;
  }
  return out;
}

/**
 * Call `changed` whenever JupyterLab switches theme (it marks the body with the theme's name and
 * lightness once the theme's CSS is in place). Returns the function that stops watching.
 */
export function watchTheme(changed: () => void): () => void {
  const observer = new MutationObserver(() => changed());
  observer.observe(document.body, { attributes: true, attributeFilter: ["data-jp-theme-name", "data-jp-theme-light"] });
  return () => observer.disconnect();
}

let probe: CanvasRenderingContext2D | null = null;

/** Any CSS colour ("white", "#111", "rgba(...)") as [r, g, b], the way a canvas reads it. */
export function toRgb(css: string): [number, number, number] {
  probe ??= document.createElement("canvas").getContext("2d");
  if (!probe) return [0, 0, 0];
  probe.fillStyle = "#000";
  probe.fillStyle = css;
  const value = String(probe.fillStyle);
  if (value.startsWith("#")) {
    return [1, 3, 5].map((i) => parseInt(value.slice(i, i + 2), 16)) as [number, number, number];
  }
  const parts = value.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0];
  return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
}

/** Stroke the current path so it shows on any picture: wide in `paper`, then thin (dashed) in `ink`. */
export function strokeVisible(ctx: CanvasRenderingContext2D, c: CanvasColours, dash: number[] = [], width = 1): void {
  ctx.save();
  ctx.setLineDash([]);
  ctx.lineWidth = width + 2;
  ctx.strokeStyle = c.paper;
  ctx.stroke();
  ctx.setLineDash(dash);
  ctx.lineWidth = width;
  ctx.strokeStyle = c.ink;
  ctx.stroke();
  ctx.restore();
}
