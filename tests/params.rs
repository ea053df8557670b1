//! Named parameters (PyTorch's names and layouts), frozen parameters under every optimizer, and the
//! snapshot type: round trip, mismatch, exponential moving average.

// Expected values may come from std's math: an implementation independent of the core's
// (src/math.rs, the `libm` crate) that clippy.toml otherwise keeps out.
#![allow(clippy::disallowed_methods)]

mod weight_bits;
use weight_bits::model_bits as bits;

use trainlab::config::LayerSpec;
use trainlab::model::Model;
use trainlab::nn::{ActivationKind, Init, Mode, NamedParamVisitor, ParamInfo, ParamRole};
use trainlab::optim::{Optimizer, OptimizerConfig, ParamView};
use trainlab::presets;
use trainlab::snapshot::Snapshot;
use trainlab::Rng;

fn preset_model<T: trainlab::kernels::Real>(
    name: &str,
    input: [usize; 3],
    classes: usize,
    seed: u64,
) -> Model<T> {
    let specs = presets::preset(name, ActivationKind::Relu, input, classes).unwrap();
    Model::build(&specs, input, classes, Init::Kaiming, &mut Rng::new(seed)).unwrap()
}

fn names_and_shapes<T: trainlab::kernels::Real>(m: &Model<T>) -> Vec<(String, Vec<usize>)> {
    m.parameters()
        .iter()
        .map(|p| (p.name.clone(), p.shape.clone()))
        .collect()
}

fn owned(list: &[(&str, &[usize])]) -> Vec<(String, Vec<usize>)> {
    list.iter().map(|(n, s)| (n.to_string(), s.to_vec())).collect()
}

#[test]
fn lenet_is_named_as_torch_nn_would_name_it() {
    // What PyTorch prints for
    //   class LeNet(nn.Module):
    //       def __init__(self):
    //           super().__init__()
    //           self.features = nn.Sequential(
    //               nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
    //               nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
    //               nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    //   [(n, list(p.shape)) for n, p in LeNet().named_parameters()]
    // (parameter-free modules keep their index in the Sequential; 400 = 16·5·5 after the pools).
    let want: &[(&str, &[usize])] = &[
        ("features.0.weight", &[6, 1, 5, 5]),
        ("features.0.bias", &[6]),
        ("features.3.weight", &[16, 6, 5, 5]),
        ("features.3.bias", &[16]),
        ("features.7.weight", &[120, 400]),
        ("features.7.bias", &[120]),
        ("features.9.weight", &[84, 120]),
        ("features.9.bias", &[84]),
        ("features.11.weight", &[10, 84]),
        ("features.11.bias", &[10]),
    ];
    let m = preset_model::<f32>("lenet", [1, 28, 28], 10, 1);
    assert_eq!(names_and_shapes(&m), owned(want));
    let roles: Vec<ParamRole> = m.parameters().iter().map(|p| p.role).collect();
    assert_eq!(roles, [ParamRole::Weight, ParamRole::Bias].repeat(5));
    assert!(m.parameters().iter().all(|p| !p.frozen));
    assert!(m.buffers().is_empty(), "lenet has no batch norm, so no buffers");
}

#[test]
fn resnet_mini_nests_its_blocks_and_reports_batch_norm_statistics_as_buffers() {
    let m = preset_model::<f32>("resnet-mini", [3, 32, 32], 10, 1);
    let params = names_and_shapes(&m);
    // Layer 0 conv, 1 batch norm, 2 ReLU, 3 the first residual block (body: conv, BN, ReLU, conv, BN).
    let head: &[(&str, &[usize])] = &[
        ("features.0.weight", &[16, 3, 3, 3]),
        ("features.0.bias", &[16]),
        ("features.1.weight", &[16]),
        ("features.1.bias", &[16]),
        ("features.3.body.0.weight", &[16, 16, 3, 3]),
        ("features.3.body.0.bias", &[16]),
        ("features.3.body.1.weight", &[16]),
        ("features.3.body.1.bias", &[16]),
        ("features.3.body.3.weight", &[16, 16, 3, 3]),
        ("features.3.body.3.bias", &[16]),
        ("features.3.body.4.weight", &[16]),
        ("features.3.body.4.bias", &[16]),
        ("features.5.weight", &[32, 16, 3, 3]),
    ];
    assert_eq!(params[..head.len()], owned(head)[..]);
    // The classifier after global average pooling (14) and flatten (15).
    assert_eq!(
        params[params.len() - 2..],
        owned(&[("features.16.weight", &[10, 64]), ("features.16.bias", &[10])])[..]
    );
    let bn = &m.parameters()[2..4];
    assert_eq!((bn[0].role, bn[1].role), (ParamRole::BnWeight, ParamRole::BnBias));
    let buffers: Vec<(String, Vec<usize>)> = m
        .buffers()
        .iter()
        .map(|b| (b.name.clone(), b.shape.clone()))
        .collect();
    assert_eq!(
        buffers[..4],
        owned(&[
            ("features.1.running_mean", &[16]),
            ("features.1.running_var", &[16]),
            ("features.3.body.1.running_mean", &[16]),
            ("features.3.body.1.running_var", &[16]),
        ])[..]
    );
    // Running statistics are not parameters: the optimizer never sees them.
    assert!(m.parameters().iter().all(|p| !p.name.contains("running")));
}

