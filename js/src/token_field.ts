/**
 * TokenField: a password box whose value goes to Python as ONE custom message and is then cleared.
 * The token is never a synced trait, so it never lands in saved widget state or the notebook file.
 */
import type { AnyModel, RenderProps } from "@anywidget/types";

/** The synced state of a TokenField (Python: `ideogram_widgets/widgets/_token_field.py`). */
export interface TokenFieldModel {
  /** True once Python holds a token (from the environment, an argument or this field). */
  has_token: boolean;
  /** One line about the backend in use, e.g. "RunComfy Model API" or the sandbox notice. */
  message: string;
}

/** The custom messages this widget sends; Python answers by updating the traits above. */
export type TokenMessage = { type: "set_token"; token: string } | { type: "clear_token" };

function render({ model, el }: RenderProps<TokenFieldModel>): () => void {
  const root = document.createElement("div");
  root.className = "iw-token";
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.style.cssText = "display:flex;gap:6px;align-items:center;flex-wrap:wrap;font-size:12px";
  const input = document.createElement("input");
  input.type = "password";
  input.autocomplete = "off";
  input.spellcheck = false;
  input.placeholder = "RunComfy API token";
  input.setAttribute("aria-label", "RunComfy API token");
  input.style.cssText = "width:220px;padding:2px 6px";
  const use = document.createElement("button");
  use.textContent = "Use token";
  use.className = "jupyter-button";
  const forget = document.createElement("button");
  forget.textContent = "Forget";
  forget.className = "jupyter-button";
  const status = document.createElement("span");
  root.append(input, use, forget, status);
  el.append(root);

  const send = (message: TokenMessage): void => (model as unknown as AnyModel).send(message);
  const submit = (): void => {
    const token = input.value.trim();
    input.value = "";
    if (token) send({ type: "set_token", token });
  };
  use.addEventListener("click", submit);
  input.addEventListener("keydown", (event) => {
    event.stopPropagation();
    if (event.key === "Enter") submit();
  });
  forget.addEventListener("click", () => send({ type: "clear_token" }));

  const update = (): void => {
    const has = model.get("has_token");
    status.textContent = model.get("message");
    status.style.color = has ? "#2e7d32" : "#8a6d00";
    forget.disabled = !has;
  };
  model.on("change:has_token", update);
  model.on("change:message", update);
  update();
  return () => {
    model.off("change:has_token", update);
    model.off("change:message", update);
  };
}

export default { render };
