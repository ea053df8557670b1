//! Arbitrary bytes into the CIFAR-10 readers: they must never panic, and every refusal must name
//! its file. The first byte chooses how much of the input is a meta file; the rest is cut into two
//! batches, so both the per-file and the whole-set checks are reached.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trainlab::data::cifar::{read_cifar, read_cifar_meta, CIFAR_RECORD_LEN};
use trainlab::data::limits::Limits;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = read_cifar_meta("batches.meta.txt", data) {
        assert!(e.to_string().starts_with("batches.meta.txt"), "{e}");
    }
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let (meta, batches) = rest.split_at((split as usize).min(rest.len()));
    let (first, second) = batches.split_at((batches.len() / 2).min(CIFAR_RECORD_LEN * 2));
    let small = Limits {
        max_bytes: 1 << 16,
        max_images: 3,
        ..Limits::default()
    };
    for limits in [small, Limits::default()] {
        let meta = (split & 1 == 1).then_some(("batches.meta.txt", meta));
        let files = [("data_batch_1.bin", first), ("test_batch.bin", second)];
        if let Err(e) = read_cifar(&files, meta, &limits) {
            let text = e.to_string();
            let named = ["batches.meta.txt", "data_batch_1.bin", "test_batch.bin"];
            assert!(named.iter().any(|n| text.starts_with(n)), "{text}");
        }
    }
});
