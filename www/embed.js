// Boot of a sandbox inside a slide (embed.html): the sandbox of the page (www/sandbox.js) without the
// page around it, and what a deck needs of it (README, "In the slides"):
//   - only the cards and controls the link names, sized for a slide (www/embed/layout.js);
//   - nothing loads or trains until the frame is first shown; it pauses when hidden and resumes
//     only if it was playing (www/embed/visibility.js);
//   - the deck's keys go to the deck (www/embed/deckKeys.js);
//   - its runs survive the frame being unloaded (www/embed/keep.js);
//   - a host page may drive it by postMessage (www/embed/hostApi.js through www/embed/control.js).
//
// window.trainlab is the tests' hook, as on the page.

import "uplot/dist/uPlot.min.css";
import { createSandbox } from "./sandbox.js";
import { keepBuildsOffline } from "./offline.js";
import { parseLink } from "./link.js";
import { isHidden, settingByKey } from "./state.js";
import { scenarioById } from "./scenarios.js";
import { parseEmbedLink } from "./embed/embedLink.js";
import { applyLayout } from "./embed/layout.js";
import { createVisibility } from "./embed/visibility.js";
import { forwardDeckKeys } from "./embed/deckKeys.js";
import { createEmbedControl } from "./embed/control.js";
import { createKeeper } from "./embed/keep.js";
import { createHostApi } from "./embed/hostApi.js";

const frame = parseEmbedLink(window.location.hash);
// A slide shows the controls its link names (show=, or hide= for all but some), and none otherwise.
const namesControls = /(^#?|[&])(show|hide)=/.test(frame.sandboxHash.split("|")[0]);
const frameHash = namesControls ? frame.sandboxHash : withFirst(frame.sandboxHash, "hide=all");
const link = parseLink(frameHash, { scenarioById });
const layout = applyLayout({
  doc: document, win: window, charts: frame.charts, runCount: link.runs.length,
  showOverfit: !isHidden(settingByKey("overfit"), link.hidden),
});
// A preview nobody sees costs the worker time: the frame hides it unless its card is shown.
const startHash = layout.cards.includes("preview") ? frameHash : withFirst(frameHash, "hide=preview");

const sandbox = createSandbox(document.body, { useHash: false });
// The deck registers the service worker; the frame names the build it runs, so that build (not only
// the precached simd128 one) runs in the slide offline.
keepBuildsOffline();
const { messages } = sandbox;
const status = document.getElementById("status");
status.textContent = "Starts when its slide is shown";

const keeper = createKeeper({
  win: window, sandbox, key: `embed:${frame.id ?? startHash}`, startHash, messages, wasPlaying: () => resumeOnShow,
});
let started = null;          // the first start (restore or link), once the frame was shown
let resumeOnShow = false;    // it was playing when hidden, or a Play came while hidden

const visibility = createVisibility({ win: window, onChange: onVisibility });
const isVisible = () => visibility.visible;

async function onVisibility(visible) {
  document.body.dataset.visible = String(visible);
  if (visible) {
    const first = !started;
    started ??= keeper.restoreOrStart();
    const restored = await started;
    if (first) {
      const shown = sandbox.entries[frame.previewRun - 1];
      if (shown) sandbox.setPreviewRun(shown.id);
      else if (frame.previewRun > 1) messages.show("preview", `Frame setting "preview=${frame.previewRun}" names a run the link does not have — showing run 1.`, "warn");
    }
    if (!isVisible()) return;
    // First show: a kept run plays on only if it was playing; a new one if the link says autoplay.
    const playFirst = restored ? keeper.restoredPlaying : frame.autoplay;
    if ((first && playFirst) || resumeOnShow) sandbox.playAll();
    resumeOnShow = false;
  } else if (started) {
    await started;
    // The keeper saves when the runs stop training (they count as playing: resumeOnShow).
    if (sandbox.playing) {
      resumeOnShow = true;
      sandbox.pauseAll();
    }
  }
}

async function play() {
  if (!isVisible()) { resumeOnShow = true; return; }
  started ??= keeper.restoreOrStart();
  await started;
  sandbox.playAll();
}
async function pause() {
  resumeOnShow = false;
  if (!started) return;
  await started;
  sandbox.pauseAll();
  await keeper.saveNow();
}

const control = createEmbedControl({ sandbox, isVisible, play, pause });
forwardDeckKeys({ win: window, isVisible });
createHostApi({ win: window, control, allowedOrigins: frame.origins, notice: (text) => messages.show("host", text, "warn") });

// The frame's warnings and errors (a bad link, a run not kept, a diverged run) reach the host too.
const showMessage = messages.show;
messages.show = (id, text, kind = "warn") => {
  showMessage(id, text, kind);
  if (kind !== "info") control.problem([].concat(text).join(" "));
};
if (frame.problems.length) messages.show("frame", frame.problems, "warn");

// One run needs no run legend on each card; the legends come back with a second run.
sandbox.watch(() => document.body.classList.toggle("one-run", sandbox.entries.length <= 1));

// "open full sandbox": the page with the runs as they are now, at the end of the toolbar.
const openFull = document.getElementById("open-full");
// The build line (www/buildLine.js) before it: which core runs here, and why.
document.querySelector(".toolbar").append(document.getElementById("build-line"), openFull);
openFull.addEventListener("click", () => {
  const now = control.state().link;
  openFull.href = `./index.html${now ?? frame.sandboxHash}`;
});

function withFirst(hash, part) {
  const [first, ...rest] = hash.replace(/^#/, "").split("|");
  return "#" + [first ? `${first}&${part}` : part, ...rest].join("|");
}

window.trainlab = {
  sandbox, control, keeper, frame, layout,
  get visible() { return isVisible(); },
  get started() { return started !== null; },
  get runs() {
    return sandbox.entries.map((e) => ({
      id: e.id, label: e.label, state: e.run.state, step: e.run.series.step, values: e.values,
      losses: e.run.series.losses.slice(), evals: e.run.series.evals.length, lastEval: e.run.series.lastEval,
    }));
  },
};
