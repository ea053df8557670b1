//! Named models. Each is drawn for an input shape (`default_input`), at which the generated sets
//! are rendered for it; a loaded set brings its own shape and class count, which the first and last
//! layers adapt to (`preset`).
//! `lenet`, `cifar-convnetjs` and `vgg-mini` are the workloads of the benchmark (BENCHMARKS.md),
//! `shapes-cnn` is the page's default, `linear` and `mlp` are the baselines a lesson compares with,
//! `resnet-mini` brings batch norm and residual blocks (for stochastic depth), `deep-mlp` is the
//! lecture's weight-initialization network (six equal hidden layers; with tanh, its init slides).

use crate::config::{Config, ConfigError, LayerSpec};
use crate::nn::ActivationKind;

pub const NAMES: [&str; 8] = [
    "shapes-cnn",
    "linear",
    "mlp",
    "deep-mlp",
    "lenet",
    "cifar-convnetjs",
    "vgg-mini",
    "resnet-mini",
];

/// Hidden layers of `deep-mlp` and their width.
pub const DEEP_LAYERS: usize = 6;
pub const DEEP_WIDTH: usize = 256;

fn conv(out_channels: usize, kernel_size: usize, padding: usize) -> LayerSpec {
    LayerSpec::Conv2d {
        out_channels,
        kernel_size,
        stride: 1,
        padding,
    }
}

fn pool2() -> LayerSpec {
    LayerSpec::Maxpool2d {
        kernel_size: 2,
        stride: None,
    }
}

fn fc(out_features: usize) -> LayerSpec {
    LayerSpec::Linear {
        out_features,
        drop_connect: 0.0,
    }
}

/// conv3×3-BN-act-conv3×3-BN: the body of a basic residual block (He et al. 2016) at `c` channels.
fn basic_block(c: usize, act: ActivationKind) -> LayerSpec {
    LayerSpec::Residual {
        body: vec![
            conv(c, 3, 1),
            LayerSpec::Batchnorm,
            LayerSpec::activation(act),
            conv(c, 3, 1),
            LayerSpec::Batchnorm,
        ],
        survival: None,
    }
}

/// The input shape (C, H, W) a preset is drawn for, at which the generated sets are rendered for
/// it; None for an unknown name.
pub fn default_input(name: &str) -> Option<[usize; 3]> {
    match name {
        "lenet" => Some([1, 28, 28]),
        _ if NAMES.contains(&name) => Some([3, 32, 32]),
        _ => None,
    }
}

/// The layers of a preset for images of `input` = (C, H, W) and `classes` classes, with `act`
/// between layers: the classifier has one output per class and global pooling covers the input's
/// last feature map. An input too small for the preset's convolutions and poolings is a
/// ConfigError naming the preset, the size and the smallest size it takes.
pub fn preset(
    name: &str,
    act: ActivationKind,
    input: [usize; 3],
    classes: usize,
) -> Result<Vec<LayerSpec>, ConfigError> {
    let layers = layers(name, act, input, classes).ok_or_else(|| {
        ConfigError(format!(
            "preset: must be one of {}, got \"{name}\"",
            NAMES.join(", ")
        ))
    })?;
    if output_side(&layers, input[1]).is_none() || output_side(&layers, input[2]).is_none() {
        let smallest = (1..=4096).find(|&s| output_side(&layers, s).is_some());
        let [c, h, w] = input;
        let need = smallest.map_or(String::new(), |s| {
            format!("; it takes images of at least {s}×{s}")
        });
        return Err(ConfigError(format!(
            "preset: \"{name}\" cannot take {c}×{h}×{w} images, its convolutions and poolings would leave nothing{need}"
        )));
    }
    Ok(layers)
}

/// One side after the layers' windows, or None if a window does not fit (Residual bodies keep the
/// shape, everything else but convolution and pooling leaves the side alone).
fn output_side(layers: &[LayerSpec], mut side: usize) -> Option<usize> {
    let window = |side: usize, kernel: usize, stride: usize, pad: usize| {
        (side + 2 * pad >= kernel && kernel > 0 && stride > 0).then(|| (side + 2 * pad - kernel) / stride + 1)
    };
    for layer in layers {
        side = match layer {
            LayerSpec::Conv2d {
                kernel_size,
                stride,
                padding,
                ..
            } => window(side, *kernel_size, *stride, *padding)?,
            LayerSpec::Maxpool2d { kernel_size, stride } | LayerSpec::Avgpool2d { kernel_size, stride } => {
                window(side, *kernel_size, stride.unwrap_or(*kernel_size), 0)?
            }
            LayerSpec::Flatten => return Some(side),
            _ => side,
        };
    }
    Some(side)
}

