// Writes tests/scenarios.json from www/scenarios.js: for each scenario its id, the step of its claims,
// the claims, and every run's full core config through state.js's toConfig — exactly what the page
// sends to its workers — so that tests/scenarios.rs checks the page's scenarios, not a copy of them.
//
//   node scripts/scenarios.mjs           write tests/scenarios.json
//   node scripts/scenarios.mjs --check   exit 1 if the committed file differs from what would be written

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SCENARIOS, parseScenarioLink } from "../www/scenarios.js";
import { toConfig } from "../www/state.js";

export const OUT = fileURLToPath(new URL("../tests/scenarios.json", import.meta.url));

/** The text of tests/scenarios.json for the current www/scenarios.js. */
export function scenariosJson() {
  const data = SCENARIOS.map((s) => ({
    id: s.id,
    at: s.at,
    claims: s.claims,
    runs: parseScenarioLink(s.link).map(toConfig),
  }));
  return JSON.stringify(data, null, 1) + "\n";
}

function main(args) {
  const text = scenariosJson();
  if (args.includes("--check")) {
    let committed = "";
    try {
      committed = readFileSync(OUT, "utf8");
    } catch (e) {
      committed = `(unreadable: ${e.message})`;
    }
    if (committed !== text) {
      console.error(`tests/scenarios.json is stale: it does not match www/scenarios.js. ` +
        `Run "node scripts/scenarios.mjs" and commit the result.`);
      process.exit(1);
    }
    console.log("tests/scenarios.json is up to date.");
    return;
  }
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT} (${SCENARIOS.length} scenarios)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
