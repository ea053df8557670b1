//! The bounds of `src/limits.rs`: every case the config fuzzing of issue 12 found is a named error
//! (key, value, bound), each cap builds just inside and is refused just outside, a NaN in a config
//! object is named, and every preset fits the memory budget at the largest batch with every
//! regularizer on.

#![cfg(not(target_arch = "wasm32"))]

use serde::de::IntoDeserializer;
use std::collections::BTreeMap;
use trainlab::config::{plain_json, Config, LayerSpec};
use trainlab::kernels::ConvGeom;
use trainlab::limits::{self, Footprint};
use trainlab::model::Model;
use trainlab::nn::Init;
use trainlab::session::Session;
use trainlab::{presets, Rng};

fn conv(out_channels: usize, kernel_size: usize, stride: usize, padding: usize) -> LayerSpec {
    LayerSpec::Conv2d {
        out_channels,
        kernel_size,
        stride,
        padding,
    }
}

fn linear(out_features: usize) -> LayerSpec {
    LayerSpec::Linear {
        out_features,
        drop_connect: 0.0,
    }
}

/// The error of building `specs` on `input` (no class check), or the footprint when it builds.
fn build(specs: &[LayerSpec], input: [usize; 3]) -> Result<Footprint, String> {
    Model::<f32>::from_specs(specs, input, Init::Kaiming, &mut Rng::new(1))
        .map(|m| *m.footprint())
        .map_err(|e| e.0)
}

fn refused(specs: &[LayerSpec], input: [usize; 3]) -> String {
    build(specs, input).expect_err("must be refused")
}

/// A session on the generated shapes with a few images, from a JSON config.
fn session(json: &str) -> Result<Session, String> {
    let config = Config::from_json(json).map_err(|e| e.0)?;
    Session::new(config).map_err(|e| e.0)
}

#[test]
fn the_fuzzed_configs_of_the_issue_are_named_errors() {
    let input = [3, 32, 32];
    // Padding 1000 with kernel 32: 16.3 GB of im2col columns before.
    assert_eq!(
        refused(&[conv(8, 32, 1, 1000)], input),
        "layers[0] (conv2d).padding: must be at most 32, got 1000"
    );
    // 103 GB of weights before.
    assert_eq!(
        refused(&[conv(2_147_483_647, 3, 1, 1)], input),
        "layers[0] (conv2d).outChannels: must be at most 1024, got 2147483647"
    );
    // Wrapped on wasm32 into a 30×30 output before; the cap is checked before any arithmetic.
    assert_eq!(
        refused(&[conv(8, 3, 1, 2_147_483_647)], input),
        "layers[0] (conv2d).padding: must be at most 32, got 2147483647"
    );
    // 3072 × 1,398,102 weights wrapped to 2,048 on wasm32 before.
    assert_eq!(
        refused(&[LayerSpec::Flatten, linear(1_398_102)], input),
        "layers[1] (linear).outFeatures: must be at most 16384, got 1398102"
    );
    // 20,002 cheap layers: gigabytes of bookkeeping before.
    let cheap = vec![LayerSpec::Relu; 20_002];
    assert!(
        refused(&cheap, input).starts_with("layers: a model may have at most 256 layers"),
        "{}",
        refused(&cheap, input)
    );
}

