//! Arbitrary bytes as a weights file (safetensors with trainlab's metadata, src/transfer/weights.rs):
//! parsing must never panic, and a file that parses is loaded into a small model, which must
//! either take it or name what differs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trainlab::config::Config;
use trainlab::session::Session;
use trainlab::transfer::weights::Pretrained;

fuzz_target!(|data: &[u8]| {
    let Ok(file) = Pretrained::parse(data) else { return };
    let config = Config {
        train_size: 8,
        val_size: 4,
        // "noise" renders much faster than "shapes" under the sanitizer, with the same shapes.
        dataset: "noise".into(),
        ..Config::default()
    };
    let mut session = Session::new(config).expect("the default config builds");
    let _ = file.load_into(&mut session.model, None);
});