/// The layers of a preset (see `preset`).
fn layers(name: &str, act: ActivationKind, [_, h, w]: [usize; 3], classes: usize) -> Option<Vec<LayerSpec>> {
    let a = || LayerSpec::activation(act);
    let fc_out = || fc(classes);
    Some(match name {
        "shapes-cnn" => vec![
            conv(16, 3, 1),
            a(),
            pool2(),
            conv(32, 3, 1),
            a(),
            pool2(),
            conv(64, 3, 1),
            a(),
            pool2(),
            LayerSpec::Flatten,
            fc_out(),
        ],
        "linear" => vec![LayerSpec::Flatten, fc_out()],
        "mlp" => vec![LayerSpec::Flatten, fc(128), a(), fc_out()],
        // The init slides' `dims = [4096] * 7` loop (six tanh layers), narrowed to DEEP_WIDTH so that
        // it trains at page speed; depth, not width, is what makes a bad scale vanish or explode.
        "deep-mlp" => {
            let mut layers = vec![LayerSpec::Flatten];
            for _ in 0..DEEP_LAYERS {
                layers.extend([fc(DEEP_WIDTH), a()]);
            }
            layers.push(fc_out());
            layers
        }
        "lenet" => vec![
            conv(6, 5, 2),
            a(),
            pool2(),
            conv(16, 5, 0),
            a(),
            pool2(),
            LayerSpec::Flatten,
            fc(120),
            a(),
            fc(84),
            a(),
            fc_out(),
        ],
        "cifar-convnetjs" => vec![
            conv(16, 5, 2),
            a(),
            pool2(),
            conv(20, 5, 2),
            a(),
            pool2(),
            conv(20, 5, 2),
            a(),
            pool2(),
            LayerSpec::Flatten,
            fc_out(),
        ],
        "vgg-mini" => vec![
            conv(32, 3, 1),
            a(),
            conv(32, 3, 1),
            a(),
            pool2(),
            conv(64, 3, 1),
            a(),
            conv(64, 3, 1),
            a(),
            pool2(),
            LayerSpec::Flatten,
            fc_out(),
        ],
        // A small ResNet (drawn for 32×32): three stages of one basic block each (16, 32, 64
        // channels), widened by a conv-BN-act between stages, global average pooling over the
        // last map (8×8 at 32×32; a non-square input pools its shorter side's square), then the
        // classifier.
        "resnet-mini" => {
            let stem = |c| [conv(c, 3, 1), LayerSpec::Batchnorm, a()];
            let mut layers = Vec::new();
            for (i, c) in [16, 32, 64].into_iter().enumerate() {
                if i > 0 {
                    layers.push(pool2());
                }
                layers.extend(stem(c));
                layers.push(basic_block(c, act));
            }
            layers.extend([
                LayerSpec::Avgpool2d {
                    kernel_size: (h / 4).min(w / 4).max(1),
                    stride: None,
                },
                LayerSpec::Flatten,
                fc_out(),
            ]);
            layers
        }
        _ => return None,
    })
}

/// The preset's layers with the run's regularization switches applied: batch norm after every
/// convolution, fractional max pooling (α = √2) instead of 2×2 max pooling, DropConnect on every
/// fully connected layer and dropout before the classifier. Residual bodies keep their own layers.
pub fn with_regularizers(specs: Vec<LayerSpec>, config: &Config) -> Vec<LayerSpec> {
    let classifier = specs.iter().rposition(|s| matches!(s, LayerSpec::Linear { .. }));
    let mut out = Vec::with_capacity(specs.len() + 4);
    let mut specs = specs.into_iter().enumerate().peekable();
    while let Some((i, spec)) = specs.next() {
        if Some(i) == classifier && config.drop_rate > 0.0 {
            out.push(LayerSpec::Dropout { p: config.drop_rate });
        }
        let normalized_next = matches!(specs.peek(), Some((_, LayerSpec::Batchnorm)));
        match spec {
            LayerSpec::Conv2d { .. } if config.batch_norm && !normalized_next => {
                out.extend([spec, LayerSpec::Batchnorm])
            }
            LayerSpec::Maxpool2d {
                kernel_size: 2,
                stride: None,
            } if config.fractional_pooling => out.push(LayerSpec::Fractionalmaxpool2d {
                alpha: std::f64::consts::SQRT_2,
                overlapping: false,
            }),
            LayerSpec::Linear { out_features, .. } => out.push(LayerSpec::Linear {
                out_features,
                drop_connect: config.drop_connect,
            }),
            other => out.push(other),
        }
    }
    out
}

/// Gives every residual block without an explicit survival probability the linear-decay schedule
/// of stochastic depth: block l of L survives with 1 − l/L·drop_path_rate (Huang et al. 2016).
pub fn assign_survival(specs: &mut [LayerSpec], drop_path_rate: f64) {
    let depth = specs
        .iter()
        .filter(|s| matches!(s, LayerSpec::Residual { .. }))
        .count();
    let mut l = 0;
    for spec in specs.iter_mut() {
        if let LayerSpec::Residual { survival, .. } = spec {
            l += 1;
            if survival.is_none() {
                *survival = Some(crate::nn::survival_linear(l, depth, 1.0 - drop_path_rate));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_mlp_has_six_equal_hidden_layers_of_the_runs_activation() {
        let input = default_input("deep-mlp").expect("deep-mlp is a preset");
        assert_eq!(input, [3, 32, 32]);
        let layers = preset("deep-mlp", ActivationKind::Tanh, input, 10).expect("deep-mlp takes 32×32");
        let hidden: Vec<&LayerSpec> = layers
            .iter()
            .filter(|l| matches!(l, LayerSpec::Linear { .. }))
            .collect();
        assert_eq!(
            hidden.len(),
            DEEP_LAYERS + 1,
            "six hidden layers and the classifier: {layers:?}"
        );
        let tanh = LayerSpec::activation(ActivationKind::Tanh);
        assert_eq!(
            layers.iter().filter(|l| **l == tanh).count(),
            DEEP_LAYERS,
            "{layers:?}"
        );
        for l in &hidden[..DEEP_LAYERS] {
            assert!(
                matches!(
                    l,
                    LayerSpec::Linear {
                        out_features: DEEP_WIDTH,
                        ..
                    }
                ),
                "{l:?}"
            );
        }
        assert!(matches!(
            hidden[DEEP_LAYERS],
            LayerSpec::Linear { out_features: 10, .. }
        ));
    }
}
