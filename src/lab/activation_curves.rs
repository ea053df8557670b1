//! Data for the activation explorer: f(x) and f'(x) of every activation the lecture lists
//! ("Recap: Activation Functions"), sampled on a grid over [−5, 5], with the slide's formula and
//! notes.
//!
//! The values come from the very functions the layers run (`ActivationKind::f` / `df`, in f64),
//! so the plot shows what training uses, conventions included: step's derivative is 0, sinc(0) = 1,
//! and ReLU's and leaky ReLU's derivative at exactly 0 is the left side's.
//!
//! Notes are the lecture's where it has them (sigmoid, ReLU, leaky ReLU) and otherwise short
//! standard facts that follow from the formula.

use crate::config::ConfigError;
use crate::nn::activation::LEAKY_SLOPE;
use crate::nn::ActivationKind;
use serde::Serialize;

/// The grid is [−X_MAX, X_MAX].
pub const X_MAX: f64 = 5.0;
/// Default grid size: an odd count puts a point on x = 0 (step 0.05 for 201).
pub const DEFAULT_POINTS: usize = 201;
pub const MAX_POINTS: usize = 10_001;

/// One activation's curves: `{ kind: "sigmoid", formula, notes: string[], x: number[], f: number[],
/// df: number[] }` (x, f and df of equal length).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivationCurve {
    pub kind: ActivationKind,
    /// The slide's formula in plain text.
    pub formula: &'static str,
    pub notes: &'static [&'static str],
    pub x: Vec<f64>,
    pub f: Vec<f64>,
    pub df: Vec<f64>,
}

/// The grid: `points` evenly spaced values from −5 to 5, both ends included.
pub fn grid(points: usize) -> Vec<f64> {
    (0..points)
        .map(|i| -X_MAX + 2.0 * X_MAX * i as f64 / (points - 1) as f64)
        .collect()
}

/// f and f' of `kind` on the grid of `points` values; `alpha` is ELU's α (ignored by the others).
pub fn activation_curve(
    kind: ActivationKind,
    points: usize,
    alpha: f64,
) -> Result<ActivationCurve, ConfigError> {
    if !(2..=MAX_POINTS).contains(&points) {
        return Err(ConfigError(format!(
            "points: must be between 2 and {MAX_POINTS}, got {points}"
        )));
    }
    if !(alpha.is_finite() && alpha > 0.0) {
        return Err(ConfigError(format!(
            "alpha: must be a positive finite number, got {alpha}"
        )));
    }
    let x = grid(points);
    Ok(ActivationCurve {
        kind,
        formula: formula(kind),
        notes: notes(kind),
        f: x.iter().map(|&v| kind.f(v, alpha)).collect(),
        df: x.iter().map(|&v| kind.df(v, alpha)).collect(),
        x,
    })
}

/// Every activation in `ActivationKind::ALL` order (the slide's).
pub fn activation_curves(points: usize, alpha: f64) -> Result<Vec<ActivationCurve>, ConfigError> {
    ActivationKind::ALL
        .into_iter()
        .map(|k| activation_curve(k, points, alpha))
        .collect()
}

pub fn formula(kind: ActivationKind) -> &'static str {
    match kind {
        ActivationKind::Sigmoid => "y = 1 / (1 + e^(−x))",
        ActivationKind::Tanh => "y = tanh(x)",
        ActivationKind::Step => "y = 0 for x < 0, 1 for x ≥ 0",
        ActivationKind::Softplus => "y = ln(1 + e^x)",
        ActivationKind::Relu => "y = 0 for x < 0, x for x ≥ 0",
        ActivationKind::Softsign => "y = x / (1 + |x|)",
        ActivationKind::Elu => "y = α(e^x − 1) for x < 0, x for x ≥ 0",
        ActivationKind::Logsigmoid => "y = ln(1 / (1 + e^(−x)))",
        ActivationKind::Leakyrelu => "y = max(0.1x, x)",
        ActivationKind::Swish => "y = x / (1 + e^(−x))",
        ActivationKind::Sinc => "y = sin(x) / x",
        ActivationKind::Mish => "y = x · tanh(softplus(x))",
    }
}

