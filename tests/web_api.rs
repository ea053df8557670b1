//! The Trainer API driven from JS values, in a real browser: what the page and the slides see.

#![cfg(target_arch = "wasm32")]

use js_sys::{Reflect, JSON};
use trainlab::api::Trainer;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn js(text: &str) -> JsValue {
    JSON::parse(text).expect("test JSON")
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).expect("object")
}

fn num(obj: &JsValue, key: &str) -> f64 {
    get(obj, key)
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number"))
}

fn error_message(result: Result<Trainer, JsError>) -> String {
    match result {
        Ok(_) => panic!("config was accepted"),
        Err(e) => js_sys::Error::from(JsValue::from(e)).message().into(),
    }
}

const SMALL: &str = r#"{"trainSize": 128, "valSize": 64, "seed": 5}"#;

#[wasm_bindgen_test]
fn step_reports_every_loss_and_the_run_state() {
    let mut t = Trainer::new(js(SMALL), JsValue::UNDEFINED).unwrap();
    let r = t.step(3).unwrap();
    assert_eq!(num(&r, "step"), 3.0);
    let losses = js_sys::Array::from(&get(&r, "losses"));
    assert_eq!(losses.length(), 3);
    assert_eq!(losses.get(2).as_f64().unwrap(), num(&r, "loss"));
    assert!(num(&r, "loss").is_finite());
    let acc = num(&r, "accuracy");
    assert!((0.0..=1.0).contains(&acc));
    assert_eq!(num(&r, "lr"), 0.01, "the default learning rate");
    assert!(num(&r, "imagesPerSecond") >= 0.0);
    assert_eq!(t.backend(), "wasm simd128");
    assert!(
        get(&r, "diverged").is_undefined(),
        "a healthy step has no divergence"
    );
}

