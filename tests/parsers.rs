//! The IDX and CIFAR-10 readers: well-formed files built here read back exactly, and every
//! malformed file is refused with a message naming the file, where in it the problem is, and what
//! was expected against what was found.
#![cfg(not(target_arch = "wasm32"))]

mod idx_files;

use idx_files::idx;
use trainlab::data::cifar::{
    read_cifar, read_cifar_batch, read_cifar_meta, CIFAR10_CLASSES, CIFAR_IMAGE_LEN, CIFAR_RECORD_LEN,
};
use trainlab::data::error::{DataError, Place};
use trainlab::data::idx::{
    read_idx_images, read_idx_labels, read_idx_pair, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC,
};
use trainlab::data::limits::Limits;

const IMAGES: &str = "train-images-idx3-ubyte";
const LABELS: &str = "train-labels-idx1-ubyte";

/// `n` images of h×w whose pixel p of image i is (i * 31 + p) mod 256, so every byte's place shows.
fn pixels(n: usize, h: usize, w: usize) -> Vec<u8> {
    (0..n)
        .flat_map(|i| (0..h * w).map(move |p| ((i * 31 + p) % 256) as u8))
        .collect()
}

fn images_file(n: u32, h: u32, w: u32) -> Vec<u8> {
    idx(
        IDX_IMAGES_MAGIC,
        &[n, h, w],
        &pixels(n as usize, h as usize, w as usize),
    )
}

fn labels_of(n: usize, classes: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % classes) as u8).collect()
}

/// The message, after checking it starts with the file's name.
fn message(result: Result<impl std::fmt::Debug, DataError>, file: &str) -> String {
    let text = result.expect_err("the file must be refused").to_string();
    assert!(
        text.starts_with(&format!("{file}: ")),
        "does not name {file}: {text}"
    );
    text
}

fn assert_contains(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "{text:?} lacks {part:?}");
    }
}

#[test]
fn idx_images_and_labels_round_trip() {
    let (n, h, w) = (5, 28, 20);
    let read = read_idx_images(IMAGES, &images_file(n, h, w), &Limits::default()).unwrap();
    assert_eq!((read.n, read.h, read.w), (5, 28, 20));
    assert_eq!(read.pixels, pixels(5, 28, 20));
    assert_eq!(read.image(3), &pixels(5, 28, 20)[3 * 560..4 * 560]);

    let labels = labels_of(5, 10);
    let file = idx(IDX_LABELS_MAGIC, &[5], &labels);
    assert_eq!(
        read_idx_labels(LABELS, &file, &Limits::default()).unwrap(),
        labels
    );

    let (images, paired) = read_idx_pair(
        (IMAGES, &images_file(n, h, w)),
        (LABELS, &file),
        10,
        &Limits::default(),
    )
    .unwrap();
    assert_eq!((images.n, paired), (5, labels));
}

#[test]
fn idx_wrong_magic_is_named() {
    let labels = idx(IDX_LABELS_MAGIC, &[3], &[0, 1, 2]);
    let text = message(read_idx_images(IMAGES, &labels, &Limits::default()), IMAGES);
    assert_eq!(
        text,
        format!("{IMAGES}: bytes 0–3: magic 0x00000801 is a label file, expected image file 0x00000803")
    );

    let images = images_file(1, 8, 8);
    let text = message(read_idx_labels(LABELS, &images, &Limits::default()), LABELS);
    assert_contains(
        &text,
        &[
            "bytes 0–3",
            "0x00000803 is an image file",
            "expected label file 0x00000801",
        ],
    );

    let png = b"\x89PNG\r\n\x1a\n0000000000000000".to_vec();
    let text = message(read_idx_images(IMAGES, &png, &Limits::default()), IMAGES);
    assert_contains(
        &text,
        &["bytes 0–3", "magic 0x89504E47 is not an IDX magic", "0x00000803"],
    );

    let floats = idx(0x0000_0D03, &[1, 8, 8], &[0; 256]);
    let text = message(read_idx_images(IMAGES, &floats, &Limits::default()), IMAGES);
    assert_contains(&text, &["data type 0x0D", "only unsigned bytes (0x08)"]);

    let two_dims = idx(0x0000_0802, &[8, 8], &[0; 64]);
    let text = message(read_idx_images(IMAGES, &two_dims, &Limits::default()), IMAGES);
    assert_contains(
        &text,
        &["0x00000802 has 2 dimensions", "expected image file 0x00000803"],
    );
}

