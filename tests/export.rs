//! The PyTorch export (src/export/), natively: the generated train.py holds the expected PyTorch
//! constructs for every preset and for a config that uses every technique, its module names are the
//! core's parameter names, and data.safetensors round-trips the run's images. Running the script is
//! the Python layer's job (tests/python/).

use std::collections::BTreeSet;
use std::rc::Rc;
use trainlab::config::Config;
use trainlab::data::limits::Limits;
use trainlab::data::{LoadedData, Split};
use trainlab::export;
use trainlab::presets::NAMES;
use trainlab::session::Session;

fn session(json: &str) -> Session {
    Session::new(Config::from_json(json).unwrap_or_else(|e| panic!("{json}: {e}")))
        .unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn script(s: &Session) -> String {
    export::pytorch_script(s).unwrap_or_else(|e| panic!("export: {e}"))
}

fn small(extra: &str) -> String {
    format!(r#"{{"trainSize": 64, "valSize": 16{extra}}}"#)
}

/// Module paths named in the network's line comments (`# features.3.body.0`), in order.
fn module_paths(py: &str) -> Vec<String> {
    py.lines()
        .filter_map(|l| l.split_once("  # features.").map(|(_, rest)| rest))
        .map(|rest| format!("features.{}", rest.split([':', ' ']).next().unwrap_or(rest)))
        .collect()
}

fn assert_has(py: &str, what: &[&str]) {
    for w in what {
        assert!(py.contains(w), "train.py lacks {w:?}:\n{py}");
    }
}

#[test]
fn every_preset_exports_a_network_named_as_the_cores_parameters() {
    for preset in NAMES {
        let s = session(&small(&format!(r#", "preset": "{preset}""#)));
        let py = script(&s);
        assert_has(
            &py,
            &[
                "class Net(nn.Module):",
                "self.features = nn.Sequential(",
                "def make_optimizer(net, lr):",
                "torch.optim.SGD(groups, lr=lr, momentum=0.9, nesterov=False, dampening=0)",
                "DistributedDataParallel",
                "DistributedSampler",
                "set_epoch(epoch)",
                "init_process_group(backend)",
                "\"nccl\" if torch.cuda.is_available() else \"gloo\"",
                "learningRate = 0.01",
                "→ SGD(lr=0.01)",
                "batchSize = 32",
                "Needs: torch numpy safetensors ",
                "effective batch",
            ],
        );
        // The default run needs torch, numpy and safetensors only.
        assert!(
            !py.contains("import timm") && !py.contains("from timm"),
            "{preset}: timm imported"
        );
        assert!(!py.contains("from torchvision"), "{preset}: torchvision imported");
        // One module per layer, at the core's index.
        let paths: BTreeSet<String> = module_paths(&py).into_iter().collect();
        let owners: BTreeSet<String> = s
            .model
            .parameters()
            .iter()
            .map(|p| p.name.rsplit_once('.').expect("a.b").0.to_string())
            .collect();
        assert!(
            owners.is_subset(&paths),
            "{preset}: parameters {owners:?} not all modules of train.py {paths:?}"
        );
        let top = module_paths(&py)
            .iter()
            .filter(|p| p.matches('.').count() == 1)
            .count();
        assert_eq!(top, s.model.layers.len(), "{preset}: one module per core layer");
        let convs = s.model.parameters().iter().filter(|p| p.shape.len() == 4).count();
        assert_eq!(py.matches("nn.Conv2d(").count(), convs, "{preset}: conv layers");
        // Every weight is initialized under its own name.
        for p in s
            .model
            .parameters()
            .iter()
            .filter(|p| p.name.ends_with(".weight") && p.shape.len() > 1)
        {
            let module = p.name.trim_end_matches(".weight");
            assert!(
                py.contains(&format!("modules[\"{module}\"]")),
                "{preset}: {module} not initialized"
            );
        }
    }
}

#[test]
fn batch_norm_has_the_cores_eps_and_momentum_and_residual_blocks_nest_their_body() {
    let s = session(&small(r#", "preset": "resnet-mini", "dropPathRate": 0.5"#));
    let py = script(&s);
    assert_has(
        &py,
        &[
            "nn.BatchNorm2d(16, eps=1e-5, momentum=0.1),  # features.1",
            "class Residual(nn.Module):",
            "features.3.body.0",
            "survival=0.8333333333333334),  # features.3",
            "survival=0.5),  # features.13",
            "SKIPS_LAYERS = True",
            "nn.AvgPool2d(8, stride=8)",
        ],
    );
    for b in s.model.buffers() {
        let module = b.name.rsplit_once('.').expect("a.b").0;
        assert!(
            module_paths(&py).iter().any(|p| p == module),
            "{} has no module",
            b.name
        );
    }
}

#[test]
fn every_technique_maps_to_its_pytorch_torchvision_or_timm_name() {
    let json = small(
        r#", "preset": "shapes-cnn", "dropRate": 0.3, "dropConnect": 0.2, "batchNorm": true,
        "fractionalPooling": true, "init": "xavier", "activation": "swish", "tta": true, "patience": 5,
        "modelEmaDecay": 0.995, "snapshotEnsemble": true, "learningRate": 0.05,
        "optimizer": {"type": "sgd", "momentum": 0.9, "nesterov": true, "weightDecay": 0.0005},
        "schedule": {"type": "cyclic", "period": 100, "etaMin": 0.001},
        "augment": {"hflip": 0.5, "cropScale": [1, 1.25], "colorJitter": {"brightness": 0.4, "contrast": 0.4, "saturation": 0.4},
          "pcaStd": 0.1, "randaugmentN": 2, "randaugmentM": 9, "reprob": 0.25, "cutoutSize": {"length": 16},
          "cutoutFill": "random", "mixupAlpha": 0.8, "cutmixAlpha": 1.0, "labelSmoothing": 0.1}"#,
    );
    let py = script(&session(&json));
    assert_has(
        &py,
        &[
            "Needs: torch numpy safetensors torchvision timm",
            "from torchvision.transforms import v2",
            "from timm.data import Mixup",
            "from timm.loss import SoftTargetCrossEntropy",
            "nn.Dropout(p=0.3)",
            "DropConnectLinear(6400, 10, p=0.2),  # features.14: dropConnect",
            "nn.Dropout(p=0.3),  # features.13",
            "class DropConnectLinear(nn.Linear):",
            "nn.BatchNorm2d(16, eps=1e-5, momentum=0.1)",
            "nn.FractionalMaxPool2d(2, output_size=(22, 22))",
            "nn.FractionalMaxPool2d(2, output_size=(15, 15))",
            "EVAL_PASSES = 4",
            "nn.SiLU()",
            "nonlinearity=\"linear\"",
            "torch.optim.SGD(groups, lr=lr, momentum=0.9, nesterov=True, dampening=0)",
            "\"weight_decay\": 0.0005",
            "CosineAnnealingWarmRestarts(optimizer, T_0=100, T_mult=1, eta_min=0.001)",
            "return t > 0 and t % 100 == 0",
            "MAX_SNAPSHOTS = 8",
            "v2.RandomShortestSize(min_size=list(range(32, 41))), v2.RandomCrop((32, 32))",
            "v2.RandomHorizontalFlip(p=0.5)",
            "v2.ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4)",
            "Lighting(std=0.1, images=data[\"train_images\"])",
            "v2.RandAugment(num_ops=2, magnitude=9, num_magnitude_bins=11, fill=0.5)",
            "v2.RandomErasing(p=0.25, scale=(0.25, 0.25), ratio=(1.0, 1.0), value=\"random\")",
            "Mixup(mixup_alpha=0.8, cutmix_alpha=1.0, prob=1.0, switch_prob=0.5, mode=\"batch\"",
            "label_smoothing=0.1, num_classes=10)",
            "SoftTargetCrossEntropy()",
            "DROP_LAST = True",
            "TTA = True",
            "PATIENCE = 5",
            "EMA_DECAY = 0.995",
            "tta = true",
            "modelEmaDecay = 0.995",
            "augment.hflip = 0.5",
            "dropConnect = 0.2",
            "fractionalPooling = true",
        ],
    );
}

#[test]
fn optimizers_and_schedules_keep_the_cores_hyperparameters() {
    let cases = [
        (
            r#"{"type": "adam", "betas": [0.8, 0.99], "eps": 1e-7, "weightDecay": 0.01}"#,
            "torch.optim.Adam(groups, lr=lr, betas=(0.8, 0.99), eps=1e-7)",
        ),
        (
            r#"{"type": "adamw"}"#,
            "torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.999), eps=1e-8)",
        ),
        (
            r#"{"type": "rmsprop", "momentum": 0.5}"#,
            "torch.optim.RMSprop(groups, lr=lr, alpha=0.99, eps=1e-8, momentum=0.5, centered=False)",
        ),
        (
            r#"{"type": "adagrad"}"#,
            "torch.optim.Adagrad(groups, lr=lr, eps=1e-10, initial_accumulator_value=0.0, lr_decay=0)",
        ),
    ];
    for (optimizer, expected) in cases {
        let py = script(&session(&small(&format!(r#", "optimizer": {optimizer}"#))));
        assert_has(&py, &[expected, "optimizer = {"]);
    }
    let adamw = script(&session(&small(r#", "optimizer": {"type": "adamw"}"#)));
    assert_has(&adamw, &["\"weight_decay\": 0.01}", "\"weight_decay\": 0.0}"]);
    let schedules = [
        (
            r#"{"type": "step", "milestones": [30, 60], "gamma": 0.5}"#,
            "MultiStepLR(optimizer, milestones=[30, 60], gamma=0.5)",
        ),
        (
            r#"{"type": "cosine", "totalSteps": 2000}"#,
            "CosineAnnealingLR(optimizer, T_max=2000, eta_min=0.0)",
        ),
        (
            r#"{"type": "linear", "totalSteps": 500}"#,
            "LinearLR(optimizer, start_factor=1.0, end_factor=0.0, total_iters=500)",
        ),
        (
            r#"{"type": "invsqrt"}"#,
            "LambdaLR(optimizer, lambda t: 1 / math.sqrt(max(t, 1)))",
        ),
        (
            r#"{"type": "sgdr", "T_0": 50, "T_mult": 2}"#,
            "CosineAnnealingWarmRestarts(optimizer, T_0=50, T_mult=2, eta_min=0.0)",
        ),
        (
            r#"{"type": "cosine", "totalSteps": 2000, "warmupSteps": 100}"#,
            "return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)",
        ),
    ];
    for (schedule, expected) in schedules {
        let py = script(&session(&small(&format!(r#", "schedule": {schedule}"#))));
        assert_has(&py, &[expected]);
    }
}

#[test]
fn all_twelve_activations_have_a_module() {
    let expected = [
        ("sigmoid", "nn.Sigmoid()"),
        ("tanh", "nn.Tanh()"),
        ("step", "Step()"),
        ("softplus", "nn.Softplus()"),
        ("relu", "nn.ReLU()"),
        ("softsign", "nn.Softsign()"),
        ("elu", "nn.ELU(alpha=1.0)"),
        ("logsigmoid", "nn.LogSigmoid()"),
        ("leakyrelu", "nn.LeakyReLU(0.1)"),
        ("swish", "nn.SiLU()"),
        ("sinc", "Sinc()"),
        ("mish", "nn.Mish()"),
    ];
    for (name, module) in expected {
        let py = script(&session(&small(&format!(
            r#", "preset": "mlp", "activation": "{name}""#
        ))));
        assert_has(&py, &[&format!("{module},  # features.2")]);
    }
}

#[test]
fn export_data_round_trips_a_loaded_sets_bytes_exactly() {
    let k = 3;
    let n = 30;
    let pixels: Vec<u8> = (0..n * 3 * 8 * 8).map(|i| (i * 37 % 251) as u8).collect();
    let labels: Vec<u8> = (0..n).map(|i| (i % k) as u8).collect();
    let names: Vec<String> = (0..k).map(|i| format!("c{i}")).collect();
    let split = Split {
        val_fraction: 0.2,
        seed: 1,
    };
    let data = Rc::new(
        LoadedData::from_pixels(
            "tiny",
            &pixels,
            &labels,
            [3, 8, 8],
            names.clone(),
            split,
            &Limits::default(),
        )
        .expect("a valid set"),
    );
    let config =
        Config::from_json(r#"{"dataset": "tiny", "preset": "linear", "trainSize": 20, "valSize": 6}"#)
            .expect("config");
    let s = Session::with_data(config, Some(data)).expect("session");
    let file = export::data_file(&s).expect("data file");
    let st = safetensors::SafeTensors::deserialize(&file).expect("safetensors");
    for (set, name) in [(&s.train, "train"), (&s.val, "val")] {
        let images = st.tensor(&format!("{name}_images")).expect("images");
        assert_eq!(images.dtype(), safetensors::Dtype::U8);
        assert_eq!(images.shape(), [set.len(), 3, 8, 8]);
        assert_eq!(images.data(), set.bytes().expect("a loaded set keeps bytes"));
        let labels = st.tensor(&format!("{name}_labels")).expect("labels");
        assert_eq!(labels.dtype(), safetensors::Dtype::I64);
        let got: Vec<u8> = labels.data().chunks(8).map(|b| b[0]).collect();
        assert_eq!(got, set.labels);
    }
    let (_, header) = safetensors::SafeTensors::read_metadata(&file).expect("header");
    let meta = header.metadata().as_ref().expect("metadata");
    assert_eq!(meta["classNames"], serde_json::to_string(&names).unwrap());
    assert_eq!(
        meta["mean"],
        serde_json::to_string(&s.train.normalization.mean).unwrap()
    );
    assert_eq!(
        meta["std"],
        serde_json::to_string(&s.train.normalization.std).unwrap()
    );
    assert_eq!(meta["quantized"], "false");
    assert_eq!(meta["format"], "trainlab-data");
}

#[test]
fn export_data_rounds_a_generated_sets_intensities_to_the_nearest_byte() {
    let s = session(&small(""));
    let file = export::data_file(&s).expect("data file");
    let st = safetensors::SafeTensors::deserialize(&file).expect("safetensors");
    let images = st.tensor("val_images").expect("images");
    let floats = s.val.floats().expect("a generated set keeps floats");
    assert_eq!(images.data().len(), floats.len());
    let mut worst = 0.0f32;
    for (&b, &x) in images.data().iter().zip(floats) {
        let v = (x * 0.3 + 0.35).clamp(0.0, 1.0);
        worst = worst.max((b as f32 / 255.0 - v).abs());
    }
    assert!(
        worst <= 0.5 / 255.0 + 1e-6,
        "a byte is {worst} from its intensity"
    );
    let (_, header) = safetensors::SafeTensors::read_metadata(&file).expect("header");
    assert_eq!(header.metadata().as_ref().expect("metadata")["quantized"], "true");
}

#[test]
fn reference_logits_are_the_models_on_the_exported_bytes() {
    let mut s = session(&small(r#", "preset": "mlp""#));
    let logits = export::reference_logits(&mut s, 8);
    assert_eq!(logits.len(), 8 * 10);
    assert!(logits.iter().all(|x| x.is_finite()));
    // The same images as the run's floats give logits within the bytes' rounding of these.
    let mut rng = trainlab::Rng::new(0);
    let len = s.val.image_len();
    let mut input = vec![0.0; 8 * len];
    for i in 0..8 {
        s.val.copy_image(i, &mut input[i * len..(i + 1) * len]);
    }
    s.model.input_mut(8).data.copy_from_slice(&input);
    let exact = s.model.forward(trainlab::nn::Mode::Eval, &mut rng).data.clone();
    let delta = logits
        .iter()
        .zip(&exact)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(
        delta > 0.0 && delta < 0.05,
        "rounding moved the logits by {delta}"
    );
}

#[test]
fn a_linear_layer_on_an_image_flattens_it_and_image_layers_after_a_flatten_are_named() {
    let conv = r#"{"type": "conv2d", "outChannels": 4, "kernelSize": 3, "padding": 1}"#;
    let py = script(&session(&small(&format!(
        r#", "layers": [{conv}, {{"type": "relu"}}, {{"type": "linear", "outFeatures": 10}}]"#
    ))));
    assert_has(
        &py,
        &[
            "class FlatLinear(nn.Linear):",
            "FlatLinear(4096, 10),  # features.2",
        ],
    );
    let s = session(&small(&format!(
        r#", "layers": [{{"type": "flatten"}}, {conv}, {{"type": "flatten"}}, {{"type": "linear", "outFeatures": 10}}]"#
    )));
    let err = export::pytorch_script(&s).expect_err("a conv after a flatten has no PyTorch image");
    assert!(err.contains("features.1 (conv2d)"), "{err}");
}