#[wasm_bindgen_test]
fn step_stops_at_the_first_diverged_loss_and_names_it() {
    let mut t = Trainer::new(
        js(r#"{"trainSize": 128, "valSize": 64, "seed": 5, "learningRate": 50}"#),
        JsValue::UNDEFINED,
    )
    .unwrap();
    let r = t.step(30).unwrap();
    let d = get(&r, "diverged");
    assert!(!d.is_undefined(), "lr 50 diverges within 30 steps");
    let losses = js_sys::Array::from(&get(&r, "losses"));
    // The batch ends on the diverged step: its loss is the last one reported.
    assert_eq!(num(&d, "step"), num(&r, "step"));
    assert_eq!(losses.length() as f64, num(&r, "step"));
    let last = losses.get(losses.length() - 1).as_f64().unwrap();
    let limit = 100.0 * trainlab::math::Transcendental::ln(10f64);
    assert!(!last.is_finite() || last > limit, "last loss {last}");
    let what = get(&d, "what").as_string().unwrap();
    assert!(
        what == "became NaN" || what == "became infinite" || what.starts_with("exploded to "),
        "{what}"
    );
}

#[wasm_bindgen_test]
fn evaluate_reports_accuracies_in_range() {
    let mut t = Trainer::new(js(SMALL), JsValue::UNDEFINED).unwrap();
    t.step(2).unwrap();
    let e = t.evaluate().unwrap();
    assert_eq!(num(&e, "step"), 2.0);
    for key in ["valAccuracy", "trainAccuracy"] {
        assert!((0.0..=1.0).contains(&num(&e, key)), "{key}");
    }
    assert!(num(&e, "valLoss").is_finite());
}

#[wasm_bindgen_test]
fn evaluate_reports_calibration() {
    let mut t = Trainer::new(js(SMALL), JsValue::UNDEFINED).unwrap();
    t.step(2).unwrap();
    let e = t.evaluate().unwrap();
    let confidence = num(&e, "valConfidence");
    assert!(
        (0.1..=1.0).contains(&confidence),
        "top-1 of 10 classes is ≥ 0.1, got {confidence}"
    );
    assert!((0.0..=1.0).contains(&num(&e, "valEce")));
    let bins = js_sys::Array::from(&get(&e, "reliability"));
    assert_eq!(bins.length(), 10);
    let counted: f64 = bins.iter().map(|b| num(&b, "count")).sum();
    assert_eq!(counted, 64.0, "every validation image falls in one bin");
    for key in ["lo", "hi", "confidence", "accuracy"] {
        assert!(num(&bins.get(9), key).is_finite(), "{key}");
    }
}

#[wasm_bindgen_test]
fn evaluate_slice_returns_undefined_until_complete_then_the_same_report() {
    let config = r#"{"trainSize": 128, "valSize": 64, "seed": 5, "tta": true}"#;
    let mut whole = Trainer::new(js(config), JsValue::UNDEFINED).unwrap();
    whole.step(2).unwrap();
    let expected = JSON::stringify(&whole.evaluate().unwrap()).unwrap();
    let mut t = Trainer::new(js(config), JsValue::UNDEFINED).unwrap();
    t.step(2).unwrap();
    assert!(t.evaluation_progress().unwrap().is_undefined());
    let mut calls = 0;
    let report = loop {
        calls += 1;
        let r = t.evaluate_slice(100).unwrap();
        if !r.is_undefined() {
            break r;
        }
        let progress = t.evaluation_progress().unwrap();
        assert_eq!(
            num(&progress, "total"),
            (64.0 + 64.0) * 10.0,
            "10 TTA views per image"
        );
        assert!(num(&progress, "done") <= calls as f64 * 100.0);
    };
    assert!(
        calls >= 12,
        "1280 forward images in slices of ≤ 100 need ≥ 13 calls, got {calls}"
    );
    assert_eq!(JSON::stringify(&report).unwrap(), expected);
    assert!(t.evaluation_progress().unwrap().is_undefined());
    // A step abandons an unfinished evaluation.
    assert!(t.evaluate_slice(100).unwrap().is_undefined());
    t.step(1).unwrap();
    assert!(t.evaluation_progress().unwrap().is_undefined());
}

#[wasm_bindgen_test]
fn cell_images_are_the_clicked_cells_after_an_evaluation_and_refuse_unknown_classes() {
    let mut t = Trainer::new(js(SMALL), JsValue::UNDEFINED).unwrap();
    t.step(3).unwrap();
    let before = t.cell_images(0, 0).unwrap();
    assert!(get(&before, "step").is_undefined(), "no evaluation yet");
    assert_eq!(js_sys::Array::from(&get(&before, "images")).length(), 0);
    let e = t.evaluate().unwrap();
    let matrix = js_sys::Array::from(&get(&e, "confusion"));
    for (tc, p) in [(0u32, 0u32), (1, 0), (2, 5)] {
        let r = t.cell_images(tc as usize, p as usize).unwrap();
        assert_eq!(num(&r, "step"), 3.0);
        let images = js_sys::Array::from(&get(&r, "images"));
        let count = js_sys::Array::from(&matrix.get(tc)).get(p).as_f64().unwrap();
        assert_eq!(images.length() as f64, count.min(12.0), "cell ({tc}, {p})");
        for w in images.iter() {
            assert_eq!(
                (num(&w, "trueClass"), num(&w, "predicted")),
                (tc as f64, p as f64)
            );
            let rgb = js_sys::Uint8Array::new(&get(&w, "rgb"));
            assert_eq!(rgb.length() as f64, num(&w, "width") * num(&w, "height") * 3.0);
        }
    }
    // A state put back is of other weights: its lists are not shown as this evaluation's.
    let state = t.export_state().unwrap();
    t.import_state(state).unwrap();
    assert!(
        get(&t.cell_images(0, 0).unwrap(), "step").is_undefined(),
        "lists forgotten on importState"
    );
    let e = t.cell_images(10, 2).expect_err("class 10 of 10 refused");
    let message: String = js_sys::Error::from(JsValue::from(e)).message().into();
    assert!(
        message.contains("true class 10") && message.contains("10 classes"),
        "{message}"
    );
}

#[wasm_bindgen_test]
fn same_seed_same_first_loss_from_js() {
    let first = |cfg: &str| {
        num(
            &Trainer::new(js(cfg), JsValue::UNDEFINED)
                .unwrap()
                .step(1)
                .unwrap(),
            "loss",
        )
    };
    assert_eq!(first(SMALL), first(SMALL));
    assert_ne!(
        first(SMALL),
        first(r#"{"trainSize": 128, "valSize": 64, "seed": 6}"#)
    );
}

#[wasm_bindgen_test]
fn weights_and_activations_are_copies_of_the_right_size() {
    let mut t = Trainer::new(js(SMALL), JsValue::UNDEFINED).unwrap();
    let layers = js_sys::Array::from(&t.layers().unwrap());
    assert_eq!(get(&layers.get(0), "kind").as_string().unwrap(), "conv2d");
    assert_eq!(t.weights(0).unwrap().length(), 16 * 3 * 3 * 3);
    assert_eq!(t.weights(1).unwrap().length(), 0, "relu has no weights");
    assert_eq!(t.activations(0).unwrap().length(), 0, "nothing forwarded yet");
    t.step(1).unwrap();
    assert_eq!(t.activations(0).unwrap().length(), 16 * 32 * 32);
    // A copy: changing it does not touch the model.
    let w = t.weights(0).unwrap();
    w.fill(0.0, 0, w.length());
    assert!(t.weights(0).unwrap().to_vec().iter().any(|&v| v != 0.0));
    assert!(t.weights(99).is_err());
    assert_eq!(t.class_names().len(), 10);
}

#[wasm_bindgen_test]
fn bad_configs_are_errors_not_panics() {
    let cases = [
        (r#"{"learningRate": -1}"#, "learningRate"),
        (r#"{"colour": "red"}"#, "colour"),
        (r#"{"batchSize": "many"}"#, "batchSize"),
        (
            r#"{"layers": [{"type": "conv2d", "outChannels": 2, "kernelSize": 33}]}"#,
            "kernelSize",
        ),
        (r#"{"preset": "resnet"}"#, "preset"),
    ];
    for (cfg, field) in cases {
        let msg = error_message(Trainer::new(js(cfg), JsValue::UNDEFINED));
        assert!(msg.contains(field), "{cfg}: {msg}");
    }
    // Not an object at all, and NaN (which JSON cannot carry) from a JS object.
    assert!(!error_message(Trainer::new(JsValue::from_str("fast"), JsValue::UNDEFINED)).is_empty());
    let obj = js_sys::Object::new();
    Reflect::set(&obj, &"learningRate".into(), &JsValue::from_f64(f64::NAN)).unwrap();
    assert!(error_message(Trainer::new(obj.into(), JsValue::UNDEFINED)).contains("learningRate"));
    // After errors the module still works.
    assert!(Trainer::new(js(SMALL), JsValue::UNDEFINED).is_ok());
}

#[wasm_bindgen_test]
fn learning_rate_can_change_between_steps() {
    let mut t = Trainer::new(js(SMALL), JsValue::UNDEFINED).unwrap();
    t.set_learning_rate(0.005).unwrap();
    assert_eq!(num(&t.step(1).unwrap(), "lr"), 0.005);
    assert!(t.set_learning_rate(-3.0).is_err());
}

#[wasm_bindgen_test]
fn lessons_from_js_values() {
    // Initialization lab at a small width: six tanh layers, one histogram each.
    let report = trainlab::api::init_lab(js(r#"{"scheme": "xavier", "width": 256}"#), 1).unwrap();
    let layers = js_sys::Array::from(&get(&report, "layers"));
    assert_eq!(layers.length(), 6);
    assert!(num(&layers.get(5), "std") > 0.1);
    assert!(trainlab::api::init_lab(js(r#"{"scheme": "huge"}"#), 1).is_err());
    // Activation explorer: 12 curves with f and f'.
    let curves = js_sys::Array::from(&trainlab::api::activation_curves(11).unwrap());
    assert_eq!(curves.length(), 12);
    assert_eq!(js_sys::Array::from(&get(&curves.get(0), "df")).length(), 11);
    // Schedule: replaceable, drawable, and its rate shows in the next report. A fast start (the
    // old default rate 0.02) so that the spike rule has something to say below.
    let mut t = Trainer::new(
        js(r#"{"trainSize": 128, "valSize": 64, "seed": 5, "learningRate": 0.02}"#),
        JsValue::UNDEFINED,
    )
    .unwrap();
    t.set_schedule(js(r#"{"type": "linear", "totalSteps": 10}"#))
        .unwrap();
    let curve = js_sys::Array::from(&t.schedule_curve(10, 11).unwrap());
    assert_eq!(js_sys::Array::from(&curve.get(10)).get(1).as_f64().unwrap(), 0.0);
    assert_eq!(num(&t.step(1).unwrap(), "lr"), 0.02);
    assert!((num(&t.step(1).unwrap(), "lr") - 0.018).abs() < 1e-12); // 0.02·(1 − 1/10)
    assert!(t.set_schedule(js(r#"{"type": "cosine", "gamma": 2}"#)).is_err());
    // Update ratios, diagnostics and the preview of the batch.
    assert_eq!(t.update_ratios().len(), 4);
    let d = js_sys::Array::from(&t.diagnose(None, None).unwrap());
    // Two steps at 0.02 without warmup: the loss jumps on step 2, and that is all there is to say.
    assert_eq!(d.length(), 1, "one finding after two steps");
    assert_eq!(get(&d.get(0), "finding").as_string().unwrap(), "earlySpike");
    let p = t.preview(2).unwrap();
    assert_eq!(js_sys::Array::from(&get(&p, "images")).length(), 2);
    // The learning-rate finder runs on a copy: this run's step count does not move.
    let found = t.find_learning_rate(js(r#"{"iterations": 12}"#)).unwrap();
    assert!(js_sys::Array::from(&get(&found, "points")).length() > 0);
    assert_eq!(num(&t.step(1).unwrap(), "step"), 3.0);
}

#[wasm_bindgen_test]
fn a_panic_leaves_its_message_and_location_for_last_panic() {
    trainlab::api::install_panic_hook();
    // The panic happens in a call from JavaScript, as in the worker: the abort reaches JS as a
    // RuntimeError, which the caller catches; the hook has recorded the text before that.
    let panicking = Closure::<dyn FnMut()>::new(|| panic!("deliberate panic for the hook test"));
    let function: &js_sys::Function = panicking.as_ref().unchecked_ref();
    let error = function
        .call0(&JsValue::NULL)
        .expect_err("a panic must reach JavaScript as an exception");
    assert!(
        error.is_instance_of::<js_sys::WebAssembly::RuntimeError>(),
        "{error:?}"
    );
    let text = trainlab::api::last_panic().expect("the hook recorded the panic");
    assert!(text.contains("deliberate panic for the hook test"), "{text}");
    assert!(text.contains("tests/web_api.rs:"), "the location is kept: {text}");
    std::mem::forget(panicking);
}

/// `structuredClone(v)`: what postMessage and IndexedDB do to a value on its way.
fn structured_clone(v: &JsValue) -> JsValue {
    let f: js_sys::Function = get(&js_sys::global(), "structuredClone").into();
    f.call1(&JsValue::NULL, v).expect("structuredClone")
}

fn step_loss(t: &mut Trainer) -> f64 {
    num(&t.step(1).unwrap(), "loss")
}

#[wasm_bindgen_test]
fn export_state_round_trips_through_js_and_the_run_goes_on_identically() {
    let mut saved = Trainer::new(js(SMALL), JsValue::UNDEFINED).unwrap();
    saved.step(5).unwrap();
    let state = structured_clone(&saved.export_state().unwrap());
    assert_eq!(num(&state, "step"), 5.0);
    assert_eq!(
        num(&state, "epoch"),
        1.0,
        "5 batches of 32 pass the 128 training images once"
    );
    assert_eq!(num(&state, "version"), trainlab::session::STATE_VERSION as f64);
    let data = get(&state, "data");
    assert!(data.is_instance_of::<js_sys::Uint8Array>());
    assert!(
        js_sys::Uint8Array::from(data.clone()).length() > 4 * 128,
        "holds at least the data order"
    );

    let mut restored = Trainer::new(js(SMALL), JsValue::UNDEFINED).unwrap();
    let r = restored.import_state(state).unwrap();
    assert_eq!((num(&r, "step"), num(&r, "epoch")), (5.0, 1.0));
    for _ in 0..3 {
        assert_eq!(
            step_loss(&mut restored).to_bits(),
            step_loss(&mut saved).to_bits()
        );
    }
    // The bytes alone (Uint8Array or its ArrayBuffer) are accepted too.
    let mut again = Trainer::new(js(SMALL), JsValue::UNDEFINED).unwrap();
    let buffer = js_sys::Uint8Array::from(data).buffer();
    assert_eq!(num(&again.import_state(buffer.into()).unwrap(), "step"), 5.0);
}

#[wasm_bindgen_test]
fn import_state_of_another_config_or_not_a_state_is_an_error_naming_it() {
    let mut saved = Trainer::new(js(SMALL), JsValue::UNDEFINED).unwrap();
    saved.step(2).unwrap();
    let state = saved.export_state().unwrap();
    let message = |r: Result<JsValue, JsError>| match r {
        Ok(_) => panic!("the state was accepted"),
        Err(e) => String::from(js_sys::Error::from(JsValue::from(e)).message()),
    };
    let mut other = Trainer::new(
        js(r#"{"trainSize": 128, "valSize": 64, "seed": 5, "preset": "mlp"}"#),
        JsValue::UNDEFINED,
    )
    .unwrap();
    let msg = message(other.import_state(state.clone()));
    assert!(
        msg.contains("parameter") && msg.contains("this network has"),
        "{msg}"
    );
    let mut bigger = Trainer::new(
        js(r#"{"trainSize": 160, "valSize": 64, "seed": 5}"#),
        JsValue::UNDEFINED,
    )
    .unwrap();
    let msg = message(bigger.import_state(state));
    assert!(
        msg.contains("128 training images") && msg.contains("trainSize"),
        "{msg}"
    );
    let msg = message(other.import_state(js(r#"{"step": 3}"#)));
    assert!(
        msg.contains("importState") && msg.contains("data: Uint8Array"),
        "{msg}"
    );
    assert_eq!(
        num(&other.step(1).unwrap(), "step"),
        1.0,
        "a refused state leaves the run as it was"
    );
}

fn bytes(b: &[u8]) -> js_sys::Uint8Array {
    js_sys::Uint8Array::from(b)
}

/// `per_class` grey 12×12 images of each of 4 classes: class k is bright in quadrant k.
fn quadrant_images(per_class: usize) -> (Vec<u8>, Vec<u8>) {
    let (mut pixels, mut labels) = (Vec::new(), Vec::new());
    for i in 0..4 * per_class {
        let k = i % 4;
        labels.push(k as u8);
        for y in 0..12 {
            for x in 0..12 {
                let quadrant = (y / 6) * 2 + x / 6;
                pixels.push(if quadrant == k {
                    200 + (i % 50) as u8
                } else {
                    (i * 7 % 40) as u8
                });
            }
        }
    }
    (pixels, labels)
}

#[wasm_bindgen_test]
fn data_from_pixels_summarizes_and_trains_trainers_that_share_it() {
    use trainlab::api::Data;
    let (pixels, labels) = quadrant_images(20);
    let names = js(r#"["top left", "top right", "bottom left", "bottom right"]"#);
    let data = Data::from_pixels("own", bytes(&pixels), bytes(&labels), 1, 12, 12, names, 0.25, 7.0).unwrap();
    assert_eq!(data.name(), "own");
    let summary = data.summary().unwrap();
    assert_eq!(get(&summary, "name").as_string().unwrap(), "own");
    let shape: Vec<f64> = js_sys::Array::from(&get(&summary, "shape"))
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(shape, [1.0, 12.0, 12.0]);
    assert_eq!(
        (num(&summary, "train"), num(&summary, "val")),
        (60.0, 20.0),
        "5 of each class's 20 to validation"
    );
    let counts: Vec<f64> = js_sys::Array::from(&get(&summary, "trainCounts"))
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(counts, [15.0; 4]);
    assert_eq!(js_sys::Array::from(&get(&summary, "mean")).length(), 1);
    let samples = js_sys::Array::from(&get(&summary, "samples"));
    assert_eq!(samples.length(), 4 * 8, "8 samples of each class");
    for (i, sample) in samples.iter().enumerate() {
        let rgba = get(&sample, "rgba")
            .dyn_into::<js_sys::Uint8Array>()
            .expect("rgba is a Uint8Array");
        assert_eq!(rgba.length(), 12 * 12 * 4);
        assert_eq!((num(&sample, "width"), num(&sample, "height")), (12.0, 12.0));
        assert_eq!(num(&sample, "label") as usize, i / 8, "class by class");
    }

    let data: JsValue = data.into();
    let config = r#"{"dataset": "own", "preset": "mlp", "trainSize": 1000, "valSize": 1000, "batchSize": 16, "seed": 3}"#;
    let mut a = Trainer::new(js(config), data.clone()).unwrap();
    // The same handle builds a second trainer: it is shared, not used up.
    let mut b = Trainer::new(js(config), data.clone()).unwrap();
    assert_eq!(
        a.class_names(),
        ["top left", "top right", "bottom left", "bottom right"]
    );
    let (ra, rb) = (a.step(4).unwrap(), b.step(4).unwrap());
    assert_eq!(
        num(&ra, "loss"),
        num(&rb, "loss"),
        "same config, same data, same losses"
    );
    let report = a.evaluate().unwrap();
    assert_eq!(
        js_sys::Array::from(&get(&report, "confusion")).length(),
        4,
        "a 4×4 confusion matrix"
    );

    let missing = error_message(Trainer::new(js(config), JsValue::UNDEFINED));
    assert!(missing.contains("dataset \"own\" is not loaded"), "{missing}");
    let other = error_message(Trainer::new(js(r#"{"dataset": "mnist"}"#), data));
    assert!(
        other.contains("dataset \"mnist\" is not loaded") && other.contains("\"own\""),
        "{other}"
    );
    let short = Data::from_pixels(
        "own",
        bytes(&pixels[1..]),
        bytes(&labels),
        1,
        12,
        12,
        js(r#"["a", "b", "c", "d"]"#),
        0.25,
        7.0,
    );
    let message = match short {
        Ok(_) => panic!("a short pixel buffer was accepted"),
        Err(e) => String::from(js_sys::Error::from(JsValue::from(e)).message()),
    };
    assert!(
        message.contains("own pixels") && message.contains("11520 bytes"),
        "{message}"
    );
}

#[wasm_bindgen_test]
fn data_from_idx_takes_a_training_and_a_validation_pair() {
    use trainlab::api::Data;
    let idx = |magic: u32, dims: &[u32], body: &[u8]| {
        let mut out = magic.to_be_bytes().to_vec();
        dims.iter().for_each(|d| out.extend_from_slice(&d.to_be_bytes()));
        out.extend_from_slice(body);
        out
    };
    let (pixels, labels) = quadrant_images(10);
    let images = idx(0x803, &[40, 12, 12], &pixels);
    let label_file = idx(0x801, &[40], &labels);
    let names = || js(r#"["a", "b", "c", "d"]"#);
    let data = Data::from_idx(
        "quads",
        bytes(&images),
        bytes(&label_file),
        Some(bytes(&images)),
        Some(bytes(&label_file)),
        names(),
        0.1,
        1.0,
    )
    .unwrap();
    let summary = data.summary().unwrap();
    assert_eq!(
        (num(&summary, "train"), num(&summary, "val")),
        (40.0, 40.0),
        "the given pair, no split"
    );
    let split = Data::from_idx(
        "quads",
        bytes(&images),
        bytes(&label_file),
        None,
        None,
        names(),
        0.2,
        1.0,
    )
    .unwrap();
    let summary = split.summary().unwrap();
    assert_eq!(
        (num(&summary, "train"), num(&summary, "val")),
        (32.0, 8.0),
        "a fifth of each class's 10"
    );
    let mut t = Trainer::new(js(r#"{"dataset": "quads", "preset": "linear"}"#), split.into()).unwrap();
    assert!(num(&t.step(2).unwrap(), "loss").is_finite());
    let bad = Data::from_idx(
        "quads",
        bytes(&label_file),
        bytes(&label_file),
        None,
        None,
        names(),
        0.25,
        1.0,
    );
    let message = match bad {
        Ok(_) => panic!("a label file was read as images"),
        Err(e) => String::from(js_sys::Error::from(JsValue::from(e)).message()),
    };
    assert!(
        message.starts_with("quads training images: bytes 0–3"),
        "{message}"
    );
}
