//! wasm bindings of model ensembles (src/ensemble.rs): each member is a run in its own worker; the
//! page gathers every member's validation probabilities (`valProbabilities`) of one evaluation step
//! and combines them in one worker (`combineEnsemble`).

use super::{to_js, Trainer};
use crate::ensemble::combine;
use js_sys::{Array, Float32Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl Trainer {
    /// `{ step, classes, probs: Float32Array, labels: Uint8Array }`: the raw model's predicted
    /// probabilities on the validation set at the last finished evaluation (`step`), row-major
    /// (images × classes), and the validation labels; `null` before the first evaluation. Copies.
    #[wasm_bindgen(js_name = valProbabilities)]
    pub fn val_probabilities(&self) -> Result<JsValue, JsError> {
        let Some((step, probs)) = self.session.val_probabilities() else {
            return Ok(JsValue::NULL);
        };
        let out = js_sys::Object::new();
        for (key, value) in [
            ("step", JsValue::from(step as f64)),
            ("classes", JsValue::from(self.session.val.classes as u32)),
            ("probs", Float32Array::from(probs).into()),
            ("labels", Uint8Array::from(self.session.val_labels()).into()),
        ] {
            Reflect::set(&out, &JsValue::from_str(key), &value)
                .map_err(|_| JsError::new("valProbabilities: could not build the result object"))?;
        }
        Ok(out.into())
    }
}

/// The ensemble of `members` (an Array of Float32Array, each a member's `valProbabilities().probs`
/// of the same images) against `labels`: `{ members, accuracy, loss, memberAccuracies }`. Throws an
/// Error naming what does not fit (a member that is not a Float32Array, sizes, labels, too many).
#[wasm_bindgen(js_name = combineEnsemble)]
pub fn combine_ensemble(members: JsValue, labels: &[u8], classes: usize) -> Result<JsValue, JsError> {
    if !Array::is_array(&members) {
        return Err(JsError::new(&format!(
            "combineEnsemble: members must be an Array of Float32Array, got {}",
            members.js_typeof().as_string().unwrap_or_default()
        )));
    }
    let copies = Array::from(&members)
        .iter()
        .enumerate()
        .map(|(i, m)| {
            m.dyn_ref::<Float32Array>()
                .map(Float32Array::to_vec)
                .ok_or_else(|| JsError::new(&format!("combineEnsemble: member {i} is not a Float32Array")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let slices: Vec<&[f32]> = copies.iter().map(Vec::as_slice).collect();
    let report = combine(&slices, labels, classes).map_err(|e| JsError::new(&e))?;
    to_js(&report)
}
