//! The core's logits on exactly the inputs `train.py` sees: the first validation images as the
//! bytes of `data.safetensors`, normalized as the script does ((byte/255 − mean)/std in f32), run
//! through the model in eval mode. The Python test compares them with PyTorch's (issue 11: max
//! |Δ logits|). For a loaded set these are the run's own validation inputs; for a generated one they
//! differ from the run's floats by the bytes' rounding (see `data`).

use super::data::image_bytes;
use crate::nn::Mode;
use crate::session::Session;
use crate::Rng;

/// (n, classes) logits of the first `n` validation images (fewer if the set is smaller).
pub fn reference_logits(session: &mut Session, n: usize) -> Vec<f32> {
    let val = session.val.first(n);
    let mut bytes = Vec::new();
    image_bytes(&val, &mut bytes);
    let norm = val.normalization.clone();
    let plane = val.h * val.w;
    let input = session.model.input_mut(val.len());
    for (k, (x, &b)) in input.data.iter_mut().zip(&bytes).enumerate() {
        let ch = (k / plane) % val.c;
        *x = (b as f32 / 255.0 - norm.mean[ch]) / norm.std[ch];
    }
    // Eval mode draws nothing unless fractional pooling is in the model (then the logits are one
    // random pass, which no other implementation can reproduce).
    let mut rng = Rng::new(0);
    session.model.forward(Mode::Eval, &mut rng).data.clone()
}
