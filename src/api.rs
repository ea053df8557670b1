//! The only wasm-aware file: a `Trainer` handle around `Session` for JavaScript.
//!
//! The boundary is narrow: a config object in, small report objects out, and weights or
//! activations as copied `Float32Array`s on demand. Every failure crosses as a `JsError` whose
//! message names the field and value; nothing here panics on bad input.

use crate::config::Config;
use crate::confusion::WrongPrediction;
use crate::data::cifar::CIFAR_RECORD_LEN;
use crate::data::error::{DataError, Place};
use crate::data::idx::check_file_size;
use crate::data::limits::Limits;
use crate::data::{LoadedData, Split};
use crate::diagnostics;
use crate::kernels;
use crate::lab::init_lab::{run_init_lab, InitLabConfig};
use crate::lab::lr_finder::LrFinderConfig;
use crate::session::{Session, STATE_VERSION};
use crate::Rng;
use js_sys::{ArrayBuffer, Float32Array, Reflect, Uint8Array};
use serde::Serialize;
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};
use std::sync::Mutex;
use wasm_bindgen::prelude::*;

mod checkpoint;
pub mod ensemble;
mod export;
mod search;
mod transfer;

#[wasm_bindgen]
pub struct Trainer {
    session: Session,
}

/// A loaded data set, shared by every `Trainer` built with it (the pixels are not copied).
#[wasm_bindgen]
pub struct Data {
    data: Rc<LoadedData>,
    id: u32,
}

thread_local! {
    /// Every live `Data` by its id. A `Trainer` is given a Data as a plain JsValue and finds it
    /// here: wasm-bindgen passes an optional class argument only by value, which would empty the
    /// page's handle after the first trainer, and the worker keeps one Data for all its runs.
    static LOADED: RefCell<HashMap<u32, Weak<LoadedData>>> = RefCell::new(HashMap::new());
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
}

impl Data {
    fn register(data: LoadedData) -> Data {
        let data = Rc::new(data);
        let id = NEXT_ID.with(|n| {
            let id = n.get();
            n.set(id.wrapping_add(1).max(1));
            id
        });
        LOADED.with(|m| m.borrow_mut().insert(id, Rc::downgrade(&data)));
        Data { data, id }
    }

    /// The set a JS value names: undefined/null → None; a live `Data` → its set.
    fn from_js(value: &JsValue) -> Result<Option<Rc<LoadedData>>, JsError> {
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        let expected = "data: expected a Data from Data.fromIdx, fromCifar or fromPixels";
        let id = Reflect::get(value, &JsValue::from_str("id"))
            .ok()
            .and_then(|v| v.as_f64())
            .ok_or_else(|| JsError::new(expected))?;
        LOADED
            .with(|m| m.borrow().get(&(id as u32)).and_then(Weak::upgrade))
            .map(Some)
            .ok_or_else(|| JsError::new(&format!("{expected} (this one was freed)")))
    }
}

impl Drop for Data {
    fn drop(&mut self) {
        LOADED.with(|m| m.borrow_mut().remove(&self.id));
    }
}

fn data_error(e: DataError) -> JsError {
    JsError::new(&e.to_string())
}

/// A JS string array (`string[]`) as class names.
fn string_list(value: &JsValue, what: &str) -> Result<Vec<String>, JsError> {
    let array = value
        .dyn_ref::<js_sys::Array>()
        .ok_or_else(|| JsError::new(&format!("{what}: expected an array of strings")))?;
    array
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_string()
                .ok_or_else(|| JsError::new(&format!("{what}[{i}]: expected a string")))
        })
        .collect()
}

/// Copies a JS byte array into this module's memory, refusing one over the size limit before the
/// copy (wasm memory never shrinks: a 2 GB file must not get in first).
fn bytes_in(array: &Uint8Array, file: &str, limits: &Limits) -> Result<Vec<u8>, JsError> {
    check_file_size(file, array.length() as usize, limits).map_err(data_error)?;
    Ok(array.to_vec())
}

