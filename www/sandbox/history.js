// Link ↔ runs. The URL hash is the runs' link (www/link.js): every settings change writes it (a pushed
// history entry, so Back undoes the change; a repair replaces the entry instead), and a hash the
// student navigates to (Back, Forward, a pasted link, a scenario) rebuilds the runs it names, keeping
// runs that already match.

import { OWN_DATA_IN_LINK, defaultsFor, isHidden, sameSettings, settingByKey } from "../state.js";
import { parseLink, sameRuns, serializeLink } from "../link.js";
import { withBuildKeys } from "../buildKeys.js";
import { BUILD_REQUEST } from "../run.js";
import { scenarioById } from "../scenarios.js";

export function createHistory(ctx, { useHash }) {
  const { $, win, root, on, messages } = ctx;
  let appliedHash = null;    // the hash the runs were last built from or written to
  let hidden = new Set();
  let applying = 0;          // counts applyLink calls: a newer link supersedes one still loading its data

  /** The runs' link into the address bar: a new history entry with `push`, else in place. */
  function writeHash(push) {
    if (!useHash || !ctx.entries.length) return;
    const current = parseLink(win.location.hash, { scenarioById });
    // A scenario link stays as it is while the runs are still what it says.
    if (current.scenario && sameRuns(current.runs, ctx.entries.map((e) => e.values))) return;
    // The link's build= and threads= stay: every worker of this page runs the build they asked for.
    const h = withBuildKeys(serializeLink(ctx.entries.map((e) => e.values), hidden), BUILD_REQUEST);
    if (win.location.hash === h) return;
    appliedHash = h;
    if (push) win.history.pushState(null, "", h);
    else win.history.replaceState(null, "", h);
  }

  /** Make the runs what `hash` says: keep runs that already match, rebuild or add the others. */
  async function applyLink(hash, { restart = false, play = true } = {}) {
    appliedHash = hash;
    const token = ++applying;
    const link = ownDataKept(parseLink(hash, { scenarioById }));
    messages.clear("link");
    if (link.problems.length) messages.show("link", link.problems, "warn");
    applyHidden(link.hidden);
    ctx.setScenario(link.scenario);
    while (ctx.entries.length > link.runs.length) ctx.dropLast();
    if (!ctx.editing && ctx.entries.length) ctx.setEditing(ctx.entries[0], { quiet: true });
    if (!ctx.previewEntry && ctx.entries.length) ctx.setPreviewRun(ctx.entries[0]);
    // The link's data set goes into the runs' workers first (a run is needed to load it into).
    if (!ctx.entries.length) ctx.addEntry(link.runs[0]);
    const wanted = await ctx.ensureLinkData(link.runs);
    if (ctx.destroyed || token !== applying) return;
    if (link.scenario) {
      // A scenario trains at once (unless told to wait), up to the step where its effect shows.
      ctx.lockStep.stopAt(link.scenario.at);
      if (play) ctx.playing = true;
    }
    const starts = wanted.map((values, i) => {
      const base = i === 0 ? defaultsFor(values.data) : wanted[0];
      const e = ctx.entries[i];
      if (!e) return ctx.startEntry(ctx.addEntry(values), values, base);
      e.pausedAlone = false;
      e.awaitingChange = false;
      if (!restart && e.run.values && sameSettings(e.run.values, values)) return Promise.resolve(true);
      return ctx.startEntry(e, values, base);
    });
    ctx.syncRuns();
    if (ctx.editing) {
      ctx.controls.setData(ctx.dataInfo(ctx.editing));
      ctx.controls.setValues(ctx.editing.values);
    }
    ctx.announceData();
    await Promise.all(starts);
    // The address bar becomes the full link of what runs (a scenario link stays as it is).
    if (!ctx.destroyed && win.location.hash === hash) writeHash(false);
  }

  /**
   * `data=own` in a link means images that are not in it (state.js OWN_DATA_IN_LINK): the link
   * trains on shapes — unless this page has the learner's own images loaded (Back and Forward
   * through their own changes), where the runs stay on them.
   */
  function ownDataKept(link) {
    const own = (p) => p.endsWith(OWN_DATA_IN_LINK);
    if (ctx.dataName() !== "own" || !link.problems.some(own)) return link;
    return {
      ...link,
      problems: link.problems.filter((p) => !own(p)),
      runs: link.runs.map((v) => ({ ...v, data: "own" })),
    };
  }

  /** The settings (and the preview) a link hides, for a slide that shows only what it is about. */
  function applyHidden(h) {
    hidden = h;
    const shown = ctx.controls.setHidden(hidden);
    $("overfit").hidden = isHidden(settingByKey("overfit"), hidden);
    root.classList.toggle("no-settings", shown === 0);
    const show = !hidden.has("preview");
    root.classList.toggle("no-preview", !show);
    if (show !== ctx.previewShown) {
      ctx.previewShown = show;
      ctx.previewEntry?.run.setPreview(show);
    }
  }

  function onHashChange() {
    // Our own pushState/replaceState, or a hash that names what already runs: nothing to rebuild.
    if (win.location.hash === appliedHash) return;
    const link = ownDataKept(parseLink(win.location.hash, { scenarioById }));
    if (sameRuns(link.runs, ctx.entries.map((e) => e.values)) && link.scenario === ctx.scenario) {
      appliedHash = win.location.hash;
      return;
    }
    applyLink(win.location.hash);
  }

  /** One click: the scenario's runs start, train to its `at` step and pause. */
  function startScenario(id) {
    const h = `#scenario=${encodeURIComponent(id)}`;
    if (useHash) win.history.pushState(null, "", h);
    messages.clear("run");
    applyLink(h, { restart: true });
  }

  if (useHash) {
    on(win, "hashchange", onHashChange);
    on(win, "popstate", onHashChange);
  }

  return { writeHash, applyLink, startScenario };
}
