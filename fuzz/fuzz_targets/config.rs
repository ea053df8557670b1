//! Arbitrary bytes as a config text, through the entry the page uses (`plain_json`, then
//! `Config::from_value`, then `Session::with_data`): parsing must never panic, a refusal is a
//! named error, and a config that builds must take training steps without panicking, within the
//! memory budget. Train and validation sizes are clamped to a few images after `validate` has
//! checked them, so that each execution is quick (rendering up to 50,000 images is bounded work
//! covered elsewhere); what is fuzzed is the model, the optimizer, schedule and augmentation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trainlab::config::{plain_json, Config};
use trainlab::session::Session;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let Ok(value) = plain_json(&mut de) else { return };
    let Ok(mut config) = Config::from_value(value) else {
        return;
    };
    if config.validate().is_err() {
        return;
    }
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