fn split(val_fraction: f64, seed: f64) -> Split {
    Split {
        val_fraction,
        // A JS number: any integer up to 2^53 is a seed; fractions and negatives are cut to u64.
        seed: seed as u64,
    }
}

#[wasm_bindgen]
impl Data {
    /// MNIST-format IDX files (raw bytes, already gunzipped): a training pair and an optional
    /// validation pair; without one, `valFraction` of each class goes to validation, chosen by
    /// `seed`. Labels must lie below `classNames.length`.
    #[wasm_bindgen(js_name = fromIdx)]
    #[allow(clippy::too_many_arguments)]
    pub fn from_idx(
        name: &str,
        train_images: Uint8Array,
        train_labels: Uint8Array,
        val_images: Option<Uint8Array>,
        val_labels: Option<Uint8Array>,
        class_names: JsValue,
        val_fraction: f64,
        seed: f64,
    ) -> Result<Data, JsError> {
        let class_names = string_list(&class_names, "classNames")?;
        let limits = Limits::default();
        let files = [
            format!("{name} training images"),
            format!("{name} training labels"),
            format!("{name} validation images"),
            format!("{name} validation labels"),
        ];
        let val = match (val_images, val_labels) {
            (Some(images), Some(labels)) => Some((
                bytes_in(&images, &files[2], &limits)?,
                bytes_in(&labels, &files[3], &limits)?,
            )),
            (None, None) => None,
            _ => {
                return Err(JsError::new(
                    "fromIdx: give both validation images and labels, or neither",
                ))
            }
        };
        let train_labels = bytes_in(&train_labels, &files[1], &limits)?;
        let train = (
            (
                files[0].as_str(),
                Cow::Owned(bytes_in(&train_images, &files[0], &limits)?),
            ),
            (files[1].as_str(), train_labels.as_slice()),
        );
        let val = val.as_ref().map(|(images, labels)| {
            (
                (files[2].as_str(), Cow::Borrowed(images.as_slice())),
                (files[3].as_str(), labels.as_slice()),
            )
        });
        let data =
            LoadedData::from_idx_files(name, train, val, class_names, split(val_fraction, seed), &limits)
                .map_err(data_error)?;
        Ok(Data::register(data))
    }

    /// CIFAR-10 binary batches `[{ name, bytes: Uint8Array }]`: `test_batch.bin` is the validation
    /// part, every `data_batch_N.bin` training data; `metaText` is `batches.meta.txt` (or null for
    /// CIFAR-10's names). Without a test batch, `valFraction` (default 0.1) of each class goes to
    /// validation, chosen by `seed` (default 0).
    #[wasm_bindgen(js_name = fromCifar)]
    pub fn from_cifar(
        name: &str,
        files: JsValue,
        meta_text: Option<String>,
        val_fraction: Option<f64>,
        seed: Option<f64>,
    ) -> Result<Data, JsError> {
        let limits = Limits::default();
        let list = files
            .dyn_ref::<js_sys::Array>()
            .ok_or_else(|| JsError::new("fromCifar: files must be an array of { name, bytes }"))?;
        let mut arrays: Vec<(String, Uint8Array)> = Vec::with_capacity(list.length() as usize);
        let mut records = 0;
        for (i, file) in list.iter().enumerate() {
            let field = |key: &str| Reflect::get(&file, &JsValue::from_str(key)).ok();
            let file_name = field("name")
                .and_then(|v| v.as_string())
                .ok_or_else(|| JsError::new(&format!("fromCifar: files[{i}].name must be a string")))?;
            let bytes = field("bytes")
                .and_then(|v| v.dyn_into::<Uint8Array>().ok())
                .ok_or_else(|| {
                    JsError::new(&format!(
                        "fromCifar: files[{i}] ({file_name}).bytes must be a Uint8Array"
                    ))
                })?;
            // Sizes before any copy into this module's memory: a 2 GB file is refused, not copied.
            check_file_size(&file_name, bytes.length() as usize, &limits).map_err(data_error)?;
            records += bytes.length() as usize / CIFAR_RECORD_LEN;
            if records > limits.max_images {
                let message = format!(
                    "the batches up to this one hold {records} records, more than the limit of {} images",
                    limits.max_images
                );
                return Err(data_error(DataError::new(&file_name, Place::Whole, message)));
            }
            arrays.push((file_name, bytes));
        }
        let owned: Vec<(String, Vec<u8>)> = arrays.into_iter().map(|(n, b)| (n, b.to_vec())).collect();
        let borrowed: Vec<(&str, &[u8])> = owned.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
        let defaults = Split::default();
        let data = LoadedData::from_cifar(
            name,
            &borrowed,
            meta_text.as_deref().map(|t| ("batches.meta.txt", t.as_bytes())),
            split(val_fraction.unwrap_or(defaults.val_fraction), seed.unwrap_or(0.0)),
            &limits,
        )
        .map_err(data_error)?;
        Ok(Data::register(data))
    }

