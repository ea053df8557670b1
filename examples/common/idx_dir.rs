//! A loaded data set from a folder of IDX files, for the examples that measure on real data:
//! train-images.idx, train-labels.idx, val-images.idx, val-labels.idx (e.g. the gunzipped
//! generated/public/data/fashion-mnist), classes named "class 0" … "class 9".

use std::rc::Rc;
use trainlab::data::limits::Limits;
use trainlab::data::{LoadedData, Split};

/// The set in `dir`, named `name` (the config's `dataset`); panics naming the file that failed.
pub fn load(dir: &str, name: &str) -> Rc<LoadedData> {
    let read = |f: &str| std::fs::read(format!("{dir}/{f}")).unwrap_or_else(|e| panic!("{dir}/{f}: {e}"));
    let (ti, tl, vi, vl) = (
        read("train-images.idx"),
        read("train-labels.idx"),
        read("val-images.idx"),
        read("val-labels.idx"),
    );
    let classes = (0..10).map(|k| format!("class {k}")).collect();
    let data = LoadedData::from_idx(
        name,
        (("train-images.idx", &ti), ("train-labels.idx", &tl)),
        Some((("val-images.idx", &vi), ("val-labels.idx", &vl))),
        classes,
        Split::default(),
        &Limits::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    Rc::new(data)
}
