//! The config object the page builds from a URL hash (www/state.js `toConfig`): flat settings plus
//! `optimizer` and `schedule` objects, never `layers`. The bytes choose each setting's value (any
//! number, including the out-of-range ones a hand-edited link gives, and NaN, which a JS object can
//! hold), the object goes through the same entry as the page's (`plain_json` → `Config::from_value`
//! → `Session::new`), and a run that builds takes two steps. Nothing may panic.
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde::de::value::{Error, MapDeserializer};
use serde::de::IntoDeserializer;
use std::collections::BTreeMap;
use trainlab::config::{plain_json, Config};
use trainlab::session::Session;

/// A JS value as `serde_wasm_bindgen` would present it, kept small: numbers as f64 (NaN included).
#[derive(Clone)]
enum Js {
    Num(f64),
    Str(String),
    Bool(bool),
    Obj(BTreeMap<String, Js>),
    List(Vec<Js>),
}

impl<'de> IntoDeserializer<'de, Error> for Js {
    type Deserializer = JsDe;
    fn into_deserializer(self) -> JsDe {
        JsDe(self)
    }
}

struct JsDe(Js);

impl<'de> serde::Deserializer<'de> for JsDe {
    type Error = Error;
    fn deserialize_any<V: serde::de::Visitor<'de>>(self, v: V) -> std::result::Result<V::Value, Error> {
        match self.0 {
            // serde_wasm_bindgen gives safe integers as integers, other numbers as f64.
            Js::Num(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => {
                if n >= 0.0 {
                    v.visit_u64(n as u64)
                } else {
                    v.visit_i64(n as i64)
                }
            }
            Js::Num(n) => v.visit_f64(n),
            Js::Str(s) => v.visit_string(s),
            Js::Bool(b) => v.visit_bool(b),
            Js::Obj(m) => v.visit_map(MapDeserializer::new(m.into_iter())),
            Js::List(l) => v.visit_seq(serde::de::value::SeqDeserializer::new(l.into_iter())),
        }
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

/// A number as a hash value can give one: mostly near the settings' ranges, sometimes anything.
fn num(u: &mut Unstructured) -> Result<f64> {
    Ok(match u.int_in_range(0..=7u8)? {
        0 => f64::from_bits(u.arbitrary()?),
        1 => f64::NAN,
        2 => u.int_in_range(0..=70_000u32)? as f64,
        3 => u.int_in_range(0..=2048u32)? as f64,
        4 => u.arbitrary::<i32>()? as f64,
        _ => u.int_in_range(0..=1000u32)? as f64 / 1000.0,
    })
}

fn pick<'a>(u: &mut Unstructured, names: &[&'a str]) -> Result<&'a str> {
    Ok(names[u.choose_index(names.len())?])
}

