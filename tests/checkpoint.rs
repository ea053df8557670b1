//! Checkpoints (issue 11): a run's weights saved as a `trainlab-weights` file and loaded into a new
//! run of the file's config are bit for bit the same and evaluate the same; PyTorch's batch-norm
//! counter is written and ignored on reading; every broken or foreign file is refused by name and
//! leaves the run as it was; version-1 files (the shipped pretrained LeNet) still load.

mod weight_bits;
use weight_bits::weights;

use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::collections::HashMap;
use std::rc::Rc;
use trainlab::config::Config;
use trainlab::data::limits::Limits;
use trainlab::data::{LoadedData, Split};
use trainlab::session::Session;
use trainlab::transfer::weights::{Pretrained, FORMAT_VERSION};

/// A shapes-cnn run with batch norm (so the file has running statistics and counters), small.
fn run(preset: &str, steps: usize) -> Session {
    let config = Config {
        preset: preset.into(),
        batch_norm: true,
        train_size: 200,
        val_size: 100,
        batch_size: 16,
        ..Config::default()
    };
    let mut s = Session::new(config).unwrap();
    for _ in 0..steps {
        s.step();
    }
    s
}

/// A fresh run of the config a checkpoint names (what the page does with an opened file).
fn run_of(bytes: &[u8]) -> Session {
    Session::new(Pretrained::parse(bytes).unwrap().meta.config).unwrap()
}

/// One tensor of a file, owned, to rebuild a changed file.
struct Entry {
    name: String,
    dtype: Dtype,
    shape: Vec<usize>,
    data: Vec<u8>,
}

/// The file's tensors and metadata, changed by `edit`, written again as safetensors.
fn rewrite(bytes: &[u8], edit: impl FnOnce(&mut Vec<Entry>, &mut HashMap<String, String>)) -> Vec<u8> {
    let file = SafeTensors::deserialize(bytes).unwrap();
    let mut entries: Vec<Entry> = file
        .tensors()
        .into_iter()
        .map(|(name, v)| Entry {
            name,
            dtype: v.dtype(),
            shape: v.shape().to_vec(),
            data: v.data().to_vec(),
        })
        .collect();
    let (_, header) = SafeTensors::read_metadata(bytes).unwrap();
    let mut meta: HashMap<String, String> = header.metadata().clone().unwrap().into_iter().collect();
    edit(&mut entries, &mut meta);
    let views: Vec<(String, TensorView)> = entries
        .iter()
        .map(|e| {
            (
                e.name.clone(),
                TensorView::new(e.dtype, e.shape.clone(), &e.data).unwrap(),
            )
        })
        .collect();
    safetensors::serialize(views, Some(meta.into_iter().collect())).unwrap()
}

fn error_of(s: &mut Session, bytes: &[u8]) -> String {
    let before = weights(s);
    let e = s.load_checkpoint(bytes).unwrap_err().0;
    assert_eq!(weights(s), before, "a refused file changed the run ({e})");
    e
}

#[test]
fn a_saved_run_loads_bit_exact_and_evaluates_the_same() {
    let mut a = run("shapes-cnn", 6);
    let acc = a.evaluate().val_accuracy;
    let bytes = a.export_checkpoint(Some(acc), "tests/checkpoint.rs").unwrap();
    let mut b = run_of(&bytes);
    assert_eq!(b.config, a.config, "the file's config is the run's");
    assert_ne!(
        weights(&mut b),
        weights(&mut a),
        "a fresh run differs before loading"
    );
    let loaded = b.load_checkpoint(&bytes).unwrap();
    assert_eq!(weights(&mut b), weights(&mut a));
    assert_eq!(
        loaded.tensors,
        a.model.parameters().len() + a.model.buffers().len()
    );
    assert_eq!(loaded.steps, 6);
    assert_eq!(loaded.dataset, "shapes");
    assert_eq!(loaded.val_accuracy, Some(acc));
    let (ea, eb) = (a.evaluate(), b.evaluate());
    assert_eq!(eb.val_accuracy.to_bits(), ea.val_accuracy.to_bits());
    assert_eq!(eb.val_loss.to_bits(), ea.val_loss.to_bits());
    // Not evaluated: no accuracy in the file, none read back.
    let unevaluated = a.export_checkpoint(None, "").unwrap();
    assert_eq!(b.load_checkpoint(&unevaluated).unwrap().val_accuracy, None);
}