    /// Images the page decoded: `pixels` holds `labels.length` images of c×h×w bytes each,
    /// channel-planar (all R, then all G, then all B; c is 1 or 3). `valFraction` of each class goes
    /// to validation, chosen by `seed`.
    #[wasm_bindgen(js_name = fromPixels)]
    #[allow(clippy::too_many_arguments)]
    pub fn from_pixels(
        name: &str,
        pixels: Uint8Array,
        labels: Uint8Array,
        c: usize,
        h: usize,
        w: usize,
        class_names: JsValue,
        val_fraction: f64,
        seed: f64,
    ) -> Result<Data, JsError> {
        let class_names = string_list(&class_names, "classNames")?;
        let limits = Limits::default();
        let pixels = bytes_in(&pixels, &format!("{name} pixels"), &limits)?;
        let labels = bytes_in(&labels, &format!("{name} labels"), &limits)?;
        let data = LoadedData::from_pixels(
            name,
            &pixels,
            &labels,
            [c, h, w],
            class_names,
            split(val_fraction, seed),
            &limits,
        )
        .map_err(data_error)?;
        Ok(Data::register(data))
    }

    /// The name a config's `dataset` must give to train on this set.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.data.name.clone()
    }

    /// Identifies this set to `new Trainer(config, data)` (see `LOADED`).
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> u32 {
        self.id
    }

    /// `{ name, classNames, shape: [c, h, w], train, val, trainCounts, valCounts, mean, std,
    /// samples: [{ rgba: Uint8Array, width, height, label }] }`: up to 8 training images of each
    /// class, class by class; `label` is the class index; mean and std per channel, of the training
    /// split, in intensities (byte / 255).
    pub fn summary(&self) -> Result<JsValue, JsError> {
        to_js(&self.data.summary())
    }
}

/// `step(n)`'s report: the last step's numbers plus every step's loss for the scatter plot.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StepsReport {
    step: u64,
    loss: f64,
    losses: Vec<f64>,
    accuracy: f64,
    lr: f64,
    epoch: u64,
    images_per_second: f64,
    /// Set when a loss in this batch diverged (NaN, infinite or exploded): the step stopped there.
    diverged: Option<Divergence>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Divergence {
    step: u64,
    /// "became NaN", "became infinite" or "exploded to 1.4e8".
    what: String,
}

/// A cell's images for `cellImages`.
#[derive(Serialize)]
struct CellImages {
    step: Option<u64>,
    images: Vec<WrongPrediction>,
}

/// Where a run stands after `importState`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Restored {
    step: u64,
    epoch: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LayerInfo {
    index: usize,
    kind: &'static str,
    output_shape: [usize; 3],
    params: usize,
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    // NaN losses must reach the page as NaN (not null) so it can say the run diverged.
    value
        .serialize(&serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true))
        .map_err(|e| JsError::new(&e.to_string()))
}

/// A JS value as JSON (undefined → null), so serde sees every field and can reject unknown ones. A
/// NaN or infinite number is named with its path ("learningRate: must be a finite number, got NaN")
/// instead of becoming null, and a too-deep nesting is refused before anything recurses over it.
fn js_to_json(value: JsValue, what: &str) -> Result<serde_json::Value, JsError> {
    if value.is_undefined() {
        return Ok(serde_json::Value::Null);
    }
    crate::config::plain_json(serde_wasm_bindgen::Deserializer::from(value))
        .map_err(|e| JsError::new(&format!("{what}: {e}")))
}

