//! wasm bindings of checkpoints (issue 11, src/session/checkpoint.rs): the run's weights out as a
//! `trainlab-weights` safetensors file, and such a file back into a run of the same network.

use super::Trainer;
use js_sys::Uint8Array;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl Trainer {
    /// This run's weights as a checkpoint (safetensors bytes): its config, data set, classes and
    /// steps in the metadata, with `valAccuracy` (null: not evaluated yet) and `madeBy` (optional:
    /// what made the file).
    #[wasm_bindgen(js_name = exportCheckpoint)]
    pub fn export_checkpoint(
        &mut self,
        val_accuracy: Option<f64>,
        made_by: Option<String>,
    ) -> Result<Uint8Array, JsError> {
        let bytes = self
            .session
            .export_checkpoint(val_accuracy, made_by.as_deref().unwrap_or("trainlab page"))
            .map_err(|e| JsError::new(&e.0))?;
        Ok(Uint8Array::from(&bytes[..]))
    }

    /// Loads a checkpoint's weights into this run: every tensor, strictly → `{ tensors, steps,
    /// dataset, valAccuracy }` (the file's; valAccuracy null when it has none). Any problem (not a
    /// trainlab file, truncated, another network, …) is an error naming it, and the run is unchanged.
    #[wasm_bindgen(js_name = loadCheckpoint)]
    pub fn load_checkpoint(&mut self, bytes: &Uint8Array) -> Result<JsValue, JsError> {
        let loaded = self
            .session
            .load_checkpoint(&bytes.to_vec())
            .map_err(|e| JsError::new(&e.0))?;
        // valAccuracy: null (not undefined) when the file has none, as the contract says.
        loaded
            .serialize(&serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true))
            .map_err(|e| JsError::new(&e.to_string()))
    }
}
