//! Checkpoints from JS values, in a real browser: trainer.exportCheckpoint → loadCheckpoint into a
//! fresh trainer of the same config gives the same weights and evaluation; a broken or foreign file
//! is a JsError naming it and leaves the trainer as it was.

#![cfg(target_arch = "wasm32")]

use js_sys::{Reflect, JSON};
use trainlab::api::Trainer;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn trainer(preset: &str) -> Trainer {
    let config =
        format!(r#"{{"preset": "{preset}", "trainSize": 128, "valSize": 48, "seed": 3, "batchNorm": true}}"#);
    Trainer::new(JSON::parse(&config).unwrap(), JsValue::UNDEFINED).unwrap()
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).expect("object")
}

fn message(e: JsError) -> String {
    js_sys::Error::from(JsValue::from(e)).message().into()
}

fn val_accuracy(t: &mut Trainer) -> f64 {
    get(&t.evaluate().unwrap(), "valAccuracy").as_f64().unwrap()
}

#[wasm_bindgen_test]
fn a_checkpoint_loads_into_a_fresh_trainer_and_evaluates_the_same() {
    let mut a = trainer("shapes-cnn");
    a.step(5).unwrap();
    let acc = val_accuracy(&mut a);
    let bytes = a.export_checkpoint(Some(acc), Some("web test".into())).unwrap();
    let mut b = trainer("shapes-cnn");
    let loaded = b.load_checkpoint(&bytes).unwrap();
    assert_eq!(get(&loaded, "steps").as_f64(), Some(5.0));
    assert_eq!(get(&loaded, "dataset").as_string().as_deref(), Some("shapes"));
    assert_eq!(get(&loaded, "valAccuracy").as_f64(), Some(acc));
    assert_eq!(val_accuracy(&mut b).to_bits(), acc.to_bits());
    // Not evaluated: valAccuracy null.
    let unevaluated = a.export_checkpoint(None, None).unwrap();
    assert!(get(&b.load_checkpoint(&unevaluated).unwrap(), "valAccuracy").is_null());
}

#[wasm_bindgen_test]
fn a_bad_file_is_named_and_the_trainer_is_unchanged() {
    let mut a = trainer("shapes-cnn");
    a.step(2).unwrap();
    let acc = val_accuracy(&mut a);
    let good = a.export_checkpoint(None, None).unwrap();
    let truncated = good.subarray(0, good.length() - 10);
    let e = message(a.load_checkpoint(&truncated).unwrap_err());
    assert!(e.contains("truncated"), "{e}");
    let mlp = trainer("mlp").export_checkpoint(None, None).unwrap();
    let e = message(a.load_checkpoint(&mlp).unwrap_err());
    assert!(e.contains("from another network"), "{e}");
    assert_eq!(
        val_accuracy(&mut a).to_bits(),
        acc.to_bits(),
        "the trainer is as it was"
    );
}
