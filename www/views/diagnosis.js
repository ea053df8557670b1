// "What the curves say": the core's diagnose(trainAcc, valAcc) after every evaluation, in the
// lecture's words (step 6 of the recipe: look at the learning curves). NaN/Inf losses are handled
// by main.js (a message and a pause) and are not repeated here.

export function createDiagnosis(root) {
  let findings = null;
  let shown = "";

  function reset() { findings = null; }
  function push(f) { findings = f ?? []; }

  function draw() {
    const key = JSON.stringify(findings);
    if (key === shown) return;
    shown = key;
    if (findings === null) {
      root.replaceChildren(note("Read after every evaluation, once training starts."));
      return;
    }
    if (!findings.length) {
      root.replaceChildren(note("No warning at the last evaluation."));
      return;
    }
    root.replaceChildren(...findings.map((f) => {
      const p = document.createElement("p");
      p.className = "finding";
      p.dataset.finding = f.finding;
      p.textContent = f.message;
      return p;
    }));
  }

  function note(text) {
    const p = document.createElement("p");
    p.className = "finding-none";
    p.textContent = text;
    return p;
  }

  return { reset, push, draw, get findings() { return findings; } };
}
