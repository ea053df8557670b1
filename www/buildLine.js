// The header's line about the core: which wasm build runs, on how many threads, and why
// ("wasm relaxed-simd · 1 thread — not cross-origin isolated"), with the kernels in its tooltip.
// Used by every page that shows it: the sandbox (index.html's header, embed.html's toolbar) and the
// pages that load the core themselves. Elements: #build-line, inside it #backend (build and threads)
// and #build-why (the reason); data-build, data-threads and data-why carry the same for the tests.

import { describeBuild } from "./buildKeys.js";

/** Show `info` ({ build, backend, threads, why }) in `doc`'s build line, if it has one. */
export function showBuild(doc, info) {
  const line = doc.getElementById("build-line");
  if (!line) return;
  const what = doc.getElementById("backend");
  const why = doc.getElementById("build-why");
  if (what) what.textContent = describeBuild({ ...info, why: "" });
  if (why) why.textContent = info.why ? `— ${info.why}` : "";
  line.dataset.build = info.build;
  line.dataset.threads = String(info.threads);
  line.dataset.why = info.why ?? "";
  if (info.backend) line.dataset.backend = info.backend;
  line.title = `${describeBuild(info)}${line.dataset.backend ? `\nkernels: ${line.dataset.backend}` : ""}`;
}

/** The kernels' name (Trainer.backend()), for cores without buildInfo(). */
export function showKernels(doc, backend) {
  const line = doc.getElementById("build-line");
  if (!line || !backend || line.dataset.backend) return;
  line.dataset.backend = backend;
  line.title = `${line.title}\nkernels: ${backend}`;
}