#[test]
fn idx_truncated_header_is_named() {
    let text = message(read_idx_images(IMAGES, &[0, 0], &Limits::default()), IMAGES);
    assert_contains(&text, &["bytes 0–3", "file is 2 bytes", "4-byte IDX magic"]);

    let full = images_file(2, 8, 8);
    let text = message(read_idx_images(IMAGES, &full[..10], &Limits::default()), IMAGES);
    assert_contains(
        &text,
        &["bytes 4–15", "3 dimension(s) need 16 bytes, file has 10"],
    );

    let text = message(
        read_idx_labels(LABELS, &[0, 0, 8, 1, 0], &Limits::default()),
        LABELS,
    );
    assert_contains(&text, &["bytes 4–7", "need 8 bytes, file has 5"]);
}

#[test]
fn idx_truncated_body_names_the_first_incomplete_image() {
    let full = images_file(4, 10, 10);
    // Two whole images and half of the third.
    let cut = &full[..16 + 250];
    let text = message(read_idx_images(IMAGES, cut, &Limits::default()), IMAGES);
    assert_contains(
        &text,
        &[
            "image 2 (byte 216)",
            "file ends after 266 bytes",
            "4 images of 10×10 (416 bytes",
        ],
    );

    let labels = idx(IDX_LABELS_MAGIC, &[10], &[1; 10]);
    let text = message(read_idx_labels(LABELS, &labels[..15], &Limits::default()), LABELS);
    assert_contains(&text, &["image 7 (byte 15)", "claims 10 labels (18 bytes"]);
}

#[test]
fn idx_trailing_bytes_are_refused() {
    let mut file = images_file(2, 8, 8);
    file.extend_from_slice(&[0, 0, 0]);
    let text = message(read_idx_images(IMAGES, &file, &Limits::default()), IMAGES);
    assert_contains(
        &text,
        &[
            "byte 144",
            "3 extra bytes after the last of 2 images of 8×8",
            "file has 147",
        ],
    );
}

#[test]
fn idx_header_claims_are_bounded_before_allocating() {
    // A header claiming 2^32 - 1 images on a 16-byte file: refused on the claim, not on memory.
    let huge = idx(IDX_IMAGES_MAGIC, &[u32::MAX, 28, 28], &[]);
    let text = message(read_idx_images(IMAGES, &huge, &Limits::default()), IMAGES);
    assert_contains(
        &text,
        &["bytes 4–7", "claims 4294967295 images", "limit of 200000"],
    );

    let wide = idx(IDX_IMAGES_MAGIC, &[1, 28, 100_000], &[]);
    let text = message(read_idx_images(IMAGES, &wide, &Limits::default()), IMAGES);
    assert_contains(
        &text,
        &["bytes 12–15", "width 100000 is outside the accepted 8…256"],
    );

    let tiny = idx(IDX_IMAGES_MAGIC, &[1, 2, 28], &[0; 56]);
    let text = message(read_idx_images(IMAGES, &tiny, &Limits::default()), IMAGES);
    assert_contains(&text, &["bytes 8–11", "height 2 is outside"]);

    let labels = idx(IDX_LABELS_MAGIC, &[300_000], &[]);
    let text = message(read_idx_labels(LABELS, &labels, &Limits::default()), LABELS);
    assert_contains(&text, &["claims 300000 labels", "limit of 200000"]);
}

