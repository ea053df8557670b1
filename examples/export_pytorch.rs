//! Writes PyTorch export bundles for the Python test layer (tests/python/): for each config a
//! directory with `train.py`, `data.safetensors`, `weights.safetensors` (after some native training
//! steps, so batch-norm statistics are not trivial) and `reference.safetensors` (the core's eval-mode
//! logits on the first 64 validation images of data.safetensors, tensor `logits`).
//!
//!   cargo run --release --example export_pytorch -- <dir>                     # the test's configs
//!   cargo run --release --example export_pytorch -- <dir> '<config json>' [steps]   # one bundle
//!   cargo run --release --example export_pytorch -- --read <file.safetensors>
//!
//! `--read` opens a checkpoint as the page's "Open a checkpoint…" does (a run with the file's config,
//! `Session::load_checkpoint`, strict), evaluates it and prints `read: <tensors> tensors, steps <n>,
//! val accuracy <a>` — the Python layer uses it on a file train.py saved.
//!
//! The test's configs: default (shapes-cnn), lenet, resnet-mini (batch norm, residual blocks with
//! stochastic depth), mlp, regularized (dropout + DropConnect), activations (all twelve, both batch
//! norms, average pooling), loaded (a loaded set — shapes rendered to bytes — with its own
//! per-channel normalization, exported byte for byte).

use std::path::Path;
use std::rc::Rc;
use std::time::Instant;
use trainlab::config::Config;
use trainlab::data::limits::Limits;
use trainlab::data::{LoadedData, Split};
use trainlab::export;
use trainlab::session::Session;
use trainlab::transfer::weights::{self, Pretrained, WeightsMeta};

/// Validation images the reference logits cover.
const REFERENCE_IMAGES: usize = 64;
/// Native training steps before the weights are written.
const STEPS: u64 = 40;

/// Every regularizer, augmentation and evaluation technique at once (its train.py imports
/// torchvision and timm).
const EVERY_TECHNIQUE: &str = r#"{"trainSize": 64, "valSize": 16, "dropRate": 0.3, "dropConnect": 0.2,
  "batchNorm": true, "fractionalPooling": true, "init": "xavier", "activation": "swish", "tta": true,
  "patience": 5, "modelEmaDecay": 0.995, "snapshotEnsemble": true, "learningRate": 0.01,
  "optimizer": {"type": "sgd", "momentum": 0.9, "nesterov": true, "weightDecay": 0.0005},
  "schedule": {"type": "cyclic", "period": 2, "etaMin": 0.001},
  "augment": {"hflip": 0.5, "cropScale": [1, 1.25], "colorJitter": {"brightness": 0.4, "contrast": 0.4,
    "saturation": 0.4}, "pcaStd": 0.1, "randaugmentN": 2, "randaugmentM": 9, "reprob": 0.25,
    "cutoutSize": {"length": 16}, "cutoutFill": "random", "mixupAlpha": 0.8, "cutmixAlpha": 1.0,
    "labelSmoothing": 0.1}}"#;

