// The message area of both pages: visible, dismissable notes for the student (bad link values,
// rejected settings, NaN losses, a restarted core; on the labs page a bad σ). Each message has an
// id; showing the same id again replaces it.

export function createMessages(root) {
  const items = new Map();

  function show(id, text, kind = "warn") {
    dismiss(id);
    const el = document.createElement("div");
    el.className = `message message-${kind}`;
    el.dataset.id = id;
    el.setAttribute("role", kind === "error" ? "alert" : "status");
    // One paragraph per line of `text` (a string or a list of strings).
    const body = document.createElement("div");
    body.className = "message-body";
    for (const line of [].concat(text)) {
      const p = document.createElement("p");
      p.textContent = line;
      body.append(p);
    }
    const close = document.createElement("button");
    close.type = "button";
    close.className = "message-close";
    close.setAttribute("aria-label", "Dismiss message");
    close.title = "Dismiss";
    close.textContent = "×";
    close.addEventListener("click", () => dismiss(id));
    el.append(body, close);
    root.append(el);
    items.set(id, el);
  }

  function dismiss(id) {
    items.get(id)?.remove();
    items.delete(id);
  }

  function clear(prefix = "") {
    for (const id of [...items.keys()]) if (id.startsWith(prefix)) dismiss(id);
  }

  return { show, dismiss, clear };
}