#[test]
fn oversized_files_are_refused_whole() {
    let limits = Limits {
        max_bytes: 1000,
        ..Limits::default()
    };
    let file = images_file(20, 8, 8);
    let text = message(read_idx_images(IMAGES, &file, &limits), IMAGES);
    assert_eq!(
        text,
        format!("{IMAGES}: file is 1296 bytes, more than the limit of 1000 bytes")
    );

    let batch = vec![0u8; 2 * CIFAR_RECORD_LEN];
    let limits = Limits {
        max_bytes: CIFAR_RECORD_LEN,
        ..Limits::default()
    };
    let text = message(
        read_cifar_batch("data_batch_1.bin", &batch, 10, "of CIFAR-10", &limits),
        "data_batch_1.bin",
    );
    assert_contains(&text, &["6146 bytes", "limit of 3073 bytes"]);
}

#[test]
fn idx_zero_images_are_refused() {
    let empty = idx(IDX_IMAGES_MAGIC, &[0, 28, 28], &[]);
    let text = message(read_idx_images(IMAGES, &empty, &Limits::default()), IMAGES);
    assert_contains(&text, &["bytes 4–7", "claims 0 images; expected at least 1"]);
    let empty = idx(IDX_LABELS_MAGIC, &[0], &[]);
    let text = message(read_idx_labels(LABELS, &empty, &Limits::default()), LABELS);
    assert_contains(&text, &["claims 0 labels"]);
}

#[test]
fn idx_pair_count_mismatch_and_label_range() {
    let images = images_file(3, 8, 8);
    let labels = idx(IDX_LABELS_MAGIC, &[4], &[0, 1, 2, 3]);
    let text = message(
        read_idx_pair((IMAGES, &images), (LABELS, &labels), 10, &Limits::default()),
        LABELS,
    );
    assert_eq!(
        text,
        format!("{LABELS}: labels file has 4 labels, images file {IMAGES} has 3 images")
    );

    let mut values = labels_of(50, 10);
    values[42] = 11;
    let images = images_file(50, 8, 8);
    let labels = idx(IDX_LABELS_MAGIC, &[50], &values);
    let text = message(
        read_idx_pair((IMAGES, &images), (LABELS, &labels), 10, &Limits::default()),
        LABELS,
    );
    assert_eq!(
        text,
        format!("{LABELS}: image 42 (byte 50): label 11 at index 42 is out of range for 10 classes (0–9)")
    );

    // No classes at all: the first label is already out of range, and the message says none is allowed.
    let text = message(
        read_idx_pair((IMAGES, &images), (LABELS, &labels), 0, &Limits::default()),
        LABELS,
    );
    assert_contains(&text, &["image 0 (byte 8)", "out of range for 0 classes (none)"]);
}

/// A CIFAR-10 batch of `n` records; record i has label labels[i] and pixel p = (i + p) mod 251.
fn batch(labels: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, &label) in labels.iter().enumerate() {
        out.push(label);
        out.extend((0..CIFAR_IMAGE_LEN).map(|p| ((i + p) % 251) as u8));
    }
    out
}

