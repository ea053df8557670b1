//! Augmentation, batch mixing, the loss, evaluation (plain, test-time augmentation, several passes
//! with fractional pooling), model EMA and early stopping of `train.py`, under their torchvision /
//! timm / torch names. The per-image ops keep the core's order (src/augment/pipeline.rs): crop,
//! flip, colour jitter, PCA colour, RandAugment, random erasing. torchvision is imported only when
//! a per-image op is on, timm only when Mixup/CutMix is on.

use super::names::Row;
use super::{py_f32, py_float};
use crate::augment::crop::resized_dims;
use crate::augment::{Augment, BoxSize, Fill};
use crate::config::Config;

/// The augmentation part of the script and the packages it needs beyond torch.
pub struct Augmentation {
    pub code: String,
    pub torchvision: bool,
    pub timm: bool,
}

const LIGHTING: &str = r#"
class Lighting:
    """AlexNet's PCA colour noise ("fancy PCA"; fb.resnet.torch's `Lighting`, no torchvision op):
    one offset V diag(eigval) alpha, alpha ~ N(0, std^2), added to every pixel's RGB intensities,
    then clamped to [0, 1]. The basis is fitted on the training images' pixels (trainlab fits
    all of a generated set, 512 evenly spaced images of a loaded one)."""

    def __init__(self, std, images):
        pick = images[:: max(1, len(images) // 512)].to(torch.float64) / 255.0
        pixels = pick.permute(1, 0, 2, 3).reshape(3, -1).numpy()
        eigval, eigvec = np.linalg.eigh(np.cov(pixels, bias=True))
        self.std = std
        self.eigval = torch.tensor(eigval, dtype=torch.float32)
        self.eigvec = torch.tensor(eigvec, dtype=torch.float32)

    def __call__(self, image):
        alpha = torch.randn(3) * self.std
        delta = self.eigvec @ (alpha * self.eigval)
        return (image + delta.view(3, 1, 1)).clamp(0, 1)
"#;

/// Whether any per-image op is on (then torchvision builds the pipeline).
fn per_image(a: &Augment) -> bool {
    a.hflip > 0.0
        || a.crop_scale[1] > 1.0
        || !a.color_jitter.is_off()
        || a.pca_std > 0.0
        || a.randaugment_n > 0
        || a.reprob > 0.0
}

fn mixing(a: &Augment) -> bool {
    a.mixup_alpha > 0.0 || a.cutmix_alpha > 0.0
}

/// `make_train_transform(data)`: None (normalize only) or the torchvision v2 pipeline.
fn transform(a: &Augment, [c, h, w]: [usize; 3], rows: &mut Vec<Row>) -> String {
    if !per_image(a) {
        return "def make_train_transform(data):\n    \"\"\"No per-image augmentation in this run: the images are only normalized.\"\"\"\n    return None\n".into();
    }
    let mut steps =
        vec!["v2.ToDtype(torch.float32, scale=True),  # bytes -> intensities in [0, 1]".to_string()];
    let mut lighting = false;
    if a.crop_scale[1] > 1.0 {
        let s = h.min(w) as f32;
        let (lo, hi) = (
            (a.crop_scale[0] * s).round() as usize,
            (a.crop_scale[1] * s).round() as usize,
        );
        let call = format!(
            "v2.RandomShortestSize(min_size=list(range({lo}, {}))), v2.RandomCrop(({h}, {w}))",
            hi + 1
        );
        rows.push(Row::new(
            "augment.cropScale",
            &format!("[{}, {}]", a.crop_scale[0], a.crop_scale[1]),
            &call,
        ));
        steps.push(format!(
            "{call},  # scale augmentation: short side L in [{lo}, {hi}], then a random {h}x{w} window"
        ));
    }
    if a.hflip > 0.0 {
        let call = format!("v2.RandomHorizontalFlip(p={})", py_f32(a.hflip));
        rows.push(Row::new("augment.hflip", &py_f32(a.hflip), &call));
        steps.push(format!("{call},"));
    }
    let cj = a.color_jitter;
    if !cj.is_off() {
        let call = format!(
            "v2.ColorJitter(brightness={}, contrast={}, saturation={})",
            py_f32(cj.brightness),
            py_f32(cj.contrast),
            py_f32(cj.saturation)
        );
        rows.push(Row::new(
            "augment.colorJitter",
            &serde_json::to_string(&cj).expect("serializes"),
            &call,
        ));
        steps.push(format!(
            "{call},  # torchvision draws the three in a random order; trainlab: this order"
        ));
    }
    if a.pca_std > 0.0 {
        if c == 3 {
            lighting = true;
            let call = format!(
                "Lighting(std={}, images=data[\"train_images\"])",
                py_f32(a.pca_std)
            );
            rows.push(Row::new(
                "augment.pcaStd",
                &py_f32(a.pca_std),
                "Lighting (AlexNet PCA colour, defined below)",
            ));
            steps.push(format!("{call},"));
        } else {
            rows.push(Row::new(
                "augment.pcaStd",
                &py_f32(a.pca_std),
                "(no-op on grey images, as in trainlab)",
            ));
        }
    }
    if a.randaugment_n > 0 {
        let m = a.randaugment_m.round() as u32;
        let call = format!(
            "v2.RandAugment(num_ops={}, magnitude={m}, num_magnitude_bins=11, fill=0.5)",
            a.randaugment_n
        );
        rows.push(Row::new(
            "augment.randaugmentN/M",
            &format!("{} / {}", a.randaugment_n, a.randaugment_m),
            &format!(
                "{call}  (timm: rand_augment_transform(\"rand-m{m}-n{}-inc1\"))",
                a.randaugment_n
            ),
        ));
        steps.push(format!(
            "{call},  # 11 bins = timm's 0-10 magnitude scale: rotate 30*M/10 deg, shear/translate/colour as trainlab"
        ));
    }
    steps.push("v2.Normalize(data[\"mean\"].tolist(), data[\"std\"].tolist()),".into());
    if a.reprob > 0.0 {
        let (bh, bw) = a.cutout_size.dims(h, w);
        let scale = (bh * bw) as f64 / (h * w) as f64;
        let ratio = bh as f64 / bw as f64;
        let value = match a.cutout_fill {
            Fill::Zero => {
                "[-m / s for m, s in zip(data[\"mean\"].tolist(), data[\"std\"].tolist())]".to_string()
            }
            Fill::Mean => "0".into(),
            Fill::Random => "\"random\"".into(),
        };
        let call = format!(
            "v2.RandomErasing(p={}, scale=({s}, {s}), ratio=({r}, {r}), value={value})",
            py_f32(a.reprob),
            s = py_float(scale),
            r = py_float(ratio),
        );
        let size = match a.cutout_size {
            BoxSize::Length(l) => format!("{{\"length\": {l}}}"),
            BoxSize::Area(x) => format!("{{\"area\": {x}}}"),
        };
        rows.push(Row::new(
            "augment.reprob/cutoutSize/cutoutFill",
            &format!("{} / {size} / {:?}", a.reprob, a.cutout_fill).to_lowercase(),
            &format!(
                "v2.RandomErasing(p={}, ...) (timm: RandomErasing(probability=…))",
                py_f32(a.reprob)
            ),
        ));
        let fill = match a.cutout_fill {
            Fill::Zero => "black (0 before normalizing)",
            Fill::Mean => "the data set's mean (trainlab: each image's own channel means)",
            Fill::Random => "N(0, 1) after normalizing, as timm's mode=\"pixel\"",
        };
        steps.push(format!("{call},  # a {bh}x{bw} box, filled with {fill}"));
    }
    let mut s = String::new();
    if lighting {
        s.push_str(LIGHTING);
        s.push_str("\n\n");
    }
    s.push_str(
        "def make_train_transform(data):\n    \"\"\"Per-image augmentation of a training image (u8 C x H x W in, normalized floats out).\"\"\"\n    return v2.Compose([\n",
    );
    for step in steps {
        s.push_str(&format!("        {step}\n"));
    }
    s.push_str("    ])\n");
    s
}

/// `make_mixer`, `make_loss` and `DROP_LAST`.
fn mixer_and_loss(a: &Augment, classes: usize, rows: &mut Vec<Row>) -> String {
    let eps = py_f32(a.label_smoothing);
    if mixing(a) {
        let call = format!(
            "Mixup(mixup_alpha={}, cutmix_alpha={}, prob={}, switch_prob={}, mode=\"batch\", label_smoothing={eps}, num_classes={classes})",
            py_f32(a.mixup_alpha),
            py_f32(a.cutmix_alpha),
            py_f32(a.mixup_prob),
            py_f32(a.mixup_switch_prob),
        );
        rows.push(Row::new(
            "augment.mixupAlpha/cutmixAlpha",
            &format!("{} / {}", a.mixup_alpha, a.cutmix_alpha),
            "timm.data.Mixup(mixup_alpha=…, cutmix_alpha=…) + timm.loss.SoftTargetCrossEntropy()",
        ));
        rows.push(Row::new(
            "augment.mixupProb/mixupSwitchProb",
            &format!("{} / {}", a.mixup_prob, a.mixup_switch_prob),
            "Mixup(prob=…, switch_prob=…)",
        ));
        rows.push(Row::new(
            "augment.labelSmoothing",
            &eps,
            &format!("Mixup(label_smoothing={eps})"),
        ));
        format!(
            r#"def make_mixer():
    """Mixup/CutMix on the whole batch with one lambda (timm's mode="batch"), the partner of image i
    being image N-1-i and the CutMix lambda corrected to the pasted area, as trainlab. timm wants
    an even batch, hence DROP_LAST."""
    return {call}


def make_loss():
    return SoftTargetCrossEntropy()  # the mixer's soft targets already hold the label smoothing


DROP_LAST = True
"#
        )
    } else {
        if a.label_smoothing > 0.0 {
            rows.push(Row::new(
                "augment.labelSmoothing",
                &eps,
                &format!("nn.CrossEntropyLoss(label_smoothing={eps})"),
            ));
        }
        format!(
            r#"def make_mixer():
    """No Mixup/CutMix in this run."""
    return None


def make_loss():
    return nn.CrossEntropyLoss(label_smoothing={eps})


# trainlab's batches run on across the epoch's end; here a short last batch is kept.
DROP_LAST = False
"#
        )
    }
}

/// Evaluation, EMA and early stopping.
fn evaluation(config: &Config, [_, h, w]: [usize; 3], rows: &mut Vec<Row>) -> String {
    let scale = config.augment.crop_scale;
    let short_side = (h.min(w) as f32 * (scale[0] + scale[1]) / 2.0).round() as usize;
    let (rh, rw) = resized_dims(h, w, short_side);
    if config.tta {
        rows.push(Row::new(
            "tta",
            "true",
            &format!("10 views: resize to short side {short_side}, torchvision TenCrop(({h}, {w}))"),
        ));
    }
    if config.patience > 0 {
        rows.push(Row::new(
            "patience",
            &config.patience.to_string(),
            "early stopping after this many evaluations (one per epoch) without a better val accuracy",
        ));
    }
    let ema = config.model_ema_decay;
    if ema > 0.0 {
        rows.push(Row::new(
            "modelEmaDecay",
            &py_float(ema),
            &format!(
                "torch.optim.swa_utils.AveragedModel(net, multi_avg_fn=get_ema_multi_avg_fn({}), use_buffers=True) (timm: ModelEmaV2(decay=…))",
                py_float(ema)
            ),
        ));
    }
    if config.snapshot_ensemble {
        rows.push(Row::new(
            "snapshotEnsemble",
            "true",
            "the model at each cycle's end, probabilities averaged (ends_cycle, MAX_SNAPSHOTS)",
        ));
    }
    format!(
        r#"# Test-time augmentation (tta): 4 corners + centre of the image resized to short side {short_side},
# each also mirrored (torchvision's TenCrop; here in plain torch, bilinear without antialiasing and
# the centre at floor((R - S) / 2), exactly as trainlab).
TTA = {tta}
PATIENCE = {patience}  # early stopping: evaluations without a better validation accuracy (0: never)


def tta_views(x):
    """The 10 views of a normalized batch x (N x C x {h} x {w})."""
    big = nn.functional.interpolate(x, size=({rh}, {rw}), mode="bilinear", align_corners=False)
    bottom, right = {rh} - {h}, {rw} - {w}
    corners = [(0, 0), (0, right), (bottom, 0), (bottom, right), (bottom // 2, right // 2)]
    views = [big[:, :, t : t + {h}, l : l + {w}] for t, l in corners]
    return views + [v.flip(3) for v in views]


@torch.no_grad()
def predict(net, x):
    """Class probabilities of a normalized batch, averaged over TTA views and EVAL_PASSES."""
    views = tta_views(x) if TTA else [x]
    probs = 0
    for _ in range(EVAL_PASSES):
        for v in views:
            probs = probs + torch.softmax(net(v), dim=1)
    return probs / (EVAL_PASSES * len(views))


def evaluate(net, images, labels, mean, std, device, batch=250, probs_out=None):
    """Validation accuracy of the network in eval mode (batch norm's running statistics)."""
    was_training = net.training
    net.eval()
    correct = 0
    for i in range(0, len(labels), batch):
        x = normalize(images[i : i + batch], mean, std).to(device)
        p = predict(net, x).cpu()
        if probs_out is not None:
            probs_out.append(p)
        correct += int((p.argmax(1) == labels[i : i + batch]).sum())
    net.train(was_training)
    return correct / len(labels)


def evaluate_ensemble(net, snapshots, images, labels, mean, std, device):
    """Accuracy of the snapshots' averaged probabilities; the network's own weights are put back."""
    own = {{k: v.clone() for k, v in net.state_dict().items()}}
    total = 0
    for state in snapshots:
        net.load_state_dict(state)
        probs = []
        evaluate(net, images, labels, mean, std, device, probs_out=probs)
        total = total + torch.cat(probs)
    net.load_state_dict(own)
    return float((total.argmax(1) == labels).float().mean())


EMA_DECAY = {ema}  # modelEmaDecay (0: off)


def make_ema(net):
    """Polyak averaging of the weights and batch-norm statistics."""
    if EMA_DECAY == 0:
        return None
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

    ema = AveragedModel(net, multi_avg_fn=get_ema_multi_avg_fn(EMA_DECAY), use_buffers=True)
    ema.update_parameters(net)  # the first update copies: the average starts at the initial weights, as trainlab
    return ema
"#,
        tta = if config.tta { "True" } else { "False" },
        patience = config.patience,
        ema = py_float(ema),
    )
}

/// The whole augmentation/loss/evaluation part.
pub fn augmentation(config: &Config, input: [usize; 3], classes: usize, rows: &mut Vec<Row>) -> Augmentation {
    let a = &config.augment;
    let mut code = transform(a, input, rows);
    code.push_str("\n\n");
    code.push_str(&mixer_and_loss(a, classes, rows));
    code.push_str("\n\n");
    code.push_str(&evaluation(config, input, rows));
    Augmentation {
        code,
        torchvision: per_image(a),
        timm: mixing(a),
    }
}
