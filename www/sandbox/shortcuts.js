// Keyboard shortcuts: space play/pause, "s" step, "r" reset, "c" compare. Each clicks its toolbar
// button, so a disabled button is a disabled key and there is one code path per action.

/** Bind the keys on `keyTarget`; `buttons` maps a key to its button (missing buttons are skipped). */
export function bindShortcuts({ win, on, keyTarget, buttons }) {
  on(keyTarget, "keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    // Typing a value (or choosing in a select) must not start training.
    const t = ev.target;
    if (t instanceof win.HTMLInputElement || t instanceof win.HTMLSelectElement || t instanceof win.HTMLTextAreaElement
      || t?.isContentEditable) return;
    const act = buttons[ev.key];
    if (!act || act.disabled) return;
    ev.preventDefault();
    act.click();
  });
}
