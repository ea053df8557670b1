//! Residual block with stochastic depth (Huang et al. 2016, "Deep Networks with Stochastic Depth",
//! arXiv:1603.09382). Shapes: N batch, (C, H, W) per sample, the same in and out.
//!
//!   training:  H_l = ReLU(b_l · f_l(H_{l−1}) + H_{l−1}),   b_l ~ Bernoulli(p_l), one draw per batch
//!   test:      H_l = ReLU(p_l · f_l(H_{l−1}) + H_{l−1})    (the expectation over b_l)
//!
//! f is the block's body (e.g. conv3×3-BN-ReLU-conv3×3-BN, built by the caller), which must keep the
//! shape. When b = 0 the body is not run at all: that is the training speed-up of the paper, and
//! its parameter gradients are zero for that step. The lecture's pattern: randomness in training
//! (skip some blocks), marginalization at test (the whole network, each branch scaled by p_l).
//!
//! This is DropPath ("drop path" in timm, whose `--drop-connect` flag means the same thing), not
//! DropConnect: it drops a whole residual branch, while DropConnect (`Linear`) masks single weights.
//! timm's `drop_path` differs in two ways, both deliberate here: it draws b per sample (so it cannot
//! skip f) and scales kept branches by 1/p in training so eval is the identity on the branch; we
//! follow the paper (per-batch b, unscaled in training, ×p at test), as the lecture states it.
//!
//! With p = 1 the block is a plain residual block ReLU(f(x) + x) and draws nothing from the RNG.

use super::{BufferInfo, Layer, LocalParam, Mode, ParamVisitor};
use crate::kernels::Real;
use crate::{Rng, Tensor};

/// Linear decay of the survival probability with depth (Huang et al., eq. 4):
/// p_l = 1 − l/L · (1 − p_L) for block l = 1 … L; the paper uses p_L = 0.5. timm's
/// `drop_path_rate` is 1 − p_L. l = 0 (the input) gives 1; `depth` = 0 gives 1.
pub fn survival_linear(l: usize, depth: usize, p_last: f64) -> f64 {
    if depth == 0 {
        return 1.0;
    }
    1.0 - (l as f64 / depth as f64) * (1.0 - p_last)
}

/// [`survival_linear`] for blocks 1 … `depth`.
pub fn survival_schedule(depth: usize, p_last: f64) -> Vec<f64> {
    (1..=depth).map(|l| survival_linear(l, depth, p_last)).collect()
}

pub struct ResidualBlock<T: Real> {
    body: Vec<Box<dyn Layer<T>>>,
    /// per-sample (C, H, W), input and output
    shape: [usize; 3],
    /// survival probability p_l ∈ (0, 1]
    survival: f64,
    /// acts[k]: output of body layer k in the last forward (acts[last] = f(x)); stale when the body
    /// was skipped
    acts: Vec<Tensor<T>>,
    /// grads[k]: loss gradient with respect to acts[k]
    grads: Vec<Tensor<T>>,
    /// (N, C, H, W) gradient with respect to x through the body
    dbody: Tensor<T>,
    /// (N, C, H, W) pre-activation z = scale·f(x) + x of the last forward
    pre: Tensor<T>,
    /// (N, C, H, W) dL/dz
    dz: Tensor<T>,
    /// Whether the last forward ran the body (b = 1 in training; always at test).
    kept: bool,
    /// Factor on f in the last forward: 1 or 0 in training, p at test.
    scale: f64,
    /// Test/demo hook: forces b in training instead of the drawn value.
    forced: Option<bool>,
}

impl<T: Real> ResidualBlock<T> {
    /// A block H = ReLU(b·f(x) + x) on per-sample inputs of shape `input` = (C, H, W). The body's
    /// output shape must equal `input` (the identity path adds them); `survival` is p_l ∈ (0, 1].
    pub fn new(body: Vec<Box<dyn Layer<T>>>, input: [usize; 3], survival: f64) -> Result<Self, String> {
        if !(survival > 0.0 && survival <= 1.0) {
            return Err(format!("survival: must be in (0, 1], got {survival}"));
        }
        let Some(last) = body.last() else {
            return Err("body: a residual block needs at least one layer".into());
        };
        let out = last.output_shape();
        if out != input {
            return Err(format!(
                "body: must keep the shape of its input {}×{}×{} for the identity path, but outputs {}×{}×{}",
                input[0], input[1], input[2], out[0], out[1], out[2]
            ));
        }
        let n = body.len();
        Ok(ResidualBlock {
            body,
            shape: input,
            survival,
            acts: vec![Tensor::default(); n],
            grads: vec![Tensor::default(); n],
            dbody: Tensor::default(),
            pre: Tensor::default(),
            dz: Tensor::default(),
            kept: false,
            scale: 0.0,
            forced: None,
        })
    }

    pub fn survival(&self) -> f64 {
        self.survival
    }

    /// The body f, in order.
    pub fn body(&self) -> &[Box<dyn Layer<T>>] {
        &self.body
    }

    /// Whether the last forward computed f (b = 1, or test mode).
    pub fn last_kept(&self) -> bool {
        self.kept
    }

    /// The pre-activation scale·f(x) + x of the last forward (x alone when the body was skipped).
    pub fn pre_activation(&self) -> &Tensor<T> {
        &self.pre
    }

