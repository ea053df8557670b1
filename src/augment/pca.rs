//! PCA colour augmentation ("fancy PCA", "lighting noise"): Krizhevsky, Sutskever & Hinton,
//! "ImageNet Classification with Deep Convolutional Neural Networks", NeurIPS 2012, §4.1.
//!
//! Fit once: the 3×3 covariance Σ of the RGB values of every pixel of the training set (on
//! intensities in [0, 1]) and its eigen-decomposition Σ = V Λ Vᵀ, eigenvectors pᵢ, eigenvalues λᵢ.
//! Per image: draw αᵢ ~ N(0, std²) (AlexNet: std = 0.1) and add the same colour offset
//!
//! ```text
//! δ = Σᵢ αᵢ λᵢ pᵢ   (= V · diag(λ) · α)
//! ```
//!
//! to every pixel, then clamp to [0, 1]. This is AlexNet's formula exactly: the offset is scaled by
//! the eigenvalue (a variance), not by its square root, so Cov(δ) = std²·V Λ² Vᵀ = std²·Σ², not
//! std²·Σ. On [0, 1] intensities the eigenvalues are small (≈ 0.1 for the first component of a
//! colourful set), so at std 0.1 the shift is a few grey levels — subtle, as in AlexNet and in
//! fb.resnet.torch's `Lighting` (which uses the same form on [0, 1] images).
//!
//! Grey images (C ≠ 3) have no colour to shift: fitting them gives an empty basis and applying is a
//! no-op that draws nothing.
//!
//! The eigen-solver is a cyclic Jacobi iteration on the symmetric 3×3 matrix, in f64. For 3×3 it is
//! a dozen lines, converges to machine precision in a handful of sweeps and keeps the basis exactly
//! orthonormal (it is a product of rotations), so no linear-algebra crate is needed.

use crate::data::denormalise;
use crate::Rng;

/// A fitted RGB colour basis.
#[derive(Clone, Debug, PartialEq)]
pub struct PcaColor {
    /// Σ on intensities, population covariance (divided by the pixel count).
    pub covariance: [[f64; 3]; 3],
    /// λ₁ ≥ λ₂ ≥ λ₃.
    pub eigenvalues: [f64; 3],
    /// `eigenvectors[i]` is pᵢ (unit length, RGB components), the direction of `eigenvalues[i]`.
    pub eigenvectors: [[f64; 3]; 3],
    /// False for grey data: `apply` then does nothing.
    pub rgb: bool,
}

impl PcaColor {
    /// Fits the basis to `images`, (N, C, H, W) **stored** values as in `Dataset::floats`
    /// (denormalised here, so Σ is on intensities).
    pub fn fit(images: &[f32], c: usize, h: usize, w: usize) -> PcaColor {
        let plane = h * w;
        if c != 3 || plane == 0 || images.is_empty() {
            return PcaColor {
                covariance: [[0.0; 3]; 3],
                eigenvalues: [0.0; 3],
                eigenvectors: IDENTITY,
                rgb: false,
            };
        }
        debug_assert_eq!(images.len() % (3 * plane), 0, "images must be (N, 3, H, W)");
        // Single pass of sums and cross sums in f64: values are in [0, 1], so with f64 the
        // cancellation in E[xy] − E[x]E[y] costs nothing measurable at these pixel counts.
        let mut sum = [0.0f64; 3];
        let mut cross = [[0.0f64; 3]; 3];
        let mut count = 0usize;
        for img in images.chunks_exact(3 * plane) {
            for p in 0..plane {
                let v = [0, 1, 2].map(|ch| denormalise(img[ch * plane + p]) as f64);
                for a in 0..3 {
                    sum[a] += v[a];
                    for b in a..3 {
                        cross[a][b] += v[a] * v[b];
                    }
                }
            }
            count += plane;
        }
        let n = count as f64;
        let mut cov = [[0.0; 3]; 3];
        for a in 0..3 {
            for b in a..3 {
                cov[a][b] = cross[a][b] / n - (sum[a] / n) * (sum[b] / n);
                cov[b][a] = cov[a][b];
            }
        }
        Self::from_covariance(cov)
    }

