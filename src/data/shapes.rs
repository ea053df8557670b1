//! The built-in "shapes" data set: ten classes of simple figures, rendered from the seed.
//!
//! Why synthetic: the page must work in a lecture hall with nothing downloaded, and generating
//! 5,000 small images takes a fraction of a second. Why these nuisances: the set is a teaching
//! tool, so it must separate a CNN from a linear model, and a CNN trained on a few hundred images
//! must overfit. Each image draws, independently of its class, a position, a scale, a stretch and
//! a rotation jitter (the class lives in the outline, never at a fixed pixel), a background colour
//! textured by two random sinusoidal gratings, a fill colour of any hue that is clearly lighter
//! than the background, mild pixel noise, and, half the time, a soft distractor blob. All ten
//! outlines cover the same area, so neither colour nor mean brightness tells the class. A linear
//! template on raw pixels cannot follow a moving, scaled, recoloured outline; a few convolutions
//! can. The constants below record what each nuisance was measured to do.
//!
//! Every class outline is mirror-symmetric about its upright axis and rotations are symmetric
//! about upright, so a horizontal flip (a later lesson's label-preserving augmentation) turns an
//! image into another equally likely image of the same class; colour jitter cannot change a label
//! because colour carries none.
//!
//! Rendering: each outline is a signed distance function (SDF) in a local frame where the figure
//! fits inside the unit circle. A pixel's coverage is `clamp(0.5 - d, 0, 1)` with `d` the signed
//! distance in pixels from the pixel centre to the outline: the analytic box-filter anti-aliasing
//! of a straight edge, one SDF evaluation per pixel instead of 16 supersamples. The SDFs of unions
//! and differences (plus, crescent, heart) are exact outside and only approximate deep inside,
//! where coverage is 1 anyway.
//!
//! Grey (`channels == 1`) images are the Rec. 601 luminance of the same scene. Each image's scene
//! comes from its own forked RNG stream, drawn before any pixel noise, so the grey and RGB sets of
//! one seed show the same figures with the same labels.

use super::{normalise, Dataset};
use crate::Rng;
use rand::RngCore;
use std::f32::consts::{PI, TAU};

/// Class names, in label order.
pub const SHAPE_CLASSES: [&str; 10] = [
    "circle", "square", "triangle", "plus", "ring", "star", "crescent", "arrow", "bowtie", "heart",
];

// Nuisance ranges. These are the knobs that set the difficulty; see the module comment.
//
// Three targets pull against each other (tests/dataset_difficulty.rs): the default CNN must reach
// 90% in two epochs of 4,000 images, yet overfit 500 images by more than 15 points, while a linear
// model stays under 60%. What was measured while tuning them (each over a few seeds):
// - full rotation, or dark-on-light figures half the time, each about halve the CNN's two-epoch
//   accuracy; so rotation is a jitter of ±17° and figures are always lighter than their ground;
// - stronger figure/ground contrast and weaker pixel noise make the CNN learn faster on any
//   training set size; a busier background texture makes it need more images to generalise,
//   at little cost to the 4,000-image run. High contrast with a strong texture is the best
//   trade found: two-epoch accuracy 89-95% with a 17-20 point gap at 500 images, where the
//   earlier flat backgrounds gave 93-95% but only an 8-12 point gap;
// - scale and aspect ranges widen the gap too, but slow the 4,000-image run about as much;
// - position jitter beyond the frame's edge is what hurts a linear model most, but it slows the
//   CNN about as much, so figures stay (nearly) inside the frame.
/// Radius of the figure's bounding circle, as a fraction of the image size.
const RADIUS: (f32, f32) = (0.25, 0.5);
/// Natural log of the largest ratio between the figure's width and height stretch (1.25), drawn
/// log-uniformly either way. Given as a log so that no platform `ln` is involved (see `exp`).
const LN_ASPECT: f32 = 0.223_143_55;
/// Largest rotation either way from upright, in radians.
const ROTATION: f32 = 0.3;
/// Probability that the figure is lighter (in luminance) than its background. Below 1 the CNN
/// must learn every outline in both polarities, which slows it down markedly.
const LIGHT_FIGURE_P: f64 = 1.0;
/// The figure's centre stays this many radii from the border, so at most a sliver is cut off.
const BORDER_RADII: f32 = 0.85;
/// Minimum luminance difference between fill and background, so grey images show every figure.
/// About 1 in 48 random colour pairs are this far apart (1 in 10 at 0.45, 1 in 3.5 at 0.3): a dark
/// ground and a light figure of any hue.
const MIN_CONTRAST: f32 = 0.6;
/// Background texture: two sinusoidal gratings with a random direction, phase and period (as a
/// fraction of the image size), each with its own amplitude per channel (so the stripes are
/// coloured, and as strong as the figure's own contrast where they add up).
const TEXTURE_AMPLITUDE: f32 = 0.35;
const TEXTURE_PERIOD: (f32, f32) = (0.19, 0.5);
/// Standard deviation of the per-pixel noise, in intensity units, drawn per image.
const NOISE_STD: (f32, f32) = (0.006, 0.021);
/// Probability of a distractor blob, its Gaussian width (fraction of size) and peak opacity.
const BLOB_P: f64 = 0.5;
const BLOB_SIGMA: (f32, f32) = (0.04, 0.07);
const BLOB_ALPHA: (f32, f32) = (0.5, 0.9);

