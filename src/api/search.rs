//! wasm binding of hyperparameter search (src/search/): the page asks for a search's trial points
//! and trains one run per trial on its pool of workers.

use super::{js_to_json, to_js};
use crate::search::{search_trials, SearchSpec};
use wasm_bindgen::prelude::*;

/// The trials of a search spec `{ method: "grid"|"random", trials, seed, params: [{ key, min, max,
/// scale: "log"|"linear" }, …two] }` → `[{ index, values: { key: value } }]`. Throws an Error naming
/// what is wrong (too many or no trials, an empty range, a non-positive bound on a log scale, an
/// unknown key, not exactly two parameters).
#[wasm_bindgen(js_name = searchTrials)]
pub fn search_trials_js(spec: JsValue) -> Result<JsValue, JsError> {
    let spec =
        SearchSpec::from_value(js_to_json(spec, "search")?).map_err(|e| JsError::new(&e.to_string()))?;
    to_js(&search_trials(&spec).map_err(|e| JsError::new(&e.to_string()))?)
}