    /// The basis of a given RGB covariance.
    pub fn from_covariance(covariance: [[f64; 3]; 3]) -> PcaColor {
        let (eigenvalues, eigenvectors) = symmetric_eigen3(covariance);
        PcaColor {
            covariance,
            eigenvalues,
            eigenvectors,
            rgb: true,
        }
    }

    /// One draw of the colour offset δ = Σᵢ αᵢ λᵢ pᵢ, αᵢ ~ N(0, std²) (three normal draws; none for
    /// grey data, which gets δ = 0).
    pub fn sample_offset(&self, std: f32, rng: &mut Rng) -> [f32; 3] {
        if !self.rgb {
            return [0.0; 3];
        }
        let alpha = [0, 1, 2].map(|_| std as f64 * rng.normal());
        let mut delta = [0.0f64; 3];
        for (i, p) in self.eigenvectors.iter().enumerate() {
            for ch in 0..3 {
                delta[ch] += alpha[i] * self.eigenvalues[i] * p[ch];
            }
        }
        delta.map(|d| d as f32)
    }

    /// Adds one drawn offset to every pixel of a (C, H, W) **intensity** image, clamping to
    /// [0, 1]; returns the offset. No-op for grey images.
    pub fn apply(&self, image: &mut [f32], c: usize, std: f32, rng: &mut Rng) -> [f32; 3] {
        if !self.rgb || c != 3 {
            return [0.0; 3];
        }
        let delta = self.sample_offset(std, rng);
        let plane = image.len() / 3;
        for (ch, d) in delta.iter().enumerate() {
            image[ch * plane..(ch + 1) * plane]
                .iter_mut()
                .for_each(|v| *v = (*v + d).clamp(0.0, 1.0));
        }
        delta
    }
}

const IDENTITY: [[f64; 3]; 3] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

/// Eigen-decomposition of a symmetric 3×3 matrix by cyclic Jacobi rotations: returns (λ, p) with
/// λ sorted descending and `p[i]` the unit eigenvector of `λ[i]`, so that A = Σᵢ λᵢ pᵢ pᵢᵀ.
pub fn symmetric_eigen3(a: [[f64; 3]; 3]) -> ([f64; 3], [[f64; 3]; 3]) {
    let mut a = a;
    // v: columns are the eigenvectors being accumulated (V ← V·J for every rotation J).
    let mut v = IDENTITY;
    for _sweep in 0..32 {
        let off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
        let diag = a[0][0] * a[0][0] + a[1][1] * a[1][1] + a[2][2] * a[2][2];
        if off <= 1e-32 * diag || off == 0.0 {
            break;
        }
        for (p, q) in [(0, 1), (0, 2), (1, 2)] {
            if a[p][q] == 0.0 {
                continue;
            }
            // The rotation in the (p, q) plane that zeroes a[p][q] (Numerical Recipes §11.1:
            // θ = (a_qq − a_pp)/(2a_pq), t = tan φ the smaller root of t² + 2tθ − 1 = 0).
            let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
            let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
            let cos = 1.0 / (t * t + 1.0).sqrt();
            let sin = t * cos;
            let mut j = IDENTITY;
            j[p][p] = cos;
            j[q][q] = cos;
            j[p][q] = sin;
            j[q][p] = -sin;
            a = matmul(&transpose(&j), &matmul(&a, &j));
            v = matmul(&v, &j);
        }
    }
    let mut order = [0, 1, 2];
    order.sort_by(|&i, &k| a[k][k].total_cmp(&a[i][i]));
    let values = order.map(|i| a[i][i]);
    let vectors = order.map(|i| [v[0][i], v[1][i], v[2][i]]);
    (values, vectors)
}

fn matmul(x: &[[f64; 3]; 3], y: &[[f64; 3]; 3]) -> [[f64; 3]; 3] {
    let mut out = [[0.0; 3]; 3];
    for r in 0..3 {
        for c in 0..3 {
            out[r][c] = (0..3).map(|k| x[r][k] * y[k][c]).sum();
        }
    }
    out
}

fn transpose(x: &[[f64; 3]; 3]) -> [[f64; 3]; 3] {
    let mut out = [[0.0; 3]; 3];
    for r in 0..3 {
        for c in 0..3 {
            out[r][c] = x[c][r];
        }
    }
    out
}
