// The labs page's message area: dismissable notes (a bad σ, a bad link value, a worker that had to
// be restarted). Each message has an id; showing the same id again replaces it.

export function createMessages(root) {
  const items = new Map();

  function show(id, text, kind = "warn") {
    dismiss(id);
    const el = document.createElement("div");
    el.className = `message message-${kind}`;
    el.dataset.id = id;
    el.setAttribute("role", kind === "error" ? "alert" : "status");
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

  return { show, dismiss };
}
