//! Export of a run to PyTorch (issue 11): a standalone `train.py` that rebuilds the same network and
//! training recipe with `torch.nn`, `torch.optim` and, only where the config needs them,
//! torchvision / timm — and `data.safetensors`, the run's own images, for it to train on.
//!
//! The promise is the same recipe, not bit-identical training: PyTorch draws other random numbers
//! and a few ops differ in detail (the script's header lists them for its run). The network itself
//! is exact: loading a trainlab checkpoint gives the core's logits (tests/python/).
//!
//! Split by concern: `network` (layers, helper modules, init), `optimizer` (optimizer, schedule),
//! `augment` (augmentation, mixing, loss, evaluation, EMA), `names` (the header's key → PyTorch
//! table), `data` (data.safetensors); the driver is the template `train.py.in`.

mod augment;
pub mod data;
mod names;
mod network;
mod optimizer;
mod reference;

pub use reference::reference_logits;

use crate::config::{Config, ConfigError, LayerSpec};
use crate::presets;
use crate::session::Session;
use names::Row;

/// The template of the script; `{{NAME}}` marks are filled by `script`.
const TEMPLATE: &str = include_str!("train.py.in");

/// What the script is generated from: the run's config, the layers its model was built from, the
/// data's shape, classes and normalization.
pub struct Recipe {
    pub config: Config,
    pub specs: Vec<LayerSpec>,
    pub input: [usize; 3],
    pub class_names: Vec<String>,
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
}

/// The layer list a session builds its model from (the explicit `layers`, or the preset with the
/// run's regularization switches), with stochastic depth's survival probabilities filled in.
pub fn resolved_layers(
    config: &Config,
    input: [usize; 3],
    classes: usize,
) -> Result<Vec<LayerSpec>, ConfigError> {
    let mut specs = match &config.layers {
        Some(layers) => layers.clone(),
        None => presets::with_regularizers(
            presets::preset(&config.preset, config.activation, input, classes)?,
            config,
        ),
    };
    presets::assign_survival(&mut specs, config.drop_path_rate);
    Ok(specs)
}

impl Recipe {
    pub fn from_session(session: &Session) -> Result<Recipe, ConfigError> {
        let input = session.train.shape();
        let classes = session.train.classes;
        Ok(Recipe {
            specs: resolved_layers(&session.config, input, classes)?,
            config: session.config.clone(),
            input,
            class_names: session.train.class_names.clone(),
            mean: session.train.normalization.mean.clone(),
            std: session.train.normalization.std.clone(),
        })
    }
}

/// A Python float literal (always with a point or an exponent).
pub(crate) fn py_float(x: f64) -> String {
    let s = format!("{x:?}");
    if s.contains(['e', '.']) {
        s
    } else if s == "inf" {
        "math.inf".into()
    } else {
        format!("{s}.0")
    }
}

/// The `torch.optim` class of an optimizer.
fn torch_name(o: &crate::optim::OptimizerConfig) -> &'static str {
    use crate::optim::OptimizerConfig::*;
    match o {
        Sgd { .. } => "SGD",
        Adagrad { .. } => "Adagrad",
        Rmsprop { .. } => "RMSprop",
        Adam { .. } => "Adam",
        Adamw { .. } => "AdamW",
    }
}

/// A Python float literal of an f32 setting, at its shortest (0.4, not 0.4000000059604645).
pub(crate) fn py_f32(x: f32) -> String {
    py_float(format!("{x:?}").parse().unwrap_or(x as f64))
}

