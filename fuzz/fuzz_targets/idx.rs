//! Arbitrary bytes into the IDX readers: they must never panic, and every refusal must name its
//! file. The first byte splits the input into an image file and a label file so the pairing check
//! is reached too; small limits let the fuzzer build whole valid files of tiny images.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trainlab::data::error::DataError;
use trainlab::data::idx::{read_idx_images, read_idx_labels, read_idx_pair};
use trainlab::data::limits::Limits;

fn named<T>(result: Result<T, DataError>, file: &str) {
    if let Err(e) = result {
        assert!(
            e.to_string().starts_with(file),
            "error does not name its file: {e}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let small = Limits {
        max_bytes: 1 << 16,
        max_images: 64,
        min_side: 1,
        max_side: 16,
    };
    for limits in [small, Limits::default()] {
        named(read_idx_images("images.idx", data, &limits), "images.idx");
        named(read_idx_labels("labels.idx", data, &limits), "labels.idx");
        if let Some((&split, rest)) = data.split_first() {
            let (images, labels) = rest.split_at((split as usize * 4).min(rest.len()));
            let classes = (split % 12) as usize;
            if let Err(e) = read_idx_pair(("images.idx", images), ("labels.idx", labels), classes, &limits) {
                let text = e.to_string();
                assert!(
                    text.starts_with("images.idx") || text.starts_with("labels.idx"),
                    "{text}"
                );
            }
        }
    }
});