#[test]
fn batch_norm_counters_are_i64_scalars_pytorch_loads_strictly() {
    let mut a = run("shapes-cnn", 4);
    let bytes = a.export_checkpoint(None, "").unwrap();
    let file = SafeTensors::deserialize(&bytes).unwrap();
    let norms: Vec<String> = a
        .model
        .buffers()
        .iter()
        .filter_map(|b| b.name.strip_suffix(".running_mean").map(str::to_string))
        .collect();
    assert!(!norms.is_empty(), "the run has batch norm");
    for layer in &norms {
        let t = file.tensor(&format!("{layer}.num_batches_tracked")).unwrap();
        assert_eq!((t.dtype(), t.shape()), (Dtype::I64, &[][..]));
        assert_eq!(i64::from_le_bytes(t.data().try_into().unwrap()), 4);
    }
    // Exactly PyTorch's state_dict keys: parameters, buffers, one counter per batch norm.
    let mut expected: Vec<String> = a.model.parameters().iter().map(|p| p.name.clone()).collect();
    expected.extend(a.model.buffers().iter().map(|b| b.name.clone()));
    expected.extend(norms.iter().map(|l| format!("{l}.num_batches_tracked")));
    expected.sort();
    let mut names: Vec<String> = file.names().into_iter().map(str::to_string).collect();
    names.sort();
    assert_eq!(names, expected);
    let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
    assert_eq!(
        header.metadata().as_ref().unwrap()["formatVersion"],
        FORMAT_VERSION.to_string()
    );
}

#[test]
fn every_bad_file_is_named_and_the_run_is_unchanged() {
    let mut a = run("shapes-cnn", 3);
    let good = a.export_checkpoint(Some(0.5), "").unwrap();
    let mut b = run_of(&good);
    let header_len = u64::from_le_bytes(good[..8].try_into().unwrap()) as usize;
    let len = good.len();

    assert!(error_of(&mut b, &good[..5]).contains("not a safetensors file: 5 bytes"));
    let cut = 8 + header_len / 2;
    let e = error_of(&mut b, &good[..cut]);
    assert!(
        e.contains(&format!(
            "truncated: {cut} bytes, the header says at least {}",
            8 + header_len
        )),
        "{e}"
    );
    for cut in [8 + header_len + 1, (8 + header_len + len) / 2, len - 1] {
        let e = error_of(&mut b, &good[..cut]);
        assert!(
            e.contains(&format!("truncated: {cut} bytes, the header says {len}")),
            "{e}"
        );
    }
    let mut absurd = good.clone();
    absurd[..8].copy_from_slice(&(1u64 << 40).to_le_bytes());
    let e = error_of(&mut b, &absurd);
    assert!(
        e.contains("absurd header length of 1099511627776 bytes") && e.contains("100 MB"),
        "{e}"
    );
    let mut broken = good.clone();
    broken[8] = b'x';
    assert!(error_of(&mut b, &broken).contains("JSON header is corrupt"));
    assert!(error_of(&mut b, b"PK\x03\x04 a zip, not safetensors at all").contains("not a safetensors file"));

    let other = rewrite(&good, |_, m| {
        m.insert("format".into(), "someone-else".into());
    });
    assert!(error_of(&mut b, &other).contains("format is \"someone-else\", not \"trainlab-weights\""));
    let newer = rewrite(&good, |_, m| {
        m.insert("formatVersion".into(), "99".into());
    });
    let e = error_of(&mut b, &newer);
    assert!(e.contains("format version 99, newer"), "{e}");

    let extra = rewrite(&good, |t, _| {
        t.push(Entry {
            name: "features.99.weight".into(),
            dtype: Dtype::F32,
            shape: vec![2, 2],
            data: vec![0; 16],
        })
    });
    let e = error_of(&mut b, &extra);
    assert!(
        e.contains("has features.99.weight [2, 2], which the network does not"),
        "{e}"
    );
    let missing = rewrite(&good, |t, _| t.retain(|e| e.name != "features.0.bias"));
    let e = error_of(&mut b, &missing);
    assert!(
        e.contains("the network has features.0.bias [") && e.contains("does not"),
        "{e}"
    );
    let reshaped = rewrite(&good, |t, _| {
        let w = t.iter_mut().find(|e| e.name == "features.0.weight").unwrap();
        let n: usize = w.shape.iter().product();
        w.shape = vec![n];
    });
    let e = error_of(&mut b, &reshaped);
    let shape = a.model.parameters()[0].shape.clone();
    let n: usize = shape.iter().product();
    assert!(
        e.contains(&format!("features.0.weight is [{n}] in the file")),
        "{e}"
    );
    assert!(e.contains(&format!("{shape:?} in the network")), "{e}");
    let half = rewrite(&good, |t, _| {
        let w = t.iter_mut().find(|e| e.name == "features.0.weight").unwrap();
        w.dtype = Dtype::F16;
        w.data.truncate(w.data.len() / 2);
    });
    let e = error_of(&mut b, &half);
    assert!(
        e.contains("tensor features.0.weight is F16; trainlab weights are F32"),
        "{e}"
    );

    // Another network: an MLP's file into the CNN.
    let mlp = run("mlp", 1).export_checkpoint(None, "").unwrap();
    let e = error_of(&mut b, &mlp);
    assert!(e.contains("from another network"), "{e}");
    // The run still trains and loads the good file after all that.
    b.load_checkpoint(&good).unwrap();
    assert_eq!(weights(&mut b), weights(&mut a));
}

