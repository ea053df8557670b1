//! wasm bindings of the PyTorch export (src/export/): the run's `train.py` and its images as
//! `data.safetensors`, for the page's "Export as PyTorch" zip.

use super::Trainer;
use crate::export;
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl Trainer {
    /// `train.py` for this run: the same network (state-dict keys = the checkpoint's tensor names),
    /// optimizer, schedule, augmentations and regularizers under their PyTorch / torchvision / timm
    /// names; runs on one CPU or under `torchrun`.
    #[wasm_bindgen(js_name = exportPytorch)]
    pub fn export_pytorch(&self) -> Result<String, JsError> {
        export::pytorch_script(&self.session).map_err(|e| JsError::new(&format!("export: {e}")))
    }

    /// `data.safetensors`: the run's own training and validation images (u8, [N, C, H, W]), labels
    /// (i64, [N]), normalization and class names in `__metadata__`. A generated set's floats are
    /// written as the nearest byte of their intensity (`quantized` says so).
    #[wasm_bindgen(js_name = exportData)]
    pub fn export_data(&self) -> Result<Uint8Array, JsError> {
        let bytes = export::data_file(&self.session).map_err(|e| JsError::new(&format!("export: {e}")))?;
        Ok(Uint8Array::from(bytes.as_slice()))
    }
}