#[test]
fn residual_blocks_nested_100000_deep_are_refused_without_recursing() {
    // As a config text: the nesting is refused while the text is read (no stack overflow).
    let depth = 100_000;
    let open = r#"{"type":"residual","body":["#.repeat(depth);
    let text = format!(r#"{{"layers":[{open}{{"type":"relu"}}{}]}}"#, "]}".repeat(depth));
    let err = Config::from_json(&text).expect_err("too deep").0;
    assert!(err.contains("nested more than 64 levels deep"), "{err}");
    assert!(err.contains("layers[0].body[0].body[0]"), "names the path: {err}");
}

/// `depth` residual blocks inside each other around one ReLU.
fn nested(depth: usize) -> Vec<LayerSpec> {
    let mut spec = LayerSpec::Relu;
    for _ in 0..depth {
        spec = LayerSpec::Residual {
            body: vec![spec],
            survival: None,
        };
    }
    vec![spec]
}

#[test]
fn nesting_builds_at_the_bound_and_is_refused_one_past_it() {
    let input = [3, 8, 8];
    build(&nested(limits::MAX_NESTING), input).expect("8 levels build");
    let err = refused(&nested(limits::MAX_NESTING + 1), input);
    let path = format!("layers[0]{}", ".body[0]".repeat(limits::MAX_NESTING));
    assert_eq!(
        err,
        format!("{path}: residual blocks may be nested at most 8 deep, this one is at depth 9")
    );
}

#[test]
fn layer_count_builds_at_the_bound_and_is_refused_one_past_it() {
    let input = [3, 8, 8];
    build(&vec![LayerSpec::Relu; limits::MAX_LAYERS], input).expect("256 layers build");
    assert!(refused(&vec![LayerSpec::Relu; limits::MAX_LAYERS + 1], input).contains("at most 256 layers"));
    // Layers inside residual bodies count too.
    let mut specs = vec![LayerSpec::Relu; limits::MAX_LAYERS - 1];
    specs.push(LayerSpec::Residual {
        body: vec![LayerSpec::Relu],
        survival: None,
    });
    assert!(refused(&specs, input).contains("at most 256 layers"));
}

#[test]
fn each_size_cap_builds_at_the_bound_and_is_refused_one_past_it() {
    let small = [3, 8, 8];
    build(&[conv(limits::MAX_CHANNELS, 1, 1, 0)], small).expect("1024 channels");
    assert_eq!(
        refused(&[conv(limits::MAX_CHANNELS + 1, 1, 1, 0)], small),
        "layers[0] (conv2d).outChannels: must be at most 1024, got 1025"
    );
    build(&[conv(4, 1, 1, limits::MAX_PADDING)], small).expect("padding 32");
    assert_eq!(
        refused(&[conv(4, 1, 1, limits::MAX_PADDING + 1)], small),
        "layers[0] (conv2d).padding: must be at most 32, got 33"
    );
    let tiny = [1, 1, 1];
    build(&[linear(limits::MAX_FEATURES)], tiny).expect("16384 features");
    assert_eq!(
        refused(&[linear(limits::MAX_FEATURES + 1)], tiny),
        "layers[0] (linear).outFeatures: must be at most 16384, got 16385"
    );
    // Kernel and stride: a whole 256×256 image in one window.
    let big = [1, 256, 256];
    let pool = |k, s| LayerSpec::Maxpool2d {
        kernel_size: k,
        stride: Some(s),
    };
    build(&[pool(limits::MAX_KERNEL, limits::MAX_STRIDE)], big).expect("kernel and stride 256");
    assert_eq!(
        refused(&[pool(limits::MAX_KERNEL + 1, 1)], [1, 300, 300]),
        "layers[0] (maxpool2d).kernelSize: must be at most 256, got 257"
    );
    assert_eq!(
        refused(&[pool(2, limits::MAX_STRIDE + 1)], big),
        "layers[0] (maxpool2d).stride: must be at most 256, got 257"
    );
}

#[test]
fn a_model_over_the_budget_with_a_batch_of_one_is_refused_before_its_buffers_exist() {
    // Within every cap, but 1024 channels of a 256×256 input with kernel 16 is 64 GiB of im2col.
    let err = refused(&[conv(1024, 16, 1, 8)], [3, 256, 256]);
    assert!(
        err.starts_with("layers[0] (conv2d).this layer brings the model to "),
        "{err}"
    );
    assert!(err.ends_with("over the budget of 1024.0 MiB for a run"), "{err}");
}

#[test]
fn a_batch_over_the_budget_is_refused_naming_the_batch_that_fits() {
    let layers = r#"[{"type":"conv2d","outChannels":256,"kernelSize":3,"padding":1},
        {"type":"conv2d","outChannels":256,"kernelSize":3,"padding":1},
        {"type":"avgpool2d","kernelSize":32},{"type":"flatten"},{"type":"linear","outFeatures":10}]"#;
    let json =
        |batch: usize| format!(r#"{{"trainSize":8,"valSize":8,"batchSize":{batch},"layers":{layers}}}"#);
    let err = session(&json(1024)).err().expect("over the budget");
    assert!(
        err.starts_with("batchSize: the model with a batch of 1024 needs "),
        "{err}"
    );
    let fits: usize = err
        .rsplit_once("; batchSize ")
        .and_then(|(_, rest)| rest.strip_suffix(" would fit"))
        .unwrap_or_else(|| panic!("names the batch that fits: {err}"))
        .parse()
        .expect("a number");
    // Just inside builds, one more is refused.
    session(&json(fits)).expect("the batch named fits");
    assert!(session(&json(fits + 1)).is_err());
}

#[test]
fn every_preset_fits_the_budget_at_batch_128_with_every_regularizer_on() {
    const BATCH: usize = 128;
    for name in presets::NAMES {
        let input = presets::default_input(name).expect("a preset");
        let config = Config {
            preset: name.into(),
            batch_size: BATCH,
            batch_norm: true,
            drop_rate: 0.5,
            drop_connect: 0.5,
            model_ema_decay: 0.99,
            snapshot_ensemble: true,
            ..Config::default()
        };
        let specs = presets::with_regularizers(
            presets::preset(name, config.activation, input, 10).expect("builds"),
            &config,
        );
        let model = Model::<f32>::build(&specs, input, 10, Init::Kaiming, &mut Rng::new(1)).expect(name);
        let f = model.footprint();
        let copies = limits::param_copies(&config, 8);
        let bytes = f.run_bytes(copies, BATCH);
        let largest = (1..=limits::MAX_BATCH)
            .rev()
            .find(|&b| limits::check_run(f, copies, b).is_ok())
            .unwrap_or(0);
        println!(
            "{name}: {} params, {} at batch {BATCH}, {:.2e} multiply-adds per step, largest batch {largest}",
            f.params,
            limits::mib(bytes),
            f.step_macs(BATCH) as f64
        );
        assert!(
            limits::check_run(f, copies, BATCH).is_ok(),
            "{name} needs {}",
            limits::mib(bytes)
        );
        assert!(f.step_macs(BATCH) < limits::MAX_STEP_MACS, "{name}");
    }
}

#[test]
fn geometry_arithmetic_is_checked_not_wrapped() {
    // What a 32-bit build would wrap: 2·pad + h past usize::MAX, and an im2col matrix past it.
    assert!(ConvGeom::new(3, 32, 32, 3, 3, 1, usize::MAX / 2).is_none());
    assert!(ConvGeom::new(usize::MAX / 4, 32, 32, 3, 3, 1, 1).is_none());
    assert!(ConvGeom::new(3, 32, 32, 3, 3, 1, 1).is_some());
    // Sizes as a 32-bit usize holds them: the issue's wrapped linear layer (3072 × 1,398,102 =
    // 2^32 + 2,048) cannot be accepted, because nothing over the budget is, and the budget is far
    // below 2^32 bytes.
    assert!(limits::BUDGET_BYTES < u32::MAX as u64 / 2);
    let wrapped = 3072u64 * 1_398_102;
    assert_eq!(wrapped as u32, 2048, "the wrap the issue saw");
    assert!(wrapped * 4 > limits::BUDGET_BYTES);
}

/// `plain_json` of a map given as `serde_wasm_bindgen` presents a JS object (which can hold NaN).
fn object<V: IntoDeserializer<'static, serde::de::value::Error>>(
    map: BTreeMap<String, V>,
) -> Result<serde_json::Value, String> {
    let de: serde::de::value::MapDeserializer<'static, _, serde::de::value::Error> = map.into_deserializer();
    plain_json(de)
}

#[test]
fn a_nan_or_infinity_in_a_config_object_is_named_not_null() {
    let top = BTreeMap::from([("learningRate".to_string(), f64::NAN)]);
    assert_eq!(
        object(top).expect_err("NaN"),
        "learningRate: must be a finite number, got NaN"
    );
    let nested = BTreeMap::from([(
        "optimizer".to_string(),
        BTreeMap::from([("eps".to_string(), f64::NEG_INFINITY)]),
    )]);
    assert_eq!(
        object(nested).expect_err("-inf"),
        "optimizer.eps: must be a finite number, got -inf"
    );
    // Finite numbers pass unchanged.
    let fine = BTreeMap::from([("learningRate".to_string(), 0.5)]);
    assert_eq!(
        object(fine).expect("finite"),
        serde_json::json!({ "learningRate": 0.5 })
    );
}
