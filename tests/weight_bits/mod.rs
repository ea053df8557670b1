//! A model's whole state as bits, for the tests that compare two states exactly (named parameters,
//! resume, averaging swapping weights in and out).

#![allow(dead_code)]

use trainlab::model::Model;
use trainlab::session::Session;

/// Every parameter and buffer value of `m`, as bits, parameters first.
pub fn model_bits(m: &mut Model<f32>) -> Vec<u32> {
    let mut out = Vec::new();
    m.visit_params(&mut |_, w, _| out.extend(w.iter().map(|x| x.to_bits())));
    m.visit_buffers(&mut |b| out.extend(b.iter().map(|x| x.to_bits())));
    out
}

/// `model_bits` of a session's model.
pub fn weights(s: &mut Session) -> Vec<u32> {
    model_bits(&mut s.model)
}