/// Rec. 601 luma weights: what a grey image shows of an RGB colour.
const LUMA: [f32; 3] = [0.299, 0.587, 0.114];

/// `n` labelled images of `size`×`size` with 3 (RGB) or 1 (grey) channels, classes balanced to
/// within one image and in random order. Stored normalised (see the `data` module comment).
pub fn shapes(n: usize, size: usize, channels: usize, rng: &mut Rng) -> Dataset {
    assert!(
        channels == 1 || channels == 3,
        "shapes: channels must be 1 or 3, got {channels}"
    );
    assert!(size >= 8, "shapes: size must be at least 8, got {size}");
    let classes = SHAPE_CLASSES.len();
    let outlines = Outlines::new();

    // Balanced labels: k-th image of the cycle gets class k % 10, then a shuffle.
    let mut labels: Vec<u8> = (0..n).map(|i| (i % classes) as u8).collect();
    rng.shuffle(&mut labels);

    let len = channels * size * size;
    let mut images = vec![0.0f32; n * len];
    // Figure coverage, blob opacity and two grating planes, see `Scene::render`.
    let mut scratch = vec![0.0f32; 4 * size * size];
    for (i, img) in images.chunks_exact_mut(len).enumerate() {
        let mut r = rng.fork();
        let scene = Scene::draw(labels[i] as usize, size, &mut r);
        scene.render(&outlines, size, channels, &mut r, &mut scratch, img);
    }

    Dataset::generated(
        images,
        labels,
        [channels, size, size],
        SHAPE_CLASSES.iter().map(|s| s.to_string()).collect(),
    )
}

/// Everything random about one image except its pixel noise.
struct Scene {
    class: usize,
    /// figure centre and bounding radius, in pixels
    cx: f32,
    cy: f32,
    radius: f32,
    /// stretch of the local x and y axes (their product is 1: the area stays the same)
    sx: f32,
    sy: f32,
    /// rotation of the local frame
    cos: f32,
    sin: f32,
    bg: [f32; 3],
    fill: [f32; 3],
    gratings: [Grating; 2],
    noise_std: f32,
    blob: Option<Blob>,
}

/// amplitude[ch] * sin(kx * x + ky * y + phase), x and y in pixels.
struct Grating {
    kx: f32,
    ky: f32,
    phase: f32,
    amplitude: [f32; 3],
}

