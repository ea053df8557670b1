//! The ensemble bindings from JS values, in a real browser: a member's validation probabilities
//! (trainer.valProbabilities) and their combination (combineEnsemble), as the page's workers use them.

#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Float32Array, Reflect, Uint8Array, JSON};
use trainlab::api::ensemble::combine_ensemble;
use trainlab::api::Trainer;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn member(m: u32) -> Trainer {
    let config = format!(r#"{{"trainSize": 128, "valSize": 48, "seed": 5, "member": {m}}}"#);
    Trainer::new(JSON::parse(&config).unwrap(), JsValue::UNDEFINED).unwrap()
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).expect("object")
}

fn message(e: JsError) -> String {
    js_sys::Error::from(JsValue::from(e)).message().into()
}

#[wasm_bindgen_test]
fn probabilities_appear_with_the_first_evaluation_and_combine() {
    let (mut a, mut b) = (member(0), member(1));
    assert!(
        a.val_probabilities().unwrap().is_null(),
        "null before any evaluation"
    );
    let probs = Array::new();
    let mut labels = Uint8Array::new_with_length(0);
    for t in [&mut a, &mut b] {
        t.step(4).unwrap();
        t.evaluate().unwrap();
        let p = t.val_probabilities().unwrap();
        assert_eq!(get(&p, "step").as_f64(), Some(4.0));
        assert_eq!(get(&p, "classes").as_f64(), Some(10.0));
        let f: Float32Array = get(&p, "probs").dyn_into().expect("probs is a Float32Array");
        assert_eq!(f.length(), 48 * 10);
        let row: f32 = f.to_vec()[..10].iter().sum();
        assert!((row - 1.0).abs() < 1e-4, "a row is a distribution, sums to {row}");
        labels = get(&p, "labels").dyn_into().expect("labels is a Uint8Array");
        assert_eq!(labels.length(), 48);
        probs.push(&f);
    }
    let r = combine_ensemble(probs.clone().into(), &labels.to_vec(), 10).unwrap();
    assert_eq!(get(&r, "members").as_f64(), Some(2.0));
    let accs = Array::from(&get(&r, "memberAccuracies"));
    assert_eq!(accs.length(), 2);
    let acc = get(&r, "accuracy").as_f64().unwrap();
    assert!((0.0..=1.0).contains(&acc));
    assert!(get(&r, "loss").as_f64().unwrap().is_finite());
    // Bad input is named with the core's message.
    probs.push(&JsValue::from_str("nope"));
    let err = message(combine_ensemble(probs.into(), &labels.to_vec(), 10).unwrap_err());
    assert!(err.contains("member 2 is not a Float32Array"), "{err}");
    let short = Array::of1(&Float32Array::new_with_length(7));
    let err = message(combine_ensemble(short.into(), &labels.to_vec(), 10).unwrap_err());
    assert!(err.contains("member 0 has 7 probabilities"), "{err}");
    let err = message(combine_ensemble(JsValue::from(3), &labels.to_vec(), 10).unwrap_err());
    assert!(err.contains("members must be an Array"), "{err}");
}