// Keep the leaky slope in the note in step with the layer's constant.
const _: () = assert!(LEAKY_SLOPE == 0.1);

pub fn notes(kind: ActivationKind) -> &'static [&'static str] {
    match kind {
        // The lecture's three points.
        ActivationKind::Sigmoid => &[
            "Saturated neurons “kill” the gradients: σ'(x) = σ(x)(1 − σ(x)) is at most 0.25 and near 0 for large |x|",
            "Not zero-centred: outputs are always positive",
            "exp() is computationally expensive",
        ],
        ActivationKind::Tanh => &[
            "Zero-centred: outputs in (−1, 1)",
            "Still saturates: tanh'(x) = 1 − tanh²(x) is near 0 for large |x|, which kills the gradients",
        ],
        ActivationKind::Step => &[
            "Its derivative is 0 wherever it exists (and undefined at 0): no gradient flows through it, so gradient descent cannot train the layers below",
        ],
        ActivationKind::Softplus => &[
            "A smooth version of ReLU; its derivative is the sigmoid",
            "Always positive: not zero-centred",
            "Needs exp() and ln()",
        ],
        // The lecture's three points.
        ActivationKind::Relu => &[
            "Does not saturate (in + region)",
            "Not zero-centred",
            "Computationally efficient",
            "Gradient 0 for x < 0: a unit whose input is always negative never updates (“dead ReLU”)",
        ],
        ActivationKind::Softsign => &[
            "Zero-centred with outputs in (−1, 1), like tanh",
            "Approaches ±1 polynomially, not exponentially: its gradient 1/(1 + |x|)² decays more slowly than tanh's",
        ],
        ActivationKind::Elu => &[
            "Identity for x ≥ 0, like ReLU: does not saturate in the + region",
            "Negative outputs (down to −α) bring the mean activation closer to zero",
            "Saturates to −α for very negative x; needs exp() for x < 0",
        ],
        ActivationKind::Logsigmoid => &[
            "ln σ(x): close to x for very negative x, close to 0 for large x",
            "Always negative: not zero-centred; saturates (gradient → 0) for large x",
        ],
        // The lecture's point, and the slope it uses.
        ActivationKind::Leakyrelu => &[
            "Solves “the dying ReLU” problem: the gradient is 0.1, not 0, for x < 0",
            "Does not saturate; computationally efficient",
        ],
        ActivationKind::Swish => &[
            "x·σ(x): smooth and non-monotonic (a small dip to about −0.28 near x ≈ −1.28)",
            "Unbounded above like ReLU; close to 0 for very negative x",
            "Needs exp()",
        ],
        ActivationKind::Sinc => &[
            "Oscillates: not monotonic, with many points where the gradient is zero",
            "sinc(0) = 1 by continuity",
        ],
        ActivationKind::Mish => &[
            "x·tanh(softplus(x)): smooth and non-monotonic (a small dip to about −0.31 near x ≈ −1.19)",
            "Unbounded above like ReLU; close to 0 for very negative x",
            "Needs exp(), ln() and tanh()",
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivative_matches_a_finite_difference_of_f_away_from_kinks() {
        // Central differences on a fine grid (h = 0.001): error O(h²·f'''), far below the tolerance.
        let points = 10_001;
        let h = 2.0 * X_MAX / (points - 1) as f64;
        for alpha in [1.0, 2.0] {
            for curve in activation_curves(points, alpha).unwrap() {
                // ReLU, leaky ReLU and step have a kink or jump at 0; ELU's f' jumps there when α ≠ 1;
                // softsign's f'' jumps there (|x|), which makes the central difference off by ~h.
                let kink = matches!(
                    curve.kind,
                    ActivationKind::Relu
                        | ActivationKind::Leakyrelu
                        | ActivationKind::Step
                        | ActivationKind::Elu
                        | ActivationKind::Softsign
                );
                for i in 1..points - 1 {
                    if kink && curve.x[i].abs() < 2.0 * h {
                        continue;
                    }
                    let numeric = (curve.f[i + 1] - curve.f[i - 1]) / (2.0 * h);
                    let err = (numeric - curve.df[i]).abs();
                    assert!(
                        err < 1e-4,
                        "{:?} α={alpha} at x={}: f' {} vs finite difference {numeric}",
                        curve.kind,
                        curve.x[i],
                        curve.df[i]
                    );
                }
            }
        }
    }

    #[test]
    fn conventions_step_has_zero_derivative_and_sinc_of_zero_is_one() {
        let step = activation_curve(ActivationKind::Step, DEFAULT_POINTS, 1.0).unwrap();
        assert!(step.df.iter().all(|&d| d == 0.0));
        assert_eq!(step.f[100], 1.0); // x = 0: the slide's 1 for x ≥ 0
        let sinc = activation_curve(ActivationKind::Sinc, DEFAULT_POINTS, 1.0).unwrap();
        assert_eq!(sinc.x[100], 0.0);
        assert_eq!((sinc.f[100], sinc.df[100]), (1.0, 0.0));
        let leaky = activation_curve(ActivationKind::Leakyrelu, DEFAULT_POINTS, 1.0).unwrap();
        assert_eq!((leaky.f[0], leaky.df[0]), (-0.5, 0.1)); // max(0.1x, x) at x = −5
        let elu = activation_curve(ActivationKind::Elu, DEFAULT_POINTS, 2.0).unwrap();
        assert!((elu.f[0] - 2.0 * ((-5f64).exp() - 1.0)).abs() < 1e-15);
    }

    #[test]
    fn grid_spans_minus_five_to_five_and_every_activation_has_notes() {
        let x = grid(DEFAULT_POINTS);
        assert_eq!((x[0], x[200], x.len()), (-5.0, 5.0, 201));
        assert!((x[1] - x[0] - 0.05).abs() < 1e-12);
        let curves = activation_curves(DEFAULT_POINTS, 1.0).unwrap();
        assert_eq!(curves.len(), ActivationKind::ALL.len());
        for c in &curves {
            assert!(!c.notes.is_empty() && !c.formula.is_empty(), "{:?}", c.kind);
            assert_eq!((c.f.len(), c.df.len()), (201, 201));
            assert!(c.f.iter().chain(&c.df).all(|v| v.is_finite()));
        }
        let sigmoid = &curves[0];
        assert!(sigmoid.notes[0].contains("kill") && sigmoid.notes[2].contains("exp()"));
        assert_eq!(
            activation_curve(ActivationKind::Relu, 1, 1.0).unwrap_err().0,
            "points: must be between 2 and 10001, got 1"
        );
        assert!(activation_curve(ActivationKind::Elu, 11, 0.0).is_err());
    }

    #[test]
    fn the_dips_quoted_in_the_notes() {
        let dip = |kind| {
            let c = activation_curve(kind, MAX_POINTS, 1.0).unwrap();
            let i = (0..c.f.len()).min_by(|&a, &b| c.f[a].total_cmp(&c.f[b])).unwrap();
            (c.x[i], c.f[i])
        };
        let (x, y) = dip(ActivationKind::Swish);
        assert!(
            (x + 1.28).abs() < 0.01 && (y + 0.28).abs() < 0.005,
            "swish min {y} at {x}"
        );
        let (x, y) = dip(ActivationKind::Mish);
        assert!(
            (x + 1.19).abs() < 0.01 && (y + 0.31).abs() < 0.005,
            "mish min {y} at {x}"
        );
    }

    #[test]
    fn serialises_for_the_page() {
        let v = serde_json::to_value(activation_curve(ActivationKind::Logsigmoid, 5, 1.0).unwrap()).unwrap();
        assert_eq!(v["kind"], "logsigmoid");
        assert_eq!(v["x"], serde_json::json!([-5.0, -2.5, 0.0, 2.5, 5.0]));
        for key in ["f", "df", "notes"] {
            assert!(v[key].is_array(), "{key}");
        }
        assert!(v["formula"].is_string());
    }
}