struct Blob {
    x: f32,
    y: f32,
    /// 1 / (2 sigma²), in pixels⁻²
    inv_two_var: f32,
    alpha: f32,
    colour: [f32; 3],
}

fn luma(c: [f32; 3]) -> f32 {
    c[0] * LUMA[0] + c[1] * LUMA[1] + c[2] * LUMA[2]
}

fn range(r: &mut Rng, (lo, hi): (f32, f32)) -> f32 {
    r.range(lo as f64, hi as f64) as f32
}

fn colour(r: &mut Rng) -> [f32; 3] {
    [r.uniform() as f32, r.uniform() as f32, r.uniform() as f32]
}

impl Scene {
    fn draw(class: usize, size: usize, r: &mut Rng) -> Scene {
        let s = size as f32;
        let radius = s * range(r, RADIUS);
        let stretch = exp(range(r, (-LN_ASPECT, LN_ASPECT))).sqrt();
        // Centre: anywhere that keeps the figure (nearly) inside the frame.
        let lo = (BORDER_RADII * radius).min(s / 2.0);
        let cx = range(r, (lo, s - lo));
        let cy = range(r, (lo, s - lo));
        let angle = range(r, (-ROTATION, ROTATION));

        // Background and fill: a pair of colours far enough apart in luminance, then ordered so
        // that the figure is the lighter one with probability LIGHT_FIGURE_P (the same for every
        // class). The pair is redrawn as a whole: redrawing only the fill could take thousands of
        // tries (or never end) for a mid-grey background, since MIN_CONTRAST is large; a pair takes
        // about 48 tries on average.
        let (bg, fill) = loop {
            let (a, b) = (colour(r), colour(r));
            if (luma(a) - luma(b)).abs() >= MIN_CONTRAST {
                break (a, b);
            }
        };
        let (bg, fill) = if (luma(fill) > luma(bg)) == r.bernoulli(LIGHT_FIGURE_P) {
            (bg, fill)
        } else {
            (fill, bg)
        };

        let gratings = [(); 2].map(|_| {
            let k = TAU / (s * range(r, TEXTURE_PERIOD));
            let (dir_sin, dir_cos) = sin_cos(range(r, (0.0, TAU)));
            Grating {
                kx: k * dir_cos,
                ky: k * dir_sin,
                phase: range(r, (0.0, TAU)),
                amplitude: [(); 3].map(|_| range(r, (-TEXTURE_AMPLITUDE, TEXTURE_AMPLITUDE))),
            }
        });

        let noise_std = range(r, NOISE_STD);
        let blob = r.bernoulli(BLOB_P).then(|| {
            let sigma = s * range(r, BLOB_SIGMA);
            Blob {
                x: range(r, (0.0, s)),
                y: range(r, (0.0, s)),
                inv_two_var: 1.0 / (2.0 * sigma * sigma),
                alpha: range(r, BLOB_ALPHA),
                colour: colour(r),
            }
        });

        let (sin, cos) = sin_cos(angle);
        Scene {
            class,
            cx,
            cy,
            radius,
            sx: stretch,
            sy: 1.0 / stretch,
            cos,
            sin,
            bg,
            fill,
            gratings,
            noise_std,
            blob,
        }
    }