    /// For tests and demonstrations: `Some(b)` makes training forwards use b instead of the drawn
    /// value (the draw still happens, so the RNG stream is the same either way); `None` restores it.
    pub fn force_gate(&mut self, gate: Option<bool>) {
        self.forced = gate;
    }
}

impl<T: Real> Layer<T> for ResidualBlock<T> {
    fn kind(&self) -> &'static str {
        "residual"
    }

    fn output_shape(&self) -> [usize; 3] {
        self.shape
    }

    fn forward(&mut self, x: &Tensor<T>, y: &mut Tensor<T>, mode: Mode, rng: &mut Rng) {
        debug_assert_eq!(
            [x.shape[1], x.shape[2], x.shape[3]],
            self.shape,
            "residual block input shape"
        );
        (self.kept, self.scale) = match mode {
            Mode::Train => {
                // One draw per batch (only when p < 1), so skipping means skipping f for everyone.
                let drawn = self.survival >= 1.0 || rng.bernoulli(self.survival);
                let b = self.forced.unwrap_or(drawn);
                (b, if b { 1.0 } else { 0.0 })
            }
            Mode::Eval => (true, self.survival),
        };
        // pre (N, C, H, W) = x, then += scale · f(x)
        self.pre.resize(x.shape);
        self.pre.data.copy_from_slice(&x.data);
        if self.kept {
            for k in 0..self.body.len() {
                let (before, after) = self.acts.split_at_mut(k);
                let input = if k == 0 { x } else { &before[k - 1] };
                self.body[k].forward(input, &mut after[0], mode, rng);
            }
            let f = self.acts.last().expect("non-empty body");
            T::axpy(T::of(self.scale), &f.data, &mut self.pre.data);
        }
        y.resize(x.shape);
        T::relu_forward(&self.pre.data, &mut y.data);
    }

    fn backward(&mut self, x: &Tensor<T>, y: &Tensor<T>, dy: &Tensor<T>, dx: Option<&mut Tensor<T>>) {
        // dz = dy where z > 0; y > 0 exactly where z > 0 (ReLU'(0) = 0, as in the ReLU layer).
        self.dz.resize(x.shape);
        T::relu_backward(&y.data, &dy.data, &mut self.dz.data);
        if !self.kept {
            // f was not computed: its parameters had no effect on this step's loss.
            for layer in &mut self.body {
                layer.visit_params(&mut |_, _, g| g.iter_mut().for_each(|v| *v = T::zero()));
            }
            if let Some(dx) = dx {
                dx.resize(x.shape);
                dx.data.copy_from_slice(&self.dz.data);
            }
            return;
        }
        // Body branch: d f(x) = scale · dz.
        let last = self.body.len() - 1;
        let df = &mut self.grads[last];
        df.resize(x.shape);
        df.data
            .iter_mut()
            .zip(&self.dz.data)
            .for_each(|(d, &g)| *d = g * T::of(self.scale));
        let want_dx = dx.is_some();
        for k in (0..self.body.len()).rev() {
            let (g_before, g_after) = self.grads.split_at_mut(k);
            let input = if k == 0 { x } else { &self.acts[k - 1] };
            let dinput = if k > 0 {
                Some(&mut g_before[k - 1])
            } else if want_dx {
                Some(&mut self.dbody)
            } else {
                None
            };
            self.body[k].backward(input, &self.acts[k], &g_after[0], dinput);
        }
        // Identity branch plus body branch: dx = dz + J_fᵀ(scale · dz).
        if let Some(dx) = dx {
            dx.resize(x.shape);
            dx.data.copy_from_slice(&self.dz.data);
            T::axpy(T::one(), &self.dbody.data, &mut dx.data);
        }
    }

    fn visit_params(&mut self, f: &mut ParamVisitor<'_, T>) {
        for layer in &mut self.body {
            layer.visit_params(f);
        }
    }

    fn visit_buffers(&mut self, f: &mut dyn FnMut(&mut [T])) {
        for layer in &mut self.body {
            layer.visit_buffers(f);
        }
    }

    /// The body's parameters as `body.{j}.{name}`: the block is PyTorch's module with its body in
    /// an `nn.Sequential` called `body`.
    fn param_names(&self) -> Vec<LocalParam> {
        let mut out = Vec::new();
        for (j, layer) in self.body.iter().enumerate() {
            out.extend(layer.param_names().into_iter().map(|p| LocalParam {
                name: format!("body.{j}.{}", p.name),
                ..p
            }));
        }
        out
    }

    fn buffer_names(&self) -> Vec<BufferInfo> {
        let mut out = Vec::new();
        for (j, layer) in self.body.iter().enumerate() {
            out.extend(layer.buffer_names().into_iter().map(|b| BufferInfo {
                name: format!("body.{j}.{}", b.name),
                ..b
            }));
        }
        out
    }

    /// The first body layer with weights (the page shows one buffer per layer).
    fn weights(&self) -> &[T] {
        self.body
            .iter()
            .map(|l| l.weights())
            .find(|w| !w.is_empty())
            .unwrap_or(&[])
    }

    fn param_count(&self) -> usize {
        self.body.iter().map(|l| l.param_count()).sum()
    }
}
