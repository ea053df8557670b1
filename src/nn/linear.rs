//! Fully connected layer: y = x·Wᵀ + b, PyTorch layout W: (OUT, IN).
//! Shapes: N batch, IN input features (C·H·W of the input), OUT output features.
//!
//! Optional DropConnect (Wan et al. 2013, "Regularization of Neural Networks using DropConnect"):
//! with drop probability p > 0, every training forward draws a fresh Bernoulli(1 − p) mask M over
//! the weight matrix and uses W̃ = W ⊙ M / (1 − p); the bias is never masked. The scaling is the
//! inverted form, so that at test time "use all the connections" (the lecture) is plain W and
//! E[W̃] = W makes the expected pre-activation in training equal the eval one.
//! Two simplifications of the paper, both deliberate: Wan et al. draw a mask per example and also
//! mask the biases; here one mask is shared by the whole batch (one GEMM, as without DropConnect,
//! instead of a weight matrix per example) and the bias is kept. Their test-time rule is a
//! Gaussian moment match through the nonlinearity; here eval is the lecture's "all connections".
//! With p = 0 the layer runs exactly the code it ran before DropConnect existed and draws nothing
//! from the RNG.

use super::{Init, Layer, LocalParam, Mode, ParamKind, ParamRole, ParamVisitor};
use crate::kernels::Real;
use crate::{Rng, Tensor};

pub struct Linear<T> {
    inp: usize,
    out: usize,
    /// (OUT, IN)
    pub weight: Vec<T>,
    /// (OUT)
    pub bias: Vec<T>,
    dweight: Vec<T>,
    dbias: Vec<T>,
    /// DropConnect drop probability p in [0, 1); 0 = off.
    drop_connect: f64,
    /// (OUT, IN) multipliers of the last training forward: 0 (dropped) or 1/(1 − p) (kept).
    /// Allocated once by the constructor when p > 0, empty otherwise.
    mask: Vec<T>,
    /// (OUT, IN) W̃ = W ⊙ mask, the weights the last training forward used (backward's dx needs
    /// them; W itself does not change between forward and backward). Empty when p = 0.
    masked_weight: Vec<T>,
    /// Whether the last forward used `masked_weight` (train with p > 0).
    masked: bool,
}

impl<T: Real> Linear<T> {
    pub fn new(inp: usize, out: usize, init: Init, rng: &mut Rng) -> Self {
        let mut weight = vec![T::zero(); out * inp];
        init.fill(&mut weight, inp, rng);
        Linear {
            inp,
            out,
            weight,
            bias: vec![T::zero(); out],
            dweight: vec![T::zero(); out * inp],
            dbias: vec![T::zero(); out],
            drop_connect: 0.0,
            mask: Vec::new(),
            masked_weight: Vec::new(),
            masked: false,
        }
    }

    /// A Linear layer with DropConnect of drop probability `p` (0 ≤ p < 1, else panics; the config
    /// validates first). Draws the same initial weights as `new` from the same `rng`.
    pub fn with_drop_connect(inp: usize, out: usize, p: f64, init: Init, rng: &mut Rng) -> Self {
        assert!(
            (0.0..1.0).contains(&p),
            "dropConnect p must be in [0, 1), got {p}"
        );
        let mut layer = Self::new(inp, out, init, rng);
        layer.drop_connect = p;
        if p > 0.0 {
            layer.mask = vec![T::zero(); out * inp];
            layer.masked_weight = vec![T::zero(); out * inp];
        }
        layer
    }

    /// DropConnect's drop probability (0 = off).
    pub fn drop_connect(&self) -> f64 {
        self.drop_connect
    }

    /// (OUT, IN) mask of the last training forward, entries 0 or 1/(1 − p); empty when p = 0.
    pub fn drop_connect_mask(&self) -> &[T] {
        &self.mask
    }
}

impl<T: Real> Layer<T> for Linear<T> {
    fn kind(&self) -> &'static str {
        "linear"
    }

    fn output_shape(&self) -> [usize; 3] {
        [self.out, 1, 1]
    }

    fn forward(&mut self, x: &Tensor<T>, y: &mut Tensor<T>, mode: Mode, rng: &mut Rng) {
        let n = x.batch();
        debug_assert_eq!(x.sample_len(), self.inp);
        y.resize([n, self.out, 1, 1]);
        self.masked = mode == Mode::Train && self.drop_connect > 0.0;
        if self.masked {
            // A fresh mask every training forward, one uniform draw per weight in (OUT, IN) order.
            let keep = 1.0 - self.drop_connect;
            let scale = T::of(1.0 / keep);
            for ((m, wm), &w) in self
                .mask
                .iter_mut()
                .zip(self.masked_weight.iter_mut())
                .zip(&self.weight)
            {
                *m = if rng.bernoulli(keep) { scale } else { T::zero() };
                *wm = w * *m;
            }
        }
        let weight = if self.masked {
            &self.masked_weight
        } else {
            &self.weight
        };
        // y: (N, OUT) = x (N, IN) · Wᵀ (IN, OUT), with every row pre-filled with the bias
        for row in y.data.chunks_exact_mut(self.out) {
            row.copy_from_slice(&self.bias);
        }
        T::gemm(
            n,
            self.out,
            self.inp,
            &x.data,
            self.inp,
            1,
            weight,
            1,
            self.inp,
            &mut y.data,
            self.out,
            true,
        );
    }

    fn backward(&mut self, x: &Tensor<T>, _y: &Tensor<T>, dy: &Tensor<T>, dx: Option<&mut Tensor<T>>) {
        let n = x.batch();
        // dW: (OUT, IN) = dyᵀ (OUT, N) · x (N, IN)
        T::gemm(
            self.out,
            self.inp,
            n,
            &dy.data,
            1,
            self.out,
            &x.data,
            self.inp,
            1,
            &mut self.dweight,
            self.inp,
            false,
        );
        if self.masked {
            // y depends on W only through W ⊙ mask, so dW = (dyᵀ·x) ⊙ mask: dropped weights get 0.
            for (d, &m) in self.dweight.iter_mut().zip(&self.mask) {
                *d = *d * m;
            }
        }
        // db: (OUT) = column sums of dy (N, OUT)
        self.dbias.iter_mut().for_each(|v| *v = T::zero());
        for row in dy.data.chunks_exact(self.out) {
            for (d, &g) in self.dbias.iter_mut().zip(row) {
                *d = *d + g;
            }
        }
        if let Some(dx) = dx {
            dx.resize(x.shape);
            let weight = if self.masked {
                &self.masked_weight
            } else {
                &self.weight
            };
            // dx: (N, IN) = dy (N, OUT) · W̃ (OUT, IN)
            T::gemm(
                n,
                self.inp,
                self.out,
                &dy.data,
                self.out,
                1,
                weight,
                self.inp,
                1,
                &mut dx.data,
                self.inp,
                false,
            );
        }
    }

    fn visit_params(&mut self, f: &mut ParamVisitor<'_, T>) {
        f(ParamKind::Weight, &mut self.weight, &mut self.dweight);
        f(ParamKind::Bias, &mut self.bias, &mut self.dbias);
    }

    /// `weight` `[out, in]` and `bias` `[out]`, PyTorch's layout and the stored one.
    fn param_names(&self) -> Vec<LocalParam> {
        vec![
            LocalParam::new("weight", vec![self.out, self.inp], ParamRole::Weight),
            LocalParam::new("bias", vec![self.out], ParamRole::Bias),
        ]
    }

    fn weights(&self) -> &[T] {
        &self.weight
    }

    fn param_count(&self) -> usize {
        self.weight.len() + self.bias.len()
    }
}
