// ESLint over the front end, the tests and the benchmark: `npx eslint .` (run by `make test`).
// eslint:recommended plus a few rules that catch real bugs in this code base (an unused variable
// is usually a forgotten wire-up; `==` hides type mix-ups between hash strings and numbers).
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    ignores: ["pkg/**", "pkg-*/**", "dist/**", "dist-*/**", "target/**", "node_modules/**", "bench/node_modules/**", "test-results/**", ".venv/**"],
  },
  js.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: "module" },
    rules: {
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-unused-vars": ["error", { args: "after-used", argsIgnorePattern: "^_", caughtErrors: "none" }],
      "prefer-const": "error",
      "no-var": "error",
    },
  },
  // The page and its workers run in the browser.
  { files: ["www/**/*.js", "examples/**/*.js", "slides/**/*.js"], languageOptions: { globals: { ...globals.browser } } },
  { files: ["www/**/worker.js", "www/**/*Worker.js", "www/sw.js"], languageOptions: { globals: { ...globals.worker, ...globals.serviceworker } } },
  // Tests, scripts and the bench driver run in Node; the e2e tests also pass functions to page.evaluate.
  { files: ["tests/**/*.mjs", "scripts/**/*.mjs", "bench/*.mjs", "vite.config.js", "eslint.config.js"], languageOptions: { globals: { ...globals.node, ...globals.browser } } },
  // The benchmark's workers are classic scripts loaded with importScripts.
  // (Worker globals only: the browser set declares `model`, which they use as a variable.)
  { files: ["bench/workers/**/*.js", "bench/lib/**/*.js"], languageOptions: { sourceType: "script", globals: { ...globals.worker } } },
  { files: ["bench/lib/harness.js"], languageOptions: { globals: { ...globals.browser } } },
  { files: ["bench/workers/trainlab.js"], languageOptions: { sourceType: "module" } },
  // The service worker is a template: vite.config.js fills in the asset list.
  { files: ["www/sw.js"], languageOptions: { globals: { __ASSETS__: "readonly" } } },
];