    /// Writes the scene as (channels, size, size) normalised floats into `out`, adding pixel noise
    /// drawn from `r`. `scratch` holds four size*size planes, reused across images.
    ///
    /// Two passes: first the per-pixel weights shared by all channels (figure coverage and blob
    /// opacity, computed only inside their bounding boxes; the two gratings), then each channel
    /// plane in one contiguous sweep.
    fn render(
        &self,
        outlines: &Outlines,
        size: usize,
        channels: usize,
        r: &mut Rng,
        scratch: &mut [f32],
        out: &mut [f32],
    ) {
        let plane = size * size;
        let (cover, rest) = scratch.split_at_mut(plane);
        let (blob, waves) = rest.split_at_mut(plane);
        // Pixel (x, y) covers [x, x+1) × [y, y+1); its centre is (x + 0.5, y + 0.5).
        let pixels_near = |c: f32, reach: f32| {
            let lo = (c - reach - 0.5).floor().max(0.0) as usize;
            let hi = ((c + reach - 0.5).ceil().max(-1.0) + 1.0).min(size as f32) as usize;
            lo..hi.max(lo)
        };

        // Figure coverage. The stretched outline lies within max(sx, sy) bounding radii; pixels
        // farther than that plus one pixel cannot be covered.
        cover.fill(0.0);
        let (inv_sx, inv_sy) = (1.0 / (self.radius * self.sx), 1.0 / (self.radius * self.sy));
        // Local distances shrink by at most min(sx, sy) when mapped back to pixels; using that
        // factor makes edges along the stretched axis very slightly soft, never jagged.
        let to_pixels = self.radius * self.sx.min(self.sy);
        let reach = self.radius * self.sx.max(self.sy) + 1.0;
        for y in pixels_near(self.cy, reach) {
            for x in pixels_near(self.cx, reach) {
                // Image rows grow downwards; the local frame has y up, so "up" in an outline
                // (the arrow's tip, the heart's lobes) is up in an unrotated image.
                let (dx, dy) = (x as f32 + 0.5 - self.cx, self.cy - (y as f32 + 0.5));
                // Into the local frame: rotate by -angle, unstretch, scale the bounding radius to 1.
                let lx = (dx * self.cos + dy * self.sin) * inv_sx;
                let ly = (-dx * self.sin + dy * self.cos) * inv_sy;
                let d_pixels = outlines.sdf(self.class, lx, ly) * to_pixels;
                cover[y * size + x] = (0.5 - d_pixels).clamp(0.0, 1.0);
            }
        }

        // Blob opacity, cut off at 3 sigma (weight below 1.2% of its peak).
        blob.fill(0.0);
        if let Some(b) = &self.blob {
            let reach = (4.5 / b.inv_two_var).sqrt();
            for y in pixels_near(b.y, reach) {
                for x in pixels_near(b.x, reach) {
                    let (dx, dy) = (x as f32 + 0.5 - b.x, y as f32 + 0.5 - b.y);
                    blob[y * size + x] = b.alpha * exp(-(dx * dx + dy * dy) * b.inv_two_var);
                }
            }
        }

        // Gratings are separable: sin(kx x + ky y + phase) = sin(kx x) cos(ky y + phase)
        // + cos(kx x) sin(ky y + phase), so 2 * size sin/cos pairs per grating give the whole
        // plane, and the per-pixel work is two independent multiply-adds.
        let (mut col, mut row) = (vec![(0.0f32, 0.0f32); size], vec![(0.0f32, 0.0f32); size]);
        for (g, wave) in self.gratings.iter().zip(waves.chunks_exact_mut(plane)) {
            for (i, (c, r)) in col.iter_mut().zip(row.iter_mut()).enumerate() {
                let t = i as f32 + 0.5;
                *c = sin_cos(g.kx * t);
                *r = sin_cos(g.ky * t + g.phase);
            }
            for (&(row_sin, row_cos), wave_row) in row.iter().zip(wave.chunks_exact_mut(size)) {
                for (&(col_sin, col_cos), v) in col.iter().zip(wave_row) {
                    *v = col_sin * row_cos + col_cos * row_sin;
                }
            }
        }
        let (wave0, wave1) = waves.split_at(plane);

        let pick = |c: [f32; 3]| -> [f32; 3] {
            if channels == 1 {
                [luma(c); 3]
            } else {
                c
            }
        };
        let (bg, fill) = (pick(self.bg), pick(self.fill));
        let (amp0, amp1) = (pick(self.gratings[0].amplitude), pick(self.gratings[1].amplitude));
        let blob_colour = pick(self.blob.as_ref().map_or([0.0; 3], |b| b.colour));
        // Uniform noise on [-a, a] has std a/sqrt(3); 16 random bits per pixel are plenty, so one
        // 64-bit draw serves four pixels.
        let noise_amp = self.noise_std * 3f32.sqrt();
        let mut noise = SplitMix64(r.inner().next_u64());

        for (ch, out) in out.chunks_exact_mut(plane).enumerate() {
            for (p0, out) in (0..plane).step_by(4).zip(out.chunks_mut(4)) {
                let mut bits = noise.next();
                for (k, o) in out.iter_mut().enumerate() {
                    let p = p0 + k;
                    let back = bg[ch] + amp0[ch] * wave0[p] + amp1[ch] * wave1[p];
                    let mut v = back + (fill[ch] - back) * cover[p];
                    v += (blob_colour[ch] - v) * blob[p];
                    let u = (bits & 0xffff) as f32 * (1.0 / 65535.0);
                    bits >>= 16;
                    v += noise_amp * (2.0 * u - 1.0);
                    *o = normalise(v.clamp(0.0, 1.0));
                }
            }
        }
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014), used only for pixel noise. The run's PCG64 needs a
/// 128-bit multiply per draw, which wasm emulates; one PCG64 draw per image seeds this 64-bit
/// generator instead, which is plenty for noise that only has to look like noise and keeps a
/// 5,000-image set well under the start-up budget.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Local-frame outlines of the ten classes, y up. Each fits inside the unit circle, has the local
/// y axis as a mirror axis (so a horizontal flip of an upright figure is the same figure, and of a
/// rotated one is the figure rotated the other way, which is just as likely), and covers about the
/// same area (1.3 to 1.4; see the test), so that the amount of figure colour in an image says
/// little about the class.
struct Outlines {
    triangle: Vec<[f32; 2]>,
    star: Vec<[f32; 2]>,
    arrow: Vec<[f32; 2]>,
    bowtie: Vec<[f32; 2]>,
    heart_tip: Vec<[f32; 2]>,
}

impl Outlines {
    fn new() -> Outlines {
        // Regular polygon / star vertices, first vertex pointing up (+y).
        let ring = |k: usize, radius: &dyn Fn(usize) -> f32| -> Vec<[f32; 2]> {
            (0..k)
                .map(|i| {
                    let (sin, cos) = sin_cos(PI / 2.0 + TAU * i as f32 / k as f32);
                    [radius(i) * cos, radius(i) * sin]
                })
                .collect()
        };
        Outlines {
            // Equilateral, as large as the unit circle allows (a triangle covers little of it).
            triangle: ring(3, &|_| 1.0),
            // Five points; inner radius 0.46 keeps the arms thick enough to survive 28×28.
            star: ring(10, &|i| if i % 2 == 0 { 1.0 } else { 0.46 }),
            // Pointing up: a shaft and a wide head.
            arrow: vec![
                [-0.3, -0.95],
                [0.3, -0.95],
                [0.3, 0.0],
                [0.8, 0.0],
                [0.0, 0.95],
                [-0.8, 0.0],
                [-0.3, 0.0],
            ],
            // Two triangles, point to point, side by side.
            bowtie: vec![
                [-0.81, -0.58],
                [0.0, -0.25],
                [0.81, -0.58],
                [0.81, 0.58],
                [0.0, 0.25],
                [-0.81, 0.58],
            ],
            // Lower point of the heart; two discs make the lobes.
            heart_tip: vec![[-0.672, 0.25], [0.0, -0.733], [0.672, 0.25]],
        }
    }

