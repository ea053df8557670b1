// The "Runs…" dialog: this run's files (#portable) and the saved runs (#saved-runs). This module only
// opens and closes it; the sections are drawn by www/views/portable.js and www/views/savedRuns.js,
// which register with onOpen() to refresh their contents each time it opens (a closed dialog costs
// nothing while training).

export function createRunsDialog({ dialog, openButton, closeButton, on }) {
  const openers = [];

  function open() {
    if (dialog.open) return;
    for (const fn of openers) fn();
    dialog.showModal();
  }
  function close() { if (dialog.open) dialog.close(); }

  on(openButton, "click", open);
  on(closeButton, "click", close);
  // A click on the backdrop (the dialog element itself, outside its content box) closes it.
  on(dialog, "click", (ev) => {
    if (ev.target !== dialog) return;
    const r = dialog.getBoundingClientRect();
    const inside = ev.clientX >= r.left && ev.clientX <= r.right && ev.clientY >= r.top && ev.clientY <= r.bottom;
    if (!inside) close();
  });
  // The sandbox's own keys (Space, S, R, C) must not act on the runs behind the modal dialog.
  on(dialog, "keydown", (ev) => ev.stopPropagation());

  return {
    open, close,
    get isOpen() { return dialog.open; },
    /** fn() runs before each opening (a section refreshes what it shows). */
    onOpen(fn) { openers.push(fn); },
    section: (id) => dialog.querySelector(`#${id}`),
  };
}