/// The page's config from a hash (keys of www/state.js `SETTINGS` with a `configKey`).
fn config(u: &mut Unstructured) -> Result<Js> {
    let mut m = BTreeMap::new();
    let s = |x: &str| Js::Str(x.to_string());
    m.insert("dataset".into(), s(pick(u, &["shapes", "noise", "mnist"])?));
    m.insert(
        "preset".into(),
        s(pick(
            u,
            &[
                "shapes-cnn",
                "linear",
                "mlp",
                "deep-mlp",
                "lenet",
                "cifar-convnetjs",
                "vgg-mini",
                "resnet-mini",
                "x",
            ],
        )?),
    );
    m.insert(
        "activation".into(),
        s(pick(
            u,
            &[
                "relu",
                "tanh",
                "sigmoid",
                "elu",
                "leakyrelu",
                "swish",
                "mish",
                "sinc",
                "step",
            ],
        )?),
    );
    m.insert("init".into(), s(pick(u, &["kaiming", "xavier", "small"])?));
    for key in [
        "seed",
        "learningRate",
        "momentum",
        "weightDecay",
        "batchSize",
        "trainSize",
        "valSize",
        "dropRate",
        "dropConnect",
        "patience",
        "dropPathRate",
        "modelEmaDecay",
    ] {
        if u.arbitrary()? {
            m.insert(key.into(), Js::Num(num(u)?));
        }
    }
    for key in ["batchNorm", "fractionalPooling", "tta", "snapshotEnsemble"] {
        if u.arbitrary()? {
            m.insert(key.into(), Js::Bool(u.arbitrary()?));
        }
    }
    if u.arbitrary()? {
        let mut a = BTreeMap::new();
        for key in [
            "flip",
            "crop",
            "cutout",
            "mixup",
            "cutmix",
            "labelSmoothing",
            "pcaStd",
            "brightness",
            "contrast",
            "randaugmentN",
            "randaugmentM",
        ] {
            if u.arbitrary()? {
                a.insert(
                    key.into(),
                    if u.arbitrary()? {
                        Js::Num(num(u)?)
                    } else {
                        Js::Bool(u.arbitrary()?)
                    },
                );
            }
        }
        m.insert("augment".into(), Js::Obj(a));
    }
    if u.arbitrary()? {
        let mut o = BTreeMap::new();
        o.insert(
            "type".into(),
            s(pick(u, &["sgd", "adam", "adamw", "rmsprop", "adagrad"])?),
        );
        for key in ["momentum", "weightDecay", "eps", "alpha"] {
            if u.arbitrary()? {
                o.insert(key.into(), Js::Num(num(u)?));
            }
        }
        if u.arbitrary()? {
            o.insert("nesterov".into(), Js::Bool(u.arbitrary()?));
        }
        if u.arbitrary()? {
            o.insert("betas".into(), Js::List(vec![Js::Num(num(u)?), Js::Num(num(u)?)]));
        }
        m.insert("optimizer".into(), Js::Obj(o));
    }
    if u.arbitrary()? {
        let mut o = BTreeMap::new();
        o.insert(
            "type".into(),
            s(pick(
                u,
                &[
                    "constant", "step", "cosine", "linear", "invsqrt", "sgdr", "cyclic",
                ],
            )?),
        );
        for key in [
            "totalSteps",
            "gamma",
            "T_0",
            "T_mult",
            "period",
            "etaMin",
            "warmupSteps",
        ] {
            if u.arbitrary()? {
                o.insert(key.into(), Js::Num(num(u)?));
            }
        }
        if u.arbitrary()? {
            o.insert(
                "milestones".into(),
                Js::List(vec![Js::Num(num(u)?), Js::Num(num(u)?)]),
            );
        }
        m.insert("schedule".into(), Js::Obj(o));
    }
    Ok(Js::Obj(m))
}

fuzz_target!(|data: &[u8]| {
    let Ok(js) = config(&mut Unstructured::new(data)) else {
        return;
    };
    let Js::Obj(map) = js else { return };
    let de: MapDeserializer<'_, _, Error> = MapDeserializer::new(map.into_iter());
    let value = match plain_json(de) {
        Ok(v) => v,
        Err(e) => {
            assert!(
                !e.contains("null"),
                "a non-finite number must be named, not null: {e}"
            );
            return;
        }
    };
    let Ok(mut config) = Config::from_value(value) else {
        return;
    };
    if config.validate().is_err() {
        return;
    }
    // As in the config target: sizes checked by validate, then a few images for speed.
    config.train_size = config.train_size.min(16);
    config.val_size = config.val_size.min(8);
    // Rendering "shapes" takes seconds per run under the sanitizer; "noise" has the same shapes.
    if config.dataset == "shapes" {
        config.dataset = "noise".into();
    }
    // Built with its own batch (so the budget check sees it); steps only with small batches, which
    // keeps an execution under a second with the sanitizer (a step's work is bounded by
    // limits::MAX_STEP_MACS, tested in tests/limits.rs).
    let small = config.batch_size <= 8;
    if let Ok(mut session) = Session::new(config) {
        for _ in 0..if small { 2 } else { 0 } {
            session.step();
        }
    }
});