/// (name, config) of the test's bundles: small sets so that the layer stays quick.
fn configs() -> Vec<(&'static str, String)> {
    let small = r#""trainSize": 512, "valSize": 128"#;
    let conv =
        |c: usize| format!(r#"{{"type": "conv2d", "outChannels": {c}, "kernelSize": 3, "padding": 1}}"#);
    // step first (it binarizes the image): after it every other activation's error would show.
    let activations = [
        r#"{"type": "step"}"#.to_string(),
        conv(8),
        r#"{"type": "sigmoid"}"#.into(),
        r#"{"type": "tanh"}"#.into(),
        r#"{"type": "maxpool2d", "kernelSize": 2}"#.into(),
        conv(8),
        r#"{"type": "softplus"}"#.into(),
        r#"{"type": "batchnorm"}"#.into(),
        r#"{"type": "softsign"}"#.into(),
        r#"{"type": "avgpool2d", "kernelSize": 2}"#.into(),
        conv(8),
        r#"{"type": "elu", "alpha": 0.5}"#.into(),
        r#"{"type": "logsigmoid"}"#.into(),
        r#"{"type": "leakyrelu"}"#.into(),
        r#"{"type": "flatten"}"#.into(),
        r#"{"type": "linear", "outFeatures": 32}"#.into(),
        r#"{"type": "swish"}"#.into(),
        r#"{"type": "batchnorm"}"#.into(),
        r#"{"type": "sinc"}"#.into(),
        r#"{"type": "linear", "outFeatures": 16}"#.into(),
        r#"{"type": "mish"}"#.into(),
        r#"{"type": "relu"}"#.into(),
        r#"{"type": "linear", "outFeatures": 10}"#.into(),
    ];
    vec![
        ("default", format!("{{{small}}}")),
        ("lenet", format!(r#"{{"preset": "lenet", {small}}}"#)),
        (
            "resnet-mini",
            format!(r#"{{"preset": "resnet-mini", "batchNorm": true, "dropPathRate": 0.3, {small}}}"#),
        ),
        (
            "mlp",
            format!(r#"{{"preset": "mlp", "activation": "tanh", "init": "xavier", {small}}}"#),
        ),
        (
            "regularized",
            format!(
                r#"{{"preset": "mlp", "dropRate": 0.3, "dropConnect": 0.2, "optimizer": {{"type": "adamw"}}, "learningRate": 0.001, "schedule": {{"type": "cosine", "totalSteps": 200, "warmupSteps": 10}}, {small}}}"#
            ),
        ),
        (
            "activations",
            format!(
                r#"{{"layers": [{}], "batchSize": 16, {small}}}"#,
                activations.join(", ")
            ),
        ),
    ]
}

/// A loaded set ("shapes-bytes"): generated shapes as bytes, split and normalized as a set the page
/// loads, so that its bundle exercises the exact byte path.
fn loaded_shapes() -> Rc<LoadedData> {
    let shapes = Session::new(Config::from_json(r#"{"trainSize": 640, "valSize": 1}"#).expect("config"))
        .expect("a shapes run");
    let mut pixels = Vec::new();
    export::data::image_bytes(&shapes.train, &mut pixels);
    let data = LoadedData::from_pixels(
        "shapes-bytes",
        &pixels,
        &shapes.train.labels,
        shapes.train.shape(),
        shapes.train.class_names.clone(),
        Split {
            val_fraction: 0.2,
            seed: 1,
        },
        &Limits::default(),
    )
    .unwrap_or_else(|e| panic!("shapes-bytes: {e}"));
    Rc::new(data)
}

/// Trains `steps` steps and writes the bundle into `dir`.
fn bundle(dir: &Path, json: &str, steps: u64, data: Option<Rc<LoadedData>>) {
    let config = Config::from_json(json).unwrap_or_else(|e| panic!("config {json}: {e}"));
    let mut session =
        Session::with_data(config.clone(), data).unwrap_or_else(|e| panic!("config {json}: {e}"));
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    };
    let script = export::pytorch_script(&session).unwrap_or_else(|e| panic!("export: {e}"));
    write("train.py", script.as_bytes());
    write(
        "data.safetensors",
        &export::data_file(&session).unwrap_or_else(|e| panic!("{e}")),
    );
    for _ in 0..steps {
        session.step();
    }
    let report = session.evaluate();
    let meta = WeightsMeta {
        config,
        input: session.train.shape(),
        dataset: session.config.dataset.clone(),
        class_names: session.train.class_names.clone(),
        steps: session.steps_taken(),
        val_accuracy: report.val_accuracy,
        made_by: format!("cargo run --release --example export_pytorch -- <dir> '{json}' {steps}"),
    };
    write(
        "weights.safetensors",
        &weights::save(&mut session.model, &meta).unwrap_or_else(|e| panic!("{e}")),
    );
    let logits = export::reference_logits(&mut session, REFERENCE_IMAGES);
    let classes = session.train.classes;
    let bytes: Vec<u8> = logits.iter().flat_map(|x| x.to_le_bytes()).collect();
    let view = safetensors::tensor::TensorView::new(
        safetensors::tensor::Dtype::F32,
        vec![logits.len() / classes, classes],
        &bytes,
    )
    .expect("logits are (n, classes)");
    let file = safetensors::serialize([("logits", view)], None).expect("a small file serializes");
    write("reference.safetensors", &file);
    println!(
        "{}: {} steps, val accuracy {:.4}",
        dir.display(),
        session.steps_taken(),
        report.val_accuracy
    );
}

/// Opens `path` as a new run with the file's settings, loads it strictly and evaluates it.
fn read(path: &str) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let file = Pretrained::parse(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut session = Session::new(file.meta.config).unwrap_or_else(|e| panic!("{path}: config: {e}"));
    let loaded = session
        .load_checkpoint(&bytes)
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let report = session.evaluate();
    println!(
        "read: {} tensors, steps {}, val accuracy {:.4}",
        loaded.tensors, loaded.steps, report.val_accuracy
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--read") {
        read(
            args.get(2)
                .unwrap_or_else(|| panic!("usage: export_pytorch --read <file.safetensors>")),
        );
        return;
    }
    let dir = args
        .get(1)
        .map(Path::new)
        .unwrap_or_else(|| panic!("usage: export_pytorch <dir> ['<config json>' [steps]]"));
    let start = Instant::now();
    match args.get(2) {
        Some(json) => {
            let steps = args.get(3).map_or(STEPS, |s| {
                s.parse().unwrap_or_else(|_| panic!("steps: not a number: {s}"))
            });
            bundle(dir, json, steps, None);
        }
        None => {
            for (name, json) in configs() {
                bundle(&dir.join(name), &json, STEPS, None);
            }
            let loaded =
                r#"{"dataset": "shapes-bytes", "batchNorm": true, "trainSize": 512, "valSize": 128}"#;
            bundle(&dir.join("loaded"), loaded, STEPS, Some(loaded_shapes()));
            // Needs torchvision and timm, which the layer's .venv does not have: run only where
            // they are installed (tests/python skips it otherwise).
            bundle(&dir.join("optional/every-technique"), EVERY_TECHNIQUE, 3, None);
        }
    }
    println!("bundles written in {:.1} s", start.elapsed().as_secs_f64());
}