#[test]
fn every_preset_names_each_buffer_once_with_its_torch_shape() {
    for name in presets::NAMES {
        let input = presets::default_input(name).unwrap();
        let mut m = preset_model::<f32>(name, input, 10, 2);
        let infos = m.parameters().to_vec();
        let mut seen = std::collections::HashSet::new();
        assert!(
            infos.iter().all(|p| seen.insert(p.name.clone())),
            "{name}: repeated names"
        );
        // The shapes account for every value the layers hold, buffer by buffer.
        let mut lens = Vec::new();
        m.visit_params(&mut |_, w, _| lens.push(w.len()));
        assert_eq!(lens, infos.iter().map(|p| p.len()).collect::<Vec<_>>(), "{name}");
        assert_eq!(lens.iter().sum::<usize>(), m.param_count(), "{name}");
        for p in &infos {
            let parts: Vec<&str> = p.name.split('.').collect();
            assert_eq!(parts[0], "features", "{name}: {}", p.name);
            let i: usize = parts[1].parse().unwrap();
            let layer = &m.layers[i];
            // A layer's input shape: the model's input, or the previous layer's output.
            let [c, h, w] = if i == 0 {
                m.input_shape
            } else {
                m.layers[i - 1].output_shape()
            };
            match (layer.kind(), parts.len(), p.role) {
                ("conv2d", 3, ParamRole::Weight) => {
                    let oc = layer.output_shape()[0];
                    assert_eq!(&p.shape[..2], &[oc, c], "{name}: {}", p.name);
                    assert_eq!(p.shape.len(), 4, "{name}: {}", p.name);
                }
                ("linear", 3, ParamRole::Weight) => {
                    assert_eq!(
                        p.shape,
                        [layer.output_shape()[0], c * h * w],
                        "{name}: {}",
                        p.name
                    )
                }
                ("conv2d" | "linear", 3, ParamRole::Bias)
                | ("batchnorm", 3, ParamRole::BnWeight | ParamRole::BnBias) => {
                    assert_eq!(p.shape, [layer.output_shape()[0]], "{name}: {}", p.name)
                }
                ("residual", _, _) => assert_eq!(parts[2], "body", "{name}: {}", p.name),
                other => panic!("{name}: unexpected parameter {} on {other:?}", p.name),
            }
            assert!(
                p.name.ends_with("weight") || p.name.ends_with("bias"),
                "{}",
                p.name
            );
        }
    }
}

// ---- frozen parameters ----

/// Flatten, Linear(16 → 8), BatchNorm, ReLU, Linear(8 → 3): weights, biases and batch norm's γ, β.
fn small_model(seed: u64) -> Model<f64> {
    let specs = [
        LayerSpec::Flatten,
        LayerSpec::Linear {
            out_features: 8,
            drop_connect: 0.0,
        },
        LayerSpec::Batchnorm,
        LayerSpec::Relu,
        LayerSpec::Linear {
            out_features: 3,
            drop_connect: 0.0,
        },
    ];
    Model::build(&specs, [1, 4, 4], 3, Init::Kaiming, &mut Rng::new(seed)).unwrap()
}

const OPTIMIZERS: [&str; 8] = [
    r#"{"type": "sgd", "weightDecay": 0.1}"#,
    r#"{"type": "sgd", "momentum": 0.9, "weightDecay": 0.1}"#,
    r#"{"type": "sgd", "momentum": 0.9, "nesterov": true, "weightDecay": 0.1}"#,
    r#"{"type": "adagrad", "weightDecay": 0.1, "initialAccumulatorValue": 0.1}"#,
    r#"{"type": "rmsprop", "weightDecay": 0.1}"#,
    r#"{"type": "rmsprop", "momentum": 0.9, "weightDecay": 0.1}"#,
    r#"{"type": "adam", "weightDecay": 0.1}"#,
    r#"{"type": "adamw", "weightDecay": 0.1}"#,
];

