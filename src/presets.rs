//! Named models. Each declares its input shape; the data set is generated at that shape.
//! `lenet`, `cifar-convnetjs` and `vgg-mini` are the workloads of the benchmark (BENCHMARKS.md),
//! `shapes-cnn` is the page's default, `linear` and `mlp` are the baselines a lesson compares with.

use crate::config::LayerSpec;
use crate::nn::ActivationKind;

pub const NAMES: [&str; 6] = ["shapes-cnn", "linear", "mlp", "lenet", "cifar-convnetjs", "vgg-mini"];

fn conv(out_channels: usize, kernel_size: usize, padding: usize) -> LayerSpec {
    LayerSpec::Conv2d { out_channels, kernel_size, stride: 1, padding }
}

fn pool2() -> LayerSpec {
    LayerSpec::Maxpool2d { kernel_size: 2, stride: None }
}

fn fc(out_features: usize) -> LayerSpec {
    LayerSpec::Linear { out_features }
}

/// (input shape (C, H, W), layers) of a preset, with `act` between layers.
pub fn preset(name: &str, act: ActivationKind) -> Option<([usize; 3], Vec<LayerSpec>)> {
    let a = || LayerSpec::activation(act);
    let rgb32 = [3, 32, 32];
    Some(match name {
        "shapes-cnn" => (
            rgb32,
            vec![conv(16, 3, 1), a(), pool2(), conv(32, 3, 1), a(), pool2(), conv(64, 3, 1), a(), pool2(), LayerSpec::Flatten, fc(10)],
        ),
        "linear" => (rgb32, vec![LayerSpec::Flatten, fc(10)]),
        "mlp" => (rgb32, vec![LayerSpec::Flatten, fc(128), a(), fc(10)]),
        "lenet" => (
            [1, 28, 28],
            vec![conv(6, 5, 2), a(), pool2(), conv(16, 5, 0), a(), pool2(), LayerSpec::Flatten, fc(120), a(), fc(84), a(), fc(10)],
        ),
        "cifar-convnetjs" => (
            rgb32,
            vec![conv(16, 5, 2), a(), pool2(), conv(20, 5, 2), a(), pool2(), conv(20, 5, 2), a(), pool2(), LayerSpec::Flatten, fc(10)],
        ),
        "vgg-mini" => (
            rgb32,
            vec![conv(32, 3, 1), a(), conv(32, 3, 1), a(), pool2(), conv(64, 3, 1), a(), conv(64, 3, 1), a(), pool2(), LayerSpec::Flatten, fc(10)],
        ),
        _ => return None,
    })
}