#[test]
fn cifar_round_trip_with_and_without_meta() {
    let first = batch(&[3, 9, 0]);
    let second = batch(&[1, 2]);
    let set = read_cifar(
        &[("data_batch_1.bin", &first), ("test_batch.bin", &second)],
        None,
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(set.n, 5);
    assert_eq!(set.labels, vec![3, 9, 0, 1, 2]);
    assert_eq!(set.class_names, CIFAR10_CLASSES.to_vec());
    // Record 1 of the first batch: its bytes after the label, channel-planar as stored.
    assert_eq!(set.image(1), &first[CIFAR_RECORD_LEN + 1..2 * CIFAR_RECORD_LEN]);
    assert_eq!(set.image(4), &second[CIFAR_RECORD_LEN + 1..]);
    assert_eq!(set.pixels.len(), 5 * 3 * 32 * 32);

    let meta = b"cat\r\n\n  dog  \nbird\n\n";
    let set = read_cifar(
        &[("data_batch_1.bin", &batch(&[2, 0]))],
        Some(("batches.meta.txt", meta)),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(set.class_names, vec!["cat", "dog", "bird"]);
    assert_eq!(set.labels, vec![2, 0]);
}

#[test]
fn cifar_partial_records_are_refused() {
    let mut file = batch(&[0; 10]);
    file.push(7);
    let text = message(
        read_cifar(&[("data_batch_1.bin", &file)], None, &Limits::default()),
        "data_batch_1.bin",
    );
    assert_eq!(
        text,
        "data_batch_1.bin: 30731 bytes is not a whole number of 3073-byte records (10 records and 1 byte left over)"
    );
    let text = message(
        read_cifar(&[("test_batch.bin", &file[..100])], None, &Limits::default()),
        "test_batch.bin",
    );
    assert_contains(&text, &["100 bytes", "0 records and 100 bytes left over"]);
    let text = message(
        read_cifar(&[("test_batch.bin", &[])], None, &Limits::default()),
        "test_batch.bin",
    );
    assert_contains(&text, &["file is empty", "3073 bytes"]);
}

#[test]
fn cifar_labels_out_of_range_name_the_record() {
    let file = batch(&[1, 2, 10, 3]);
    let text = message(
        read_cifar(&[("data_batch_2.bin", &file)], None, &Limits::default()),
        "data_batch_2.bin",
    );
    assert_eq!(
        text,
        "data_batch_2.bin: image 2 (byte 6146): label 10 at index 2 is out of range for 10 classes (0–9) of CIFAR-10"
    );

    // The meta file names fewer classes than the labels use.
    let meta: &[u8] = b"airplane\nautomobile\nbird\n";
    let file = batch(&[0, 2, 1, 5]);
    let result = read_cifar(
        &[("data_batch_1.bin", &file)],
        Some(("batches.meta.txt", meta)),
        &Limits::default(),
    );
    let text = message(result, "data_batch_1.bin");
    assert_contains(
        &text,
        &[
            "image 3 (byte 9219)",
            "label 5",
            "3 classes (0–2) named in batches.meta.txt",
        ],
    );
}

#[test]
fn cifar_set_size_is_bounded_across_batches() {
    let limits = Limits {
        max_images: 5,
        ..Limits::default()
    };
    let a = batch(&[0; 3]);
    let b = batch(&[1; 3]);
    let text = message(
        read_cifar(
            &[("data_batch_1.bin", &a), ("data_batch_2.bin", &b)],
            None,
            &limits,
        ),
        "data_batch_2.bin",
    );
    assert_contains(&text, &["its 3 records bring the set to 6", "limit of 5 images"]);
    let text = message(
        read_cifar_batch("data_batch_3.bin", &batch(&[0; 6]), 10, "", &limits),
        "data_batch_3.bin",
    );
    assert_contains(&text, &["6 records", "limit of 5 images"]);
    let text = message(read_cifar(&[], None, &limits), "CIFAR-10");
    assert_contains(&text, &["no batch files given"]);
}

#[test]
fn cifar_meta_errors_name_the_line() {
    let text = message(read_cifar_meta("batches.meta.txt", b"\n  \n"), "batches.meta.txt");
    assert_contains(&text, &["holds no class names"]);
    let text = message(
        read_cifar_meta("batches.meta.txt", b"cat\ndog\n\ncat\n"),
        "batches.meta.txt",
    );
    assert_eq!(
        text,
        "batches.meta.txt: line 4: class name \"cat\" repeats line 1"
    );
    let text = message(
        read_cifar_meta("batches.meta.txt", b"cat\n\xff\xfe"),
        "batches.meta.txt",
    );
    assert_contains(&text, &["byte 4", "not UTF-8"]);
    let many: String = (0..300).map(|i| format!("class{i}\n")).collect();
    let text = message(
        read_cifar_meta("batches.meta.txt", many.as_bytes()),
        "batches.meta.txt",
    );
    assert_contains(&text, &["line 257", "more than 256 class names"]);
}

#[test]
fn error_places_are_structured() {
    let err = read_idx_images(IMAGES, &[0, 0, 8], &Limits::default()).unwrap_err();
    assert_eq!(
        (err.file.as_str(), &err.place),
        (IMAGES, &Place::Bytes { start: 0, end: 3 })
    );
}