/// The last panic's "panicked at file:line:column: message", kept for `lastPanic`.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Runs when the module is instantiated.
#[wasm_bindgen(start)]
fn start() {
    // In the threaded build every pool worker instantiates the module too; one hook is enough.
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(install_panic_hook);
}

/// The threaded build's pool: `await initThreadPool(n)` once, before the first `Trainer`
/// (wasm-bindgen-rayon: n module Web Workers sharing this module's memory).
#[cfg(all(feature = "threads", target_arch = "wasm32"))]
pub use wasm_bindgen_rayon::init_thread_pool;

/// Which build of the module this is, for the page's header and the benchmark.
#[derive(Serialize)]
struct BuildInfo {
    /// "threads", "relaxed-simd", "simd128", "wasm" (no SIMD) or "native"
    build: &'static str,
    /// The kernel family (`kernels::backend()`: natively it names the CPU features too).
    backend: &'static str,
    /// Threads a training step may use: the pool's size, 1 without the feature.
    threads: usize,
}

fn build_info_value() -> BuildInfo {
    let build = if cfg!(feature = "threads") && cfg!(target_arch = "wasm32") {
        "threads"
    } else if cfg!(target_feature = "relaxed-simd") {
        "relaxed-simd"
    } else if cfg!(target_feature = "simd128") {
        "simd128"
    } else if cfg!(target_arch = "wasm32") {
        "wasm"
    } else {
        "native"
    };
    BuildInfo {
        build,
        backend: kernels::backend(),
        threads: crate::parallel::threads(),
    }
}

/// `{ build, backend, threads }`: which of the builds runs (see docs/CONTRACT.md, issue 13).
#[wasm_bindgen(js_name = buildInfo)]
pub fn build_info() -> Result<JsValue, JsError> {
    to_js(&build_info_value())
}

/// Makes every later panic record its message and location (for `lastPanic`) and log them with
/// console.error, before the abort that reaches JavaScript as a bare "RuntimeError: unreachable".
/// Hand-written rather than console_error_panic_hook, which only logs: the worker needs the text
/// back to say what went wrong. The hook before it still runs (the test harness keeps its own).
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload_as_str()
            .unwrap_or("(a panic without a text message)");
        let text = match info.location() {
            Some(at) => format!(
                "panicked at {}:{}:{}: {message}",
                at.file(),
                at.line(),
                at.column()
            ),
            None => format!("panicked: {message}"),
        };
        web_sys::console::error_1(&JsValue::from_str(&text));
        // A panic while the lock is held elsewhere cannot happen (nothing panics under it), but a
        // poisoned lock must not stop the record either.
        *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some(text);
        previous(info);
    }));
}

/// The last panic of this module instance ("panicked at src/session.rs:120:9: …"), or
/// `undefined` if none: read it after catching a `WebAssembly.RuntimeError` from a call.
#[wasm_bindgen(js_name = lastPanic)]
pub fn last_panic() -> Option<String> {
    LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// The lecture's initialization experiment (a deep MLP on random inputs):
/// `{ scheme: "small"|"xavier"|"large"|"kaiming"|"custom", std?, activation: "tanh"|"relu", width, batch, layers, bins }`
/// → per-layer mean, std, saturation and histogram.
#[wasm_bindgen(js_name = initLab)]
pub fn init_lab(config: JsValue, seed: u32) -> Result<JsValue, JsError> {
    let config = InitLabConfig::from_value(js_to_json(config, "initLab")?).map_err(|e| JsError::new(&e.0))?;
    to_js(&run_init_lab(&config, &mut Rng::new(seed as u64)).map_err(|e| JsError::new(&e.0))?)
}

/// f(x) and f'(x) of every activation on [−5, 5], with the lecture's notes.
#[wasm_bindgen(js_name = activationCurves)]
pub fn activation_curves(points: usize) -> Result<JsValue, JsError> {
    to_js(&crate::lab::activation_curves::activation_curves(points, 1.0).map_err(|e| JsError::new(&e.0))?)
}

/// Milliseconds from the global `performance` clock (window or worker); the core itself never
/// reads a clock, so timing lives here.
fn now_ms() -> f64 {
    let performance = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("performance")).ok();
    let now = performance
        .as_ref()
        .and_then(|p| js_sys::Reflect::get(p, &JsValue::from_str("now")).ok());
    match (
        performance,
        now.and_then(|f| f.dyn_into::<js_sys::Function>().ok()),
    ) {
        (Some(p), Some(f)) => f
            .call0(&p)
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or_else(js_sys::Date::now),
        _ => js_sys::Date::now(),
    }
}