/// Values of every parameter, and the optimizer's state buffers of each, after three steps with
/// fixed nonzero gradients (biases and γ, β decayed too).
type Run = (Vec<Vec<f64>>, Vec<Vec<Vec<f64>>>);

fn three_steps(config: &str, freeze: &[&str]) -> Run {
    let mut m = small_model(7);
    for prefix in freeze {
        m.set_frozen(prefix, true).unwrap();
    }
    let mut opt: Optimizer<f64> = serde_json::from_str::<OptimizerConfig>(config)
        .unwrap()
        .build(&mut m);
    opt.set_decay_biases(true);
    let mut k = 0.0;
    m.visit_params(&mut |_, _, g| {
        for gi in g.iter_mut() {
            k += 1.0;
            *gi = 0.3 * (k * 0.7f64).sin();
        }
    });
    for _ in 0..3 {
        opt.step(&mut m, 0.05);
    }
    let mut values = Vec::new();
    m.visit_params(&mut |_, w, _| values.push(w.to_vec()));
    let state = opt
        .state_mut()
        .groups
        .iter()
        .map(|(_, buffers)| buffers.to_vec())
        .collect();
    (values, state)
}

#[test]
fn frozen_parameters_get_no_update_no_decay_and_keep_their_optimizer_state() {
    let initial = {
        let mut m = small_model(7);
        let mut v = Vec::new();
        m.visit_params(&mut |_, w, _| v.push(w.to_vec()));
        v
    };
    // features.1 = the first linear layer (weight, bias), features.2 = batch norm (γ, β).
    let frozen_count = 4;
    for config in OPTIMIZERS {
        let (free_values, free_state) = three_steps(config, &[]);
        let (values, state) = three_steps(config, &["features.1", "features.2"]);
        let fresh_state = {
            let mut m = small_model(7);
            let mut opt: Optimizer<f64> = serde_json::from_str::<OptimizerConfig>(config)
                .unwrap()
                .build(&mut m);
            opt.state_mut()
                .groups
                .iter()
                .map(|(_, b)| b.to_vec())
                .collect::<Vec<_>>()
        };
        for i in 0..initial.len() {
            if i < frozen_count {
                assert_eq!(values[i], initial[i], "{config}: frozen parameter {i} changed");
                for (g, group) in state.iter().enumerate() {
                    assert_eq!(
                        group[i], fresh_state[g][i],
                        "{config}: state of frozen parameter {i} changed"
                    );
                }
            } else {
                assert_ne!(
                    values[i], initial[i],
                    "{config}: trainable parameter {i} did not move"
                );
                // Freezing others changes nothing for a trainable parameter: the same bits.
                assert_eq!(values[i], free_values[i], "{config}: parameter {i}");
                for (g, group) in state.iter().enumerate() {
                    assert_eq!(group[i], free_state[g][i], "{config}: state of parameter {i}");
                }
            }
        }
        // Unfrozen, the same parameters move (the gradients and decay are not zero).
        for i in 0..frozen_count {
            assert_ne!(
                free_values[i], initial[i],
                "{config}: parameter {i} without freezing"
            );
        }
    }
}

#[test]
fn set_frozen_selects_by_module_path_and_refuses_what_names_nothing_or_freezes_everything() {
    let mut m = preset_model::<f32>("lenet", [1, 28, 28], 10, 1);
    // "features.1" is a ReLU: no parameter lies under it, and "features.11" is not under it.
    let err = m.set_frozen("features.1", true).unwrap_err().0;
    assert!(
        err.contains("\"features.1\"") && err.contains("features.11"),
        "{err}"
    );
    assert_eq!(m.set_frozen("features.0", true).unwrap(), 2);
    assert_eq!(m.set_frozen("features.11.bias", true).unwrap(), 1);
    let frozen: Vec<&str> = m
        .parameters()
        .iter()
        .filter(|p| p.frozen)
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(
        frozen,
        ["features.0.weight", "features.0.bias", "features.11.bias"]
    );
    assert_eq!(m.trainable_count(), m.param_count() - (6 * 25 + 6) - 10);
    // Freezing everything is refused and changes nothing.
    let err = m.set_frozen("", true).unwrap_err().0;
    assert!(err.contains("none of the model's 10 parameters"), "{err}");
    assert_eq!(m.parameters().iter().filter(|p| p.frozen).count(), 3);
    let err = m.set_frozen_where(|p| !p.is_empty(), true).unwrap_err().0;
    assert!(err.contains("the selection"), "{err}");
    // The fixed feature extractor of transfer learning: everything but the classifier.
    m.set_frozen("", false).unwrap();
    let n = m
        .set_frozen_where(|p| !p.name.starts_with("features.11."), true)
        .unwrap();
    assert_eq!(n, 8);
    assert_eq!(m.trainable_count(), 84 * 10 + 10);
}

