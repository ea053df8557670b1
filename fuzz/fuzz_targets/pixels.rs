//! Arbitrary bytes into `LoadedData::from_pixels`, the checks on the images the page decoded
//! (channels, sides, counts, labels below the class count, at least two classes, every class with
//! a training image, the split): never a panic, every refusal names the set's pixels, labels or
//! class names (or the set), and an accepted set is consistent. The first six bytes choose the
//! shape, the class count, the label count and the split; with the low bit of the sixth set the
//! pixels are cut to the length the rest claims, so the fuzzer reaches the accepted path often.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trainlab::data::limits::Limits;
use trainlab::data::{LoadedData, Split};

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_first_chunk::<6>() else {
        return;
    };
    let [c, h, w] = [head[0] as usize % 5, head[1] as usize % 20, head[2] as usize % 20];
    let classes = head[3] as usize % 7;
    let (labels, pixels) = rest.split_at((head[4] as usize).min(rest.len()));
    let expected = labels.len() * c * h * w;
    let pixels = if head[5] & 1 == 1 && pixels.len() >= expected {
        &pixels[..expected]
    } else {
        pixels
    };
    let limits = Limits {
        max_bytes: 1 << 16,
        max_images: 200,
        min_side: 2,
        max_side: 16,
    };
    let split = Split {
        val_fraction: (head[5] >> 1) as f64 / 100.0,
        seed: head[0] as u64,
    };
    let names = (0..classes).map(|k| format!("c{k}")).collect();
    match LoadedData::from_pixels("fz", pixels, labels, [c, h, w], names, split, &limits) {
        Err(e) => {
            let text = e.to_string();
            assert!(text.starts_with("fz"), "error does not name the set's part: {text}");
        }
        Ok(set) => {
            assert_eq!(set.train.len() + set.val.len(), labels.len());
            assert!(!set.val.is_empty());
            assert!(set.train.counts().iter().all(|&k| k > 0));
            assert_eq!(set.train.bytes().map(<[u8]>::len), Some(set.train.len() * c * h * w));
            let summary = set.summary();
            assert_eq!(summary.train, set.train.len());
            for s in [&set.train, &set.val] {
                for i in 0..s.len() {
                    assert!(s.image(i).iter().all(|x| x.is_finite()));
                }
            }
        }
    }
});