#[wasm_bindgen]
impl Trainer {
    /// Builds a run from a config object (every field optional; see docs/CONTRACT.md) and, for a
    /// loaded `dataset`, the `Data` of that name (not needed, and not used, for "shapes" and
    /// "noise"). The data stays usable: trainers share it.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, data: JsValue) -> Result<Trainer, JsError> {
        let config = Config::from_value(js_to_json(config, "config")?).map_err(|e| JsError::new(&e.0))?;
        let session = Session::with_data(config, Data::from_js(&data)?).map_err(|e| JsError::new(&e.0))?;
        Ok(Trainer { session })
    }

    /// Takes `n` training steps (at least one) and reports on them. Stops early at the first
    /// diverged loss and names it in `diverged`, so the page can pause on that exact step.
    pub fn step(&mut self, n: u32) -> Result<JsValue, JsError> {
        let n = n.max(1);
        let start = now_ms();
        let classes = self.session.train.classes;
        let mut losses = Vec::with_capacity(n as usize);
        let mut last = None;
        let mut diverged = None;
        for _ in 0..n {
            let r = self.session.step();
            losses.push(r.loss);
            if diagnostics::is_diverged(r.loss, classes) {
                diverged = Some(Divergence {
                    step: r.step,
                    what: diagnostics::describe_divergence(r.loss),
                });
            }
            last = Some(r);
            if diverged.is_some() {
                break;
            }
        }
        let elapsed_s = (now_ms() - start) / 1000.0;
        let r = last.expect("n ≥ 1");
        let images = losses.len() as f64 * self.session.config.batch_size as f64;
        to_js(&StepsReport {
            step: r.step,
            loss: r.loss,
            losses,
            accuracy: r.accuracy,
            lr: r.lr,
            epoch: r.epoch,
            images_per_second: if elapsed_s > 0.0 { images / elapsed_s } else { 0.0 },
            diverged,
        })
    }

    /// Validation and training-subset accuracy and loss, in eval mode, with the validation set's
    /// calibration (`valConfidence`, `valEce`, `reliability`). The whole evaluation in one call: a
    /// worker that must stay responsive uses `evaluateSlice`.
    pub fn evaluate(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.session.evaluate())
    }

    /// At most `maxImages` forward images of evaluation (TTA views and fractional-pooling passes
    /// count; at least one chunk of ≤ 64 so every call progresses); the EvalReport once the
    /// evaluation is complete, `undefined` before. A `step` in between abandons it.
    #[wasm_bindgen(js_name = evaluateSlice)]
    pub fn evaluate_slice(&mut self, max_images: usize) -> Result<JsValue, JsError> {
        match self.session.evaluate_slice(max_images) {
            Some(report) => to_js(&report),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// `{ step, images }`: the images the last finished evaluation (at `step`) kept of the
    /// confusion matrix's cell (true class `t`, predicted `p`), each `{ index, trueClass, predicted,
    /// probability, width, height, rgb }` like `mostWrong`: off the diagonal the most confidently
    /// wrong ones, on it the least confident right ones. `step` is undefined and `images` empty
    /// before the first evaluation. Throws an Error naming the classes when one is not the run's.
    #[wasm_bindgen(js_name = cellImages)]
    pub fn cell_images(&self, t: usize, p: usize) -> Result<JsValue, JsError> {
        let images = self.session.cell_images(t, p).map_err(|e| JsError::new(&e))?;
        to_js(&CellImages {
            step: self.session.cell_images_step(),
            images,
        })
    }

    /// `{ done, total }` forward images of the unfinished evaluation, or `undefined` when none is
    /// under way.
    #[wasm_bindgen(js_name = evaluationProgress)]
    pub fn evaluation_progress(&self) -> Result<JsValue, JsError> {
        match self.session.evaluation_progress() {
            Some(progress) => to_js(&progress),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// The kernel family compiled into this module, e.g. "wasm simd128".
    pub fn backend(&self) -> String {
        kernels::backend().to_string()
    }

    /// The effective config, defaults filled in.
    pub fn config(&self) -> Result<JsValue, JsError> {
        to_js(&self.session.config)
    }

    /// One entry per layer: index, kind, per-sample output shape [C, H, W], parameter count.
    pub fn layers(&self) -> Result<JsValue, JsError> {
        let info: Vec<LayerInfo> = self
            .session
            .model
            .layers
            .iter()
            .enumerate()
            .map(|(index, l)| LayerInfo {
                index,
                kind: l.kind(),
                output_shape: l.output_shape(),
                params: l.param_count(),
            })
            .collect();
        to_js(&info)
    }

    fn layer_index(&self, i: usize) -> Result<usize, JsError> {
        let count = self.session.model.layers.len();
        if i < count {
            Ok(i)
        } else {
            Err(JsError::new(&format!(
                "layer index: must be below {count}, got {i}"
            )))
        }
    }

    /// A copy of layer `i`'s weights (empty for layers without weights).
    pub fn weights(&self, i: usize) -> Result<Float32Array, JsError> {
        let i = self.layer_index(i)?;
        Ok(Float32Array::from(self.session.model.layers[i].weights()))
    }

    /// A copy of layer `i`'s output for the first image of the last forward pass (empty before any).
    pub fn activations(&self, i: usize) -> Result<Float32Array, JsError> {
        let i = self.layer_index(i)?;
        let act = self.session.model.activation(i);
        Ok(if act.is_empty() {
            Float32Array::new_with_length(0)
        } else {
            Float32Array::from(act.sample(0))
        })
    }

    /// Up to `count` images of the last training batch as the network saw them (after augmentation
    /// and mixing): `{ mix, lambda, images: [{ rgba: number[], width, height, label: [[class, weight], ...] }] }`.
    pub fn preview(&self, count: usize) -> Result<JsValue, JsError> {
        to_js(&self.session.preview(count))
    }

    /// Replaces the learning-rate schedule from the next step on, keeping the run (e.g. while paused).
    #[wasm_bindgen(js_name = setSchedule)]
    pub fn set_schedule(&mut self, schedule: JsValue) -> Result<(), JsError> {
        let schedule = serde_path_to_error::deserialize(js_to_json(schedule, "schedule")?).map_err(|e| {
            JsError::new(&crate::config::path_message(
                &format!("schedule.{}", e.path()),
                &e.inner().to_string(),
            ))
        })?;
        self.session
            .set_schedule(schedule)
            .map_err(|e| JsError::new(&e.0))
    }

    /// The schedule's learning rate at evenly spaced steps up to `steps` (to draw before training):
    /// `[[step, lr], ...]`.
    #[wasm_bindgen(js_name = scheduleCurve)]
    pub fn schedule_curve(&self, steps: u64, points: usize) -> Result<JsValue, JsError> {
        to_js(&self.session.config.schedule.curve(
            self.session.learning_rate(),
            steps,
            points.clamp(2, 10_000),
        ))
    }

    /// Learning-rate finder (lecture, step 3) on a fresh copy of this run: `{ lrMin, lrMax,
    /// iterations, smoothing, divergence }` (all optional) → `{ points, suggestedLr, ... }`.
    #[wasm_bindgen(js_name = findLearningRate)]
    pub fn find_learning_rate(&self, config: JsValue) -> Result<JsValue, JsError> {
        let config =
            LrFinderConfig::from_value(js_to_json(config, "lrFinder")?).map_err(|e| JsError::new(&e.0))?;
        to_js(
            &self
                .session
                .find_learning_rate(&config)
                .map_err(|e| JsError::new(&e.0))?,
        )
    }

    /// ‖ΔW‖/‖W‖ of the last step for every weight tensor, in model order (lecture: want ~1e-3).
    #[wasm_bindgen(js_name = updateRatios)]
    pub fn update_ratios(&self) -> Vec<f64> {
        self.session.update_ratios().to_vec()
    }

    /// Puts back the parameters of the best evaluation so far (early stopping); false if none yet.
    #[wasm_bindgen(js_name = restoreBest)]
    pub fn restore_best(&mut self) -> bool {
        self.session.restore_best()
    }

    /// What the curves say so far (lecture, step 6): `[{ finding, message }]`. Pass the last
    /// evaluation's `trainAccuracy` and `valAccuracy` (or nothing) to include the gap rules.
    pub fn diagnose(
        &self,
        train_accuracy: Option<f64>,
        val_accuracy: Option<f64>,
    ) -> Result<JsValue, JsError> {
        to_js(&self.session.diagnose(train_accuracy.zip(val_accuracy)))
    }

    #[wasm_bindgen(js_name = classNames)]
    pub fn class_names(&self) -> Vec<String> {
        self.session.train.class_names.clone()
    }

    /// The run's training state, to be stored (IndexedDB) and given to `importState` of a Trainer
    /// built from the same config: `{ version, step, epoch, data: Uint8Array }`. `data` holds
    /// everything (see src/session/state.rs); the other fields are for display. Changes nothing.
    #[wasm_bindgen(js_name = exportState)]
    pub fn export_state(&mut self) -> Result<JsValue, JsError> {
        let data = Uint8Array::from(self.session.export_state().as_slice());
        let out = js_sys::Object::new();
        for (key, value) in [
            ("version", JsValue::from(STATE_VERSION)),
            ("step", JsValue::from(self.session.steps_taken() as f64)),
            ("epoch", JsValue::from(self.session.epoch() as f64)),
            ("data", data.into()),
        ] {
            Reflect::set(&out, &JsValue::from_str(key), &value)
                .map_err(|_| JsError::new("exportState: could not build the result object"))?;
        }
        Ok(out.into())
    }

    /// Puts a state from `exportState` into this run (an object with `data`, or the bytes
    /// themselves as a Uint8Array or ArrayBuffer) → `{ step, epoch }`. Throws an Error naming what
    /// differs when the state is of another config (e.g. "saved state has 12 parameter tensors,
    /// this network has 10"); the run is then unchanged.
    #[wasm_bindgen(js_name = importState)]
    pub fn import_state(&mut self, state: JsValue) -> Result<JsValue, JsError> {
        let bytes = |v: &JsValue| {
            if let Some(a) = v.dyn_ref::<Uint8Array>() {
                Some(a.to_vec())
            } else {
                v.dyn_ref::<ArrayBuffer>().map(|b| Uint8Array::new(b).to_vec())
            }
        };
        let data = bytes(&state)
            .or_else(|| {
                if state.is_object() {
                    Reflect::get(&state, &JsValue::from_str("data")).ok().as_ref().and_then(bytes)
                } else {
                    None
                }
            })
            .ok_or_else(|| {
                JsError::new(&format!(
                    "importState: expected an exportState() result {{ version, step, epoch, data: Uint8Array }}, got {}",
                    state.js_typeof().as_string().unwrap_or_default()
                ))
            })?;
        self.session.import_state(&data).map_err(|e| JsError::new(&e.0))?;
        to_js(&Restored {
            step: self.session.steps_taken(),
            epoch: self.session.epoch(),
        })
    }

    #[wasm_bindgen(js_name = setLearningRate)]
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<(), JsError> {
        self.session.set_learning_rate(lr).map_err(|e| JsError::new(&e.0))
    }
}
