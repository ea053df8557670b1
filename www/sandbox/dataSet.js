// The sandbox's one data set (docs/CONTRACT.md, "Real data"): every run trains on it, including runs
// added later in the compare view and runs restarted after a crash (www/run.js loads it into a worker
// that lacks it, through dataSourceFor). A generated set (shapes) needs no loading; a built-in or a
// learner's own set is loaded into every run's worker — its bytes go to the workers, the main thread
// only passes them on — and the runs restart on it. A failed load changes nothing: the previous set
// stays loaded and the runs go on as they were.
//
//   ctx.useData(source, { onProgress, summary }) → Promise<summary | null>   (sandbox.useData);
//                                        `summary`: a set kept from before (www/store/dataSets.js)
//                                        given before the page's first run: it becomes the set the
//                                        runs load when they start, with that summary
//   ctx.dataSummary()                    the loaded set's summary, or null for a generated set
//   ctx.ensureLinkData(runs)             a link's data set before its runs start (history.js), then
//   ctx.announceData()                   { event: "data", type: "data", name, summary } to the watchers
//   ctx.dataSourceFor(name)              the source a run's worker loads for data set `name`
//   ctx.dataInfo(e)                      { classes, title, defaults } of run e's data (help texts, first
//                                        loss, the panel's "changed" marks)

import { DATASETS, defaultsFor, isGenerated, rebaseOnData } from "../state.js";

