// "Open a checkpoint…": a trainlab-weights file becomes a new run beside the page's runs — the
// file's settings, its weights loaded, evaluated at once. The page's runs are never replaced: a file
// the page cannot take (not a trainlab file, truncated, another data set, no room, another network)
// is refused with a sentence naming why, and a run added for it is taken away again.

import { MAX_RUNS } from "../link.js";
import { DATASETS } from "../state.js";
import { valuesFromConfig } from "./settings.js";

const setName = (id) => DATASETS[id]?.title ?? id;

/**
 * Opens checkpoint `bytes` in `sandbox` → { entry, info, report }: the new run, what
 * the file says (the core's weightsInfo) and the new run's first evaluation. Throws an Error whose
 * message says why the file was not opened; the page's runs are then as they were.
 */
export async function openCheckpoint(sandbox, bytes) {
  const probe = sandbox.editing?.run ?? sandbox.entries[0]?.run;
  if (!probe) throw new Error("the page has no run yet to read it with; try again in a moment");
  let info;
  try {
    // A copy goes to the worker: `bytes` is needed again to load the weights.
    info = await probe.checkpointInfo(bytes.slice());
  } catch (e) {
    throw new Error(e.message);
  }
  let values;
  try {
    values = valuesFromConfig(info.config, info.madeBy ?? "");
  } catch (e) {
    throw new Error(e.message);
  }
  const here = sandbox.dataName();
  if (values.data !== here) {
    throw new Error(`it was trained on ${setName(values.data)} (${info.classNames.length} classes: ` +
      `${info.classNames.slice(0, 5).join(", ")}${info.classNames.length > 5 ? ", …" : ""}) and the page trains on ` +
      `${setName(here)}: choose ${setName(values.data)} in the Data card, then open the file again`);
  }
  if (sandbox.entries.length >= MAX_RUNS) {
    throw new Error(`${MAX_RUNS} runs is the most the page trains at once: remove one (the × in the table), then open it again`);
  }
  // Paused: the weights go into a run that has not trained, and it must stay at them until shown.
  sandbox.pauseAll();
  const entry = await sandbox.addRun(values);
  if (!entry) throw new Error("the page could not build its network from the file's settings");
  try {
    await entry.run.loadCheckpoint(bytes);
  } catch (e) {
    sandbox.removeEntry(entry.id, { quiet: true });
    throw new Error(e.message);
  }
  const report = await entry.run.evaluate();
  return { entry, info, report };
}