/// A Python string literal (JSON's escaping is valid Python).
fn py_str(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// `train.py` for the session's run.
pub fn pytorch_script(session: &Session) -> Result<String, String> {
    let recipe = Recipe::from_session(session).map_err(|e| e.0)?;
    script(&recipe)
}

/// `data.safetensors` for the session's run.
pub fn data_file(session: &Session) -> Result<Vec<u8>, String> {
    data::data_file(&session.config.dataset, &session.train, &session.val)
}

/// The script for a recipe.
pub fn script(r: &Recipe) -> Result<String, String> {
    let c = &r.config;
    let classes = r.class_names.len();
    let net = network::network(&r.specs, r.input, c.init)?;
    let mut rows = vec![
        Row::new("dataset", &py_str(&c.dataset), "data.safetensors (--data)"),
        Row::new(
            "preset",
            &py_str(&c.preset),
            if c.layers.is_some() {
                "ignored: the config's own layers are Net.features"
            } else {
                "Net.features (the preset's layers with the run's switches)"
            },
        ),
        Row::new(
            "seed",
            &c.seed.to_string(),
            "torch.manual_seed(SEED) (other random numbers than trainlab)",
        ),
        Row::new(
            "trainSize / valSize",
            &format!("{} / {}", c.train_size, c.val_size),
            "the images in data.safetensors",
        ),
        Row::new(
            "batchSize",
            &c.batch_size.to_string(),
            "DataLoader(batch_size=…) per process",
        ),
        Row::new(
            "learningRate",
            &py_float(c.learning_rate),
            &format!(
                "{}(lr={})",
                torch_name(&c.optimizer_config()),
                py_float(c.learning_rate)
            ),
        ),
        Row::new(
            "init",
            &py_str(&format!("{:?}", c.init).to_lowercase()),
            "init_weights: torch.nn.init.kaiming_normal_ / normal_",
        ),
        Row::new(
            "activation",
            &py_str(&format!("{:?}", c.activation).to_lowercase()),
            "the activation modules in Net.features",
        ),
    ];
    if c.drop_rate > 0.0 {
        rows.push(Row::new(
            "dropRate",
            &py_float(c.drop_rate),
            &format!("nn.Dropout(p={})", py_float(c.drop_rate)),
        ));
    }
    if c.drop_connect > 0.0 {
        rows.push(Row::new(
            "dropConnect",
            &py_float(c.drop_connect),
            &format!(
                "DropConnectLinear(p={}) (defined below)",
                py_float(c.drop_connect)
            ),
        ));
    }
    if c.batch_norm {
        rows.push(Row::new(
            "batchNorm",
            "true",
            "nn.BatchNorm2d(C, eps=1e-05, momentum=0.1) after each conv",
        ));
    }
    if c.fractional_pooling {
        rows.push(Row::new(
            "fractionalPooling",
            "true",
            "nn.FractionalMaxPool2d(2, output_size=⌊side/√2⌋) for MaxPool2d(2)",
        ));
    }
    if c.drop_path_rate > 0.0 {
        rows.push(Row::new(
            "dropPathRate",
            &py_float(c.drop_path_rate),
            "Residual(survival=1 − l/L·rate) (timm's drop_path_rate, torchvision StochasticDepth)",
        ));
    }
    let optimizer_code = optimizer::optimizer(&c.optimizer_config(), c.optimizer.is_none(), &mut rows);
    let (schedule_code, length) = optimizer::schedule(&c.schedule, c.snapshot_ensemble, &mut rows);
    let aug = augment::augmentation(c, r.input, classes, &mut rows);

    let mut imports = String::new();
    let mut packages = vec!["torch", "numpy", "safetensors"];
    if aug.torchvision {
        imports.push_str("from torchvision.transforms import v2  # this run augments its images\n");
        packages.push("torchvision");
    }
    if aug.timm {
        imports.push_str("from timm.data import Mixup  # this run mixes its batches\nfrom timm.loss import SoftTargetCrossEntropy\n");
        packages.push("timm");
    }
    let header = header(r, &rows, &packages, net.random_at_eval, aug.timm);
    let config_json = serde_json::to_string(c).expect("a config serializes");
    let mut out = TEMPLATE.to_string();
    for (mark, value) in [
        ("{{HEADER}}", header),
        ("{{IMPORTS}}", imports),
        ("{{CONFIG_JSON}}", config_json.replace('\\', "\\\\")),
        ("{{DATASET}}", py_str(&c.dataset)),
        ("{{INPUT}}", format!("{:?}", r.input)),
        ("{{CLASSES}}", classes.to_string()),
        (
            "{{CLASS_NAMES}}",
            serde_json::to_string(&r.class_names).expect("names serialize"),
        ),
        ("{{BATCH_SIZE}}", c.batch_size.to_string()),
        ("{{LEARNING_RATE}}", py_float(c.learning_rate)),
        ("{{SEED}}", c.seed.to_string()),
        (
            "{{FORMAT_VERSION}}",
            crate::transfer::weights::FORMAT_VERSION.to_string(),
        ),
        ("{{DEFAULT_STEPS}}", length.unwrap_or(0).to_string()),
        ("{{NETWORK}}", net.code),
        ("{{OPTIMIZER}}", format!("{optimizer_code}\n\n{schedule_code}")),
        ("{{AUGMENT}}", aug.code),
    ] {
        out = out.replace(mark, &value);
    }
    Ok(out)
}

/// The docstring: how to run it, the packages, batch and rate, the names table and what differs.
fn header(r: &Recipe, rows: &[Row], packages: &[&str], random_eval: bool, timm: bool) -> String {
    let c = &r.config;
    let [ch, h, w] = r.input;
    let mut s = format!(
        "Run {dataset:?}: {ch}x{h}x{w} images, {k} classes ({names}).\n\n\
         Needs: {pkgs}   (pip install {pkgs})\n\n\
         Usage (data.safetensors and weights.safetensors beside this file):\n\
         \x20 python train.py --weights weights.safetensors --eval-only   # the page's validation accuracy\n\
         \x20 python train.py --steps 500 --out trained.safetensors       # one CPU or GPU; uploads back into the page\n\
         \x20 torchrun --nproc_per_node=4 train.py --epochs 10             # DistributedDataParallel, same script\n\n\
         Batch and learning rate: BATCH_SIZE = {b} images per process, so the effective batch is\n\
         {b} x the number of processes (torchrun --nproc_per_node=4: {b4}). The learning rate is the config's\n\
         {lr}, not scaled with the effective batch; --scale-lr applies the linear scaling rule\n\
         (lr x number of processes, Goyal et al. 2017). The DistributedSampler splits each epoch\n\
         between the processes, so an epoch has 1/N as many steps.\n\n\
         The config's names (the page's and its links') and what they are here:\n",
        dataset = c.dataset,
        k = r.class_names.len(),
        names = r.class_names.join(", "),
        pkgs = packages.join(" "),
        b = c.batch_size,
        b4 = c.batch_size * 4,
        lr = py_float(c.learning_rate),
    );
    s.push_str(&names::table(rows));
    s.push_str(
        "\nWhat differs from trainlab (the same recipe, not bit-identical training):\n\
         - Random numbers: PyTorch's generators, so the initial weights, batch order, augmentation and\n\
         \x20 dropout masks differ (the distributions are the same). The network's forward pass is exact:\n\
         \x20 a trainlab checkpoint gives trainlab's logits (to float rounding).\n\
         - Epochs: trainlab's batches run across the epoch boundary; a DataLoader starts each epoch anew.\n\
         - Under torchrun each process normalizes batch norm with its own batch (no SyncBatchNorm).\n\
         - Weight files carry no optimizer state: --weights starts the optimizer's moments afresh (the\n\
         \x20 schedule continues at the file's step).\n",
    );
    if c.patience > 0 || c.model_ema_decay > 0.0 || c.snapshot_ensemble {
        s.push_str("- Evaluation (early stopping, EMA, snapshots) is once per epoch; the page also evaluates in between.\n");
    }
    if random_eval {
        s.push_str(
            "- Fractional max pooling: torch's FractionalMaxPool2d(kernel_size=2, output_size=trainlab's)\n\
             \x20 pools 2x2 windows at pseudo-random offsets per image; trainlab's regions (Graham 2014) are\n\
             \x20 disjoint 1- or 2-wide intervals from one draw per batch. Both are random at test too:\n\
             \x20 predictions average EVAL_PASSES passes, as trainlab.\n",
        );
    }
    if matches!(c.schedule.decay, crate::schedule::Decay::Cosine { .. }) && c.schedule.warmup.steps == 0 {
        s.push_str("- CosineAnnealingLR climbs back up after T_max; trainlab stays at eta_min. Train at most T_max steps.\n");
    }
    let a = &c.augment;
    if a.crop_scale[1] > 1.0 || a.randaugment_n > 0 || !a.color_jitter.is_off() {
        s.push_str(
            "- torchvision's ops resample and round slightly differently (its Resize antialiases; RandAugment\n\
             \x20 applies each op on float images and fills with 0.5 grey, as trainlab; ColorJitter picks a random\n\
             \x20 order of its three factors).\n",
        );
    }
    if a.reprob > 0.0 {
        s.push_str(
            "- RandomErasing keeps its box inside the image (a box as large as the image is never drawn);\n\
             \x20 trainlab centres the box on a random pixel and clips it at the border (DeVries & Taylor).\n",
        );
    }
    if timm {
        s.push_str("- timm's Mixup needs an even batch: the last short batch of an epoch is dropped.\n");
    }
    s
}