    /// Signed distance (negative inside) from local point (x, y) to the outline of `class`.
    fn sdf(&self, class: usize, x: f32, y: f32) -> f32 {
        match class {
            0 => circle(x, y, 0.0, 0.0, 0.655),
            1 => rect(x, y, 0.58, 0.58),
            2 => polygon(x, y, &self.triangle),
            3 => rect(x, y, 0.21, 0.9).min(rect(x, y, 0.9, 0.21)),
            4 => circle(x, y, 0.0, 0.0, 0.65).abs() - 0.165,
            5 => polygon(x, y, &self.star),
            // A disc with a bite taken from its top: a bowl-shaped crescent.
            6 => circle(x, y, 0.0, -0.02, 0.95).max(-circle(x, y, 0.0, 0.42, 0.75)),
            7 => polygon(x, y, &self.arrow),
            8 => polygon(x, y, &self.bowtie),
            9 => circle(x, y, -0.345, 0.32, 0.414)
                .min(circle(x, y, 0.345, 0.32, 0.414))
                .min(polygon(x, y, &self.heart_tip)),
            _ => unreachable!("shape class {class}"),
        }
    }
}

// Platform-independent sin, cos and exp. `f32::sin_cos` and `f32::exp` call the platform's libm,
// whose last bits differ between the native build (glibc) and the wasm build, so the same seed
// would render slightly different images in the tests and on the page. These use only IEEE
// +, -, *, / and round in f64, which give the same bits everywhere, and are accurate to ~1e-14,
// far below f32 resolution (the test checks them against std).

/// (sin x, cos x), for |x| up to a few thousand.
fn sin_cos(x: f32) -> (f32, f32) {
    use std::f64::consts::{FRAC_2_PI, FRAC_PI_2};
    let x = x as f64;
    // x = k π/2 + r with |r| ≤ π/4; then Taylor series to r^13 and r^12: error < (π/4)^14/14!.
    let k = (x * FRAC_2_PI).round();
    let r = x - k * FRAC_PI_2;
    let r2 = r * r;
    let s = r
        * (1.0
            + r2 * (-1.0 / 6.0
                + r2 * (1.0 / 120.0
                    + r2 * (-1.0 / 5040.0
                        + r2 * (1.0 / 362_880.0
                            + r2 * (-1.0 / 39_916_800.0 + r2 * (1.0 / 6_227_020_800.0)))))));
    let c = 1.0
        + r2 * (-0.5
            + r2 * (1.0 / 24.0
                + r2 * (-1.0 / 720.0
                    + r2 * (1.0 / 40_320.0 + r2 * (-1.0 / 3_628_800.0 + r2 * (1.0 / 479_001_600.0))))));
    let (s, c) = match (k as i64).rem_euclid(4) {
        0 => (s, c),
        1 => (c, -s),
        2 => (-s, -c),
        _ => (-c, s),
    };
    (s as f32, c as f32)
}

/// e^x, for |x| < 700.
fn exp(x: f32) -> f32 {
    use std::f64::consts::{LN_2, LOG2_E};
    let x = x as f64;
    // x = k ln 2 + r with |r| ≤ ln(2)/2; e^r by Taylor series to r^12 (error < 0.35^13/13!), and
    // 2^k built directly from its exponent bits.
    let k = (x * LOG2_E).round();
    let r = x - k * LN_2;
    let (mut sum, mut term) = (1.0f64, 1.0f64);
    for i in 1..=12 {
        term *= r / i as f64;
        sum += term;
    }
    (sum * f64::from_bits(((k as i64 + 1023) as u64) << 52)) as f32
}

fn circle(x: f32, y: f32, cx: f32, cy: f32, r: f32) -> f32 {
    ((x - cx) * (x - cx) + (y - cy) * (y - cy)).sqrt() - r
}

/// Axis-aligned rectangle with half-extents (hx, hy), centred at the origin.
fn rect(x: f32, y: f32, hx: f32, hy: f32) -> f32 {
    let (qx, qy) = (x.abs() - hx, y.abs() - hy);
    let outside = (qx.max(0.0) * qx.max(0.0) + qy.max(0.0) * qy.max(0.0)).sqrt();
    outside + qx.max(qy).min(0.0)
}

/// Simple polygon: distance to the nearest edge, negative inside (even–odd crossing rule).
fn polygon(x: f32, y: f32, v: &[[f32; 2]]) -> f32 {
    let mut d2 = f32::MAX;
    let mut inside = false;
    let mut a = v[v.len() - 1];
    for &b in v {
        let (ex, ey) = (b[0] - a[0], b[1] - a[1]);
        let (wx, wy) = (x - a[0], y - a[1]);
        let t = ((wx * ex + wy * ey) / (ex * ex + ey * ey)).clamp(0.0, 1.0);
        let (qx, qy) = (wx - ex * t, wy - ey * t);
        d2 = d2.min(qx * qx + qy * qy);
        // Does the horizontal ray from (x, y) towards +x cross edge a→b?
        if (a[1] > y) != (b[1] > y) && x < a[0] + ex * (y - a[1]) / ey {
            inside = !inside;
        }
        a = b;
    }
    if inside {
        -d2.sqrt()
    } else {
        d2.sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The renderer skips the SDF outside radius + 1 pixel, which is only right if every outline
    /// lies within the unit circle; and every outline must actually contain its centre region.
    #[test]
    fn outlines_fit_in_the_unit_circle() {
        let o = Outlines::new();
        for (class, name) in SHAPE_CLASSES.iter().enumerate() {
            let mut area = 0;
            for i in 0..200 {
                for j in 0..200 {
                    let (x, y) = (-1.2 + 2.4 * i as f32 / 199.0, -1.2 + 2.4 * j as f32 / 199.0);
                    if o.sdf(class, x, y) < 0.0 {
                        area += 1;
                        assert!(x * x + y * y <= 1.0 + 1e-4, "{} pokes out at ({x}, {y})", name);
                    }
                }
            }
            assert!(area > 2000, "{} is too thin: {area}", name);
        }
    }

    #[test]
    fn portable_transcendentals_match_std() {
        assert!((LN_ASPECT - 1.25f32.ln()).abs() < 1e-7);
        for i in -2000..=2000 {
            let x = i as f32 * 0.0517;
            let (s, c) = sin_cos(x);
            assert!(
                (s - x.sin()).abs() < 2e-7 && (c - x.cos()).abs() < 2e-7,
                "sin_cos({x}) = ({s}, {c})"
            );
            let y = i as f32 * 0.005;
            let e = exp(y);
            assert!(
                (e - y.exp()).abs() <= 2e-7 * y.exp(),
                "exp({y}) = {e}, std {}",
                y.exp()
            );
        }
    }

    /// Outline areas stay close, so fixed-polarity images would not leak the class through the
    /// amount of figure colour, and every figure is mirror-symmetric about the local y axis.
    #[test]
    fn outlines_have_similar_areas_and_a_mirror_axis() {
        let o = Outlines::new();
        let n = 400;
        let cell = (2.0 / n as f32) * (2.0 / n as f32);
        let mut areas = Vec::new();
        for (class, name) in SHAPE_CLASSES.iter().enumerate() {
            let mut area = 0.0;
            for i in 0..n {
                for j in 0..n {
                    let (x, y) = (
                        -1.0 + 2.0 * (i as f32 + 0.5) / n as f32,
                        -1.0 + 2.0 * (j as f32 + 0.5) / n as f32,
                    );
                    let d = o.sdf(class, x, y);
                    if d < 0.0 {
                        area += cell;
                    }
                    assert!(
                        (d - o.sdf(class, -x, y)).abs() < 1e-4,
                        "{name} is not mirror-symmetric at ({x}, {y})"
                    );
                }
            }
            areas.push(area);
        }
        eprintln!("areas {areas:.3?}");
        assert!(areas.iter().all(|a| (1.28..1.40).contains(a)), "areas {areas:?}");
    }
}