export function createDataSet(ctx) {
  const { messages } = ctx;
  let current = { name: "shapes", source: null, summary: null };
  const builtins = new Map();     // id → its one source object (a worker compares sources by identity)
  let queue = Promise.resolve();  // loads one after another: the last one chosen wins

  const builtinSource = (id) => {
    if (!builtins.has(id)) builtins.set(id, { kind: "builtin", id });
    return builtins.get(id);
  };

  /** The data set's name of `source` ("mnist", "own"…). */
  function nameOf(source) {
    if (!source || typeof source !== "object") throw new Error("useData needs a source object such as { kind: \"builtin\", id: \"mnist\" }");
    if (source.kind === "builtin" || source.kind === "generated") {
      if (typeof source.id !== "string" || !source.id) throw new Error(`a ${source.kind} data source needs an id (got ${JSON.stringify(source.id)})`);
      return source.id;
    }
    if (typeof source.name !== "string" || !source.name) throw new Error(`a ${source.kind} data source needs a name (got ${JSON.stringify(source.name)})`);
    return source.name;
  }

  function dataSourceFor(name) {
    if (current.name === name && current.source) return current.source;
    return DATASETS[name] && !DATASETS[name].own && !isGenerated(name) ? builtinSource(name) : null;
  }

  /**
   * Load `source` into every run's worker: the first run's load says whether the set is good (and
   * reports the fetch's progress); the others load it then, from the HTTP cache for a built-in set.
   * On any failure the runs that took the new set get the previous one back, and the error is thrown.
   */
  async function loadIntoRuns(source, onProgress) {
    const entries = [...ctx.entries];
    const [first, ...rest] = entries;
    if (!first) throw new Error("the sandbox has no run to load the data set into");
    const progress = (e, ev) => {
      if (e === first && ev.event === "dataProgress") onProgress(ev.received, ev.total);
    };
    if (onProgress) ctx.watchers.push(progress);
    const stopProgress = () => { ctx.watchers = ctx.watchers.filter((f) => f !== progress); };
    let summary;
    try {
      summary = await first.run.loadData(source);
    } finally {
      stopProgress();
    }
    const results = await Promise.allSettled(rest.map((e) => e.run.loadData(source)));
    const failed = results.map((r, i) => [r, rest[i]])
      .filter(([r, e]) => r.status === "rejected" && ctx.entries.includes(e));
    if (failed.length) {
      // Put the previous set back where the new one went, so a later restart finds what it trains on.
      if (current.source) {
        const took = [first, ...rest.filter((e, i) => results[i].status === "fulfilled")];
        await Promise.allSettled(took.map((e) => e.run.loadData(current.source)));
      }
      throw new Error(`${ctx.runName(failed[0][1])} could not load the data set: ${failed[0][0].reason.message}`);
    }
    return summary;
  }

  /** Make `name` the current set (after a successful load, or a generated set). */
  function setCurrent(name, source, summary) {
    current = { name, source, summary };
  }

  /**
   * Tell the watchers (sandbox.watch) that the data set changed, once the runs' settings name it:
   * { event: "data", type: "data", name, summary } (summary null for a generated set).
   */
  let announced = { name: "shapes", source: null };
  function announceData() {
    if (announced.name === current.name && announced.source === current.source) return;
    announced = { name: current.name, source: current.source };
    const { name, summary } = current;
    for (const watch of ctx.watchers) watch(ctx.editing, { event: "data", type: "data", name, summary });
  }

  async function switchTo(source, onProgress) {
    const name = nameOf(source);
    const generated = source.kind === "generated" || isGenerated(name);
    if (!generated && source.kind === "builtin" && (!DATASETS[name] || DATASETS[name].own)) {
      throw new Error(`there is no built-in data set "${name}": choose ${Object.keys(DATASETS).filter((k) => !DATASETS[k].own).join(", ")}`);
    }
    const canonical = source.kind === "builtin" ? builtinSource(name) : source;
    const summary = generated ? null : await loadIntoRuns(canonical, onProgress);
    if (ctx.destroyed) return summary;
    const previous = current;
    setCurrent(name, generated ? null : canonical, summary);
    // Every run restarts on the new set; what the student changed is kept (state.js rebaseOnData).
    messages.clear("data");
    const starts = ctx.entries.map((e, i) => {
      const values = rebaseOnData(e.values, name, summary, previous.summary);
      e.awaitingChange = false;
      return ctx.startEntry(e, values, i === 0 ? defaultsFor(name, summary) : ctx.entries[0].values);
    });
    ctx.syncRuns();
    if (ctx.editing) {
      ctx.controls.setData(ctx.dataInfo(ctx.editing));
      ctx.controls.setValues(ctx.editing.values);
    }
    announceData();
    await Promise.all(starts);
    if (generated && current.name === name) for (const e of ctx.entries) e.run.dropData();
    ctx.writeHash(true);
    return summary;
  }

  /**
   * A learner's set kept in the store, before any run exists (a reload that puts its runs back): it
   * becomes the current set without a load — each run loads it as it starts (run.js dataSource) —
   * and the link's `data=own` then names it (history.js ownDataKept).
   */
  function keepBeforeStart(source, summary) {
    const name = nameOf(source);
    if (source.kind === "builtin" || source.kind === "generated") throw new Error(`only a learner's own set is kept before the runs start (got a ${source.kind} one)`);
    setCurrent(name, source, summary);
    return summary;
  }

  function useData(source, { onProgress, summary = null } = {}) {
    const job = queue.then(() => (summary && !ctx.entries.length ? keepBeforeStart(source, summary) : switchTo(source, onProgress)));
    queue = job.catch(() => {});
    return job;
  }

  /**
   * Before a link's runs start: load the set they name when it is not the current one. On failure the
   * runs train on the current set instead (their settings rebased on it) and a message says why.
   * Returns the runs' settings to start.
   */
  async function ensureLinkData(runs) {
    const name = runs[0]?.data ?? "shapes";
    const same = runs.map((v) => ({ ...v, data: name }));
    if (name === current.name || isGenerated(name)) {
      if (name !== current.name) {
        setCurrent(name, null, null);
        // Trainers hold their own reference: the set goes once they are rebuilt on the generated one.
        for (const e of ctx.entries) e.run.dropData();
      }
      return same;
    }
    try {
      const summary = await loadIntoRuns(dataSourceFor(name) ?? builtinSource(name));
      setCurrent(name, dataSourceFor(name), summary);
      messages.clear("data");
      return same;
    } catch (err) {
      messages.show("data", `The link's data set "${name}" could not be loaded — ${err.message}. ` +
        `Training on ${DATASETS[current.name]?.title ?? current.name} instead.`, "error");
      return same.map((v) => rebaseOnData(v, current.name));
    }
  }

  /**
   * { classes, title, defaults } of run `e`'s data set: for the texts that quote the class count, and
   * the settings a student starts from on it (the panel marks the ones changed from those).
   */
  function dataInfo(e) {
    const name = e?.values?.data ?? current.name;
    const summary = name === current.name ? current.summary : null;
    return {
      classes: e?.run.info?.classNames?.length ?? summary?.classNames?.length ?? 10,
      title: DATASETS[name]?.title ?? name,
      defaults: defaultsFor(name, summary),
    };
  }

  return {
    useData, ensureLinkData, announceData, dataSourceFor, dataInfo,
    dataSummary: () => current.summary,
    dataName: () => current.name,
  };
}