/// `k` classes of random `[1, 28, 28]` images named "t".
fn noise_set(k: usize) -> Rc<LoadedData> {
    let n = 20 * k;
    let pixels: Vec<u8> = (0..n * 784).map(|i| (i * 37 % 251) as u8).collect();
    let labels: Vec<u8> = (0..n).map(|i| (i % k) as u8).collect();
    let names = (0..k).map(|i| format!("c{i}")).collect();
    let split = Split {
        val_fraction: 0.2,
        seed: 1,
    };
    Rc::new(
        LoadedData::from_pixels(
            "t",
            &pixels,
            &labels,
            [1, 28, 28],
            names,
            split,
            &Limits::default(),
        )
        .unwrap(),
    )
}

#[test]
fn version_1_files_still_load() {
    // A version-1 file as issue 10 wrote it: no counters.
    let mut a = run("shapes-cnn", 2);
    let v2 = a.export_checkpoint(None, "").unwrap();
    let v1 = rewrite(&v2, |t, m| {
        t.retain(|e| !e.name.ends_with(".num_batches_tracked"));
        m.insert("formatVersion".into(), "1".into());
    });
    let mut b = run_of(&v1);
    b.load_checkpoint(&v1).unwrap();
    assert_eq!(weights(&mut b), weights(&mut a));

    // The shipped pretrained LeNet (version 1) loads whole into a run of its own config.
    let shipped = std::fs::read("assets/pretrained/lenet-fashion-even.safetensors").unwrap();
    let file = Pretrained::parse(&shipped).unwrap();
    let (_, header) = SafeTensors::read_metadata(&shipped).unwrap();
    assert_eq!(header.metadata().as_ref().unwrap()["formatVersion"], "1");
    let config = Config {
        dataset: "t".into(),
        train_size: 80,
        val_size: 20,
        ..file.meta.config.clone()
    };
    let mut s = Session::with_data(config, Some(noise_set(file.meta.class_names.len()))).unwrap();
    let loaded = s.load_checkpoint(&shipped).unwrap();
    assert_eq!(loaded.tensors, file.tensors.len());
    assert_eq!(loaded.dataset, file.meta.dataset);
    let mut w = Vec::new();
    s.model
        .visit_named_params(&mut |p, v, _| w.push((p.name.clone(), v.to_vec())));
    for (name, values) in w {
        assert_eq!(values, file.get(&name).unwrap().data, "{name}");
    }
}