// ---- snapshots ----

/// One training step of `m` on a fixed batch: changes the parameters and the batch norm statistics.
fn train_step(m: &mut Model<f32>, opt: &mut Optimizer<f32>, rng: &mut Rng) {
    let x = m.input_mut(4);
    x.data.iter_mut().for_each(|v| *v = rng.normal() as f32);
    m.forward(Mode::Train, rng);
    let (logits, grad) = m.logits_and_grad();
    grad.resize(logits.shape);
    grad.data.copy_from_slice(&logits.data);
    m.backward(false);
    opt.step(m, 0.1);
}

#[test]
fn a_snapshot_restores_parameters_and_batch_norm_statistics_bit_for_bit() {
    let mut m = preset_model::<f32>("resnet-mini", [3, 16, 16], 10, 3);
    let mut opt = OptimizerConfig::default().build(&mut m);
    let mut rng = Rng::new(9);
    train_step(&mut m, &mut opt, &mut rng);
    let snap = Snapshot::of(&mut m);
    let kept = bits(&mut m);
    assert_eq!(snap.params().len(), m.parameters().len());
    assert_eq!(snap.buffers().len(), m.buffers().len());
    assert_eq!(snap.get("features.1.running_var").unwrap().shape(), [16]);
    for _ in 0..2 {
        train_step(&mut m, &mut opt, &mut rng);
    }
    assert_ne!(bits(&mut m), kept, "training changed nothing");
    snap.restore(&mut m).unwrap();
    assert_eq!(bits(&mut m), kept);
    // Into another model of the same structure (other initial weights).
    let mut other = preset_model::<f32>("resnet-mini", [3, 16, 16], 10, 4);
    assert_ne!(bits(&mut other), kept);
    snap.restore(&mut other).unwrap();
    assert_eq!(bits(&mut other), kept);
    // Capturing again reuses the snapshot and takes the new values.
    let mut again = snap.clone();
    train_step(&mut m, &mut opt, &mut rng);
    again.capture(&mut m);
    assert_eq!(again, Snapshot::of(&mut m));
    assert_ne!(again, snap);
}

#[test]
fn a_snapshot_of_another_structure_is_refused_by_name_and_changes_nothing() {
    let mut ten = preset_model::<f32>("lenet", [1, 28, 28], 10, 1);
    let mut five = preset_model::<f32>("lenet", [1, 28, 28], 5, 1);
    let before = bits(&mut five);
    let err = Snapshot::of(&mut ten).restore(&mut five).unwrap_err().0;
    assert!(
        err.contains("features.11.weight [10, 84] in the snapshot but features.11.weight [5, 84]"),
        "{err}"
    );
    assert_eq!(bits(&mut five), before);

    let mut resnet = preset_model::<f32>("resnet-mini", [3, 16, 16], 10, 1);
    let err = Snapshot::of(&mut resnet).restore(&mut ten).unwrap_err().0;
    assert!(err.contains("features.0.weight [16, 3, 3, 3]"), "{err}");
    // Same parameters, but a snapshot without the batch norm statistics the model has.
    let mut bn = small_model(1);
    let mut snap = Snapshot::of(&mut bn);
    let mut plain = {
        let specs = [
            LayerSpec::Flatten,
            LayerSpec::Linear {
                out_features: 3,
                drop_connect: 0.0,
            },
        ];
        Model::<f64>::build(&specs, [1, 4, 4], 3, Init::Kaiming, &mut Rng::new(1)).unwrap()
    };
    let err = snap.restore(&mut plain).unwrap_err().0;
    assert!(err.contains("features.1.weight [8, 16] in the snapshot"), "{err}");
    let err = Snapshot::of(&mut plain).ema_update(&mut bn, 0.9).unwrap_err().0;
    assert!(err.contains("features.1.weight [3, 16] in the snapshot"), "{err}");
    snap.buffers_mut()[0].data_mut()[0] = 1.0;
    snap.restore(&mut bn).unwrap();
    // One more layer with parameters at the end, either way round.
    let linear = |n| LayerSpec::Linear {
        out_features: n,
        drop_connect: 0.0,
    };
    let mut one = Model::<f64>::build(
        &[LayerSpec::Flatten, linear(3)],
        [1, 4, 4],
        3,
        Init::Kaiming,
        &mut Rng::new(1),
    )
    .unwrap();
    let mut two = Model::<f64>::build(
        &[LayerSpec::Flatten, linear(3), linear(3)],
        [1, 4, 4],
        3,
        Init::Kaiming,
        &mut Rng::new(1),
    )
    .unwrap();
    let err = Snapshot::of(&mut one).restore(&mut two).unwrap_err().0;
    assert_eq!(
        err,
        "snapshot: has no parameter features.2.weight (the model has 4 parameters, the snapshot 2)"
    );
    let err = Snapshot::of(&mut two).restore(&mut one).unwrap_err().0;
    assert_eq!(
        err,
        "snapshot: the model has no parameter features.2.weight (the model has 2 parameters, the snapshot 4)"
    );
}

