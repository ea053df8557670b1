//! Arbitrary bytes into a run: as a checkpoint (`Session::load_checkpoint`, the page's "Open a
//! checkpoint") and as a saved session state (`Session::import_state`, resume). Neither may panic;
//! a refusal leaves the run able to step.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trainlab::config::Config;
use trainlab::session::Session;

fuzz_target!(|data: &[u8]| {
    let config = Config {
        train_size: 8,
        val_size: 4,
        // "noise" renders much faster than "shapes" under the sanitizer, with the same shapes.
        dataset: "noise".into(),
        batch_size: 4,
        ..Config::default()
    };
    let mut session = Session::new(config).expect("the default config builds");
    let _ = session.load_checkpoint(data);
    let _ = session.import_state(data);
    session.step();
});