/// The slide's Polyak average with decay 0.995 of a constant 1, started at 0: after t steps every
/// value is 1 − 0.995ᵗ, so 1 − 0.995¹⁰⁰ ≈ 0.394 after 100.
fn ema_of_ones<T: trainlab::kernels::Real>(decay: f64, steps: usize) -> Vec<f64> {
    let mut m = preset_model::<T>("resnet-mini", [3, 16, 16], 10, 1);
    m.visit_params(&mut |_, w, _| w.iter_mut().for_each(|v| *v = T::one()));
    m.visit_buffers(&mut |b| b.iter_mut().for_each(|v| *v = T::one()));
    let mut ema = Snapshot::of(&mut m);
    for v in ema.params_mut() {
        v.data_mut().iter_mut().for_each(|x| *x = T::zero());
    }
    for v in ema.buffers_mut() {
        v.data_mut().iter_mut().for_each(|x| *x = T::zero());
    }
    for _ in 0..steps {
        ema.ema_update(&mut m, decay).unwrap();
    }
    ema.params()
        .iter()
        .chain(ema.buffers())
        .flat_map(|v| v.data().iter().map(|x| x.to_f64().unwrap()))
        .collect()
}

#[test]
fn ema_of_a_constant_from_zero_reaches_one_minus_decay_to_the_steps() {
    let want = 1.0 - 0.995f64.powi(100);
    assert!((want - 0.394).abs() < 5e-4, "{want}");
    let f64s = ema_of_ones::<f64>(0.995, 100);
    assert!(f64s.iter().all(|&v| (v - want).abs() < 1e-12), "f64: {}", f64s[0]);
    // f32 rounds every step; the errors are damped by the decay, far below 1e-6.
    let f32s = ema_of_ones::<f32>(0.995, 100);
    assert!(f32s.iter().all(|&v| (v - want).abs() < 1e-6), "f32: {}", f32s[0]);
    // Decay 0: the average is the model.
    assert!(ema_of_ones::<f32>(0.0, 1).iter().all(|&v| v == 1.0));
}

/// Two named buffers that are not a model: what an optimizer needs is only a `ParamView`.
struct Bare {
    infos: [ParamInfo; 2],
    values: [Vec<f64>; 2],
    grads: [Vec<f64>; 2],
}

impl ParamView<f64> for Bare {
    fn visit(&mut self, f: &mut NamedParamVisitor<'_, f64>) {
        for ((info, w), g) in self.infos.iter().zip(&mut self.values).zip(&mut self.grads) {
            f(info, w, g);
        }
    }
}

#[test]
fn optimizers_update_a_view_of_named_parameters_not_a_model() {
    let info = |name: &str, frozen| ParamInfo {
        name: name.into(),
        shape: vec![2],
        role: ParamRole::Weight,
        frozen,
    };
    let mut bare = Bare {
        infos: [info("a.weight", false), info("b.weight", true)],
        values: [vec![1.0, -2.0], vec![3.0, 4.0]],
        grads: [vec![0.5, 0.25], vec![1.0, 1.0]],
    };
    let config: OptimizerConfig = serde_json::from_str(r#"{"type": "sgd", "weightDecay": 0.1}"#).unwrap();
    let mut opt = config.build(&mut bare);
    opt.step(&mut bare, 0.5);
    // w − lr·(g + λ·w) for the trainable one; the frozen one is untouched.
    assert_eq!(
        bare.values[0],
        [1.0 - 0.5 * (0.5 + 0.1), -2.0 - 0.5 * (0.25 - 0.2)]
    );
    assert_eq!(bare.values[1], [3.0, 4.0]);
}
