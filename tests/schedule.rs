//! Learning-rate schedules: values at listed steps, with the formula beside each literal.
//! Steps count from 0 (the first update uses step 0).

// Expected values may come from std's math: an implementation independent of the core's
// (src/math.rs, the `libm` crate) that clippy.toml otherwise keeps out.
#![allow(clippy::disallowed_methods)]

use std::f64::consts::PI;
use trainlab::schedule::{step::milestones_from_epochs, Decay, ScheduleConfig, MAX_CURVE_POINTS};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * 1f64.max(a.abs()).max(b.abs())
}

/// Asserts `schedule.lr(base, t)` at each (t, want).
fn check(schedule: &ScheduleConfig, base: f64, at: &[(u64, f64)]) {
    for &(t, want) in at {
        let got = schedule.lr(base, t);
        assert!(
            close(got, want),
            "{schedule:?} at step {t}: got {got}, want {want}"
        );
    }
}

fn parse(json: &str) -> ScheduleConfig {
    let s: ScheduleConfig = serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"));
    s.validate().unwrap_or_else(|e| panic!("{json}: {e}"));
    s
}

#[test]
fn constant() {
    // α_t = α₀
    check(
        &ScheduleConfig::default(),
        0.02,
        &[(0, 0.02), (1, 0.02), (1_000_000, 0.02)],
    );
}

#[test]
fn step_decay_at_the_milestones() {
    // The lecture's ResNet recipe with 100 steps per epoch: ×0.1 after epochs 30, 60, 90.
    // α_t = α₀·γ^(number of milestones ≤ t), α₀ = 0.1, γ = 0.1.
    let milestones = milestones_from_epochs(&[30, 60, 90], 100);
    assert_eq!(milestones, [3000, 6000, 9000]);
    let s = ScheduleConfig::new(Decay::Step {
        milestones,
        gamma: 0.1,
    });
    check(
        &s,
        0.1,
        &[
            (0, 0.1),     // no milestone passed
            (2999, 0.1),  // the last update of epoch 29
            (3000, 0.01), // 0.1·0.1: the first update of epoch 30
            (5999, 0.01),
            (6000, 0.001),  // 0.1·0.1²
            (9000, 0.0001), // 0.1·0.1³
            (50_000, 0.0001),
        ],
    );
}

#[test]
fn cosine_at_0_half_and_end() {
    // α_t = ½·α₀·(1 + cos(tπ/T)), α₀ = 0.1, T = 100
    let s = ScheduleConfig::new(Decay::Cosine {
        total_steps: 100,
        eta_min: 0.0,
    });
    check(
        &s,
        0.1,
        &[
            (0, 0.1),                   // ½·0.1·(1 + cos 0) = 0.1
            (25, 0.08535533905932738),  // ½·0.1·(1 + cos(π/4)) = 0.05·1.7071067811865475
            (50, 0.05),                 // ½·0.1·(1 + cos(π/2)) = 0.05
            (75, 0.014644660940672627), // ½·0.1·(1 − cos(π/4))
            (100, 0.0),                 // ½·0.1·(1 + cos π) = 0
            (150, 0.0),                 // stays at the floor after T
        ],
    );
    // With a floor: α_t = η_min + ½·(α₀ − η_min)·(1 + cos(tπ/T)), η_min = 0.01
    let s = ScheduleConfig::new(Decay::Cosine {
        total_steps: 100,
        eta_min: 0.01,
    });
    check(
        &s,
        0.1,
        &[
            (0, 0.1),
            (50, 0.055), /* 0.01 + ½·0.09 */
            (100, 0.01),
            (1000, 0.01),
        ],
    );
}

#[test]
fn linear() {
    // α_t = α₀·(1 − t/T), α₀ = 0.1, T = 100; 0 after T
    let s = ScheduleConfig::new(Decay::Linear { total_steps: 100 });
    check(
        &s,
        0.1,
        &[
            (0, 0.1),
            (25, 0.075),
            (50, 0.05),
            (99, 0.001),
            (100, 0.0),
            (200, 0.0),
        ],
    );
}

#[test]
fn inverse_sqrt_at_1_4_100() {
    // α_t = α₀/√t with t = max(step, 1), α₀ = 1
    let s = ScheduleConfig::new(Decay::InverseSqrt);
    check(
        &s,
        1.0,
        &[
            (0, 1.0), // t = max(0, 1) = 1
            (1, 1.0), // 1/√1
            (2, std::f64::consts::FRAC_1_SQRT_2),
            (4, 0.5),   // 1/√4
            (100, 0.1), // 1/√100
        ],
    );
}

#[test]
fn sgdr_restarts_at_t0_and_t0_plus_t0_tmult() {
    // T_0 = 10, T_mult = 2: cycles [0, 10), [10, 30), [30, 70), ...
    // α_t = ½·α₀·(1 + cos(π·T_cur/T_i)), α₀ = 1
    let s = ScheduleConfig::new(Decay::Sgdr {
        t_0: 10,
        t_mult: 2,
        eta_min: 0.0,
    });
    check(
        &s,
        1.0,
        &[
            (0, 1.0),
            (5, 0.5),                  // T_cur = 5, T_i = 10: ½(1 + cos(π/2))
            (9, 0.024471741852423234), // ½(1 + cos(9π/10))
            (10, 1.0),                 // restart at T_0
            (20, 0.5),                 // T_cur = 10 of T_i = 20
            (29, 0.00615582970243117), // ½(1 + cos(19π/20))
            (30, 1.0),                 // restart at T_0 + T_0·T_mult = 30
            (50, 0.5),                 // T_cur = 20 of T_i = 40
            (70, 1.0),                 // restart at 30 + 40
        ],
    );
    // With a floor η_min = 0.1: α = 0.1 + ½·0.9·(1 + cos(π/2)) = 0.55 halfway through a cycle.
    let s = ScheduleConfig::new(Decay::Sgdr {
        t_0: 10,
        t_mult: 2,
        eta_min: 0.1,
    });
    check(&s, 1.0, &[(5, 0.55), (20, 0.55), (30, 1.0)]);
    assert_eq!(s.snapshot_steps(100), [10, 30, 70]);
}

/// PyTorch CosineAnnealingWarmRestarts.step(epoch), transcribed: for epoch ≥ T_0 and T_mult > 1,
/// n = ⌊log_{T_mult}(epoch/T_0·(T_mult − 1) + 1)⌋, T_cur = epoch − T_0·(T_multⁿ − 1)/(T_mult − 1),
/// T_i = T_0·T_multⁿ. Returns (rate, T_cur, T_i).
fn torch_sgdr(base: f64, epoch: u64, t_0: u64, t_mult: u64, eta_min: f64) -> (f64, f64, f64) {
    let (t_cur, t_i) = if epoch < t_0 {
        (epoch as f64, t_0 as f64)
    } else if t_mult == 1 {
        ((epoch % t_0) as f64, t_0 as f64)
    } else {
        let m = t_mult as f64;
        let n = ((epoch as f64 / t_0 as f64 * (m - 1.0) + 1.0).ln() / m.ln()).floor();
        (
            epoch as f64 - t_0 as f64 * (m.powf(n) - 1.0) / (m - 1.0),
            t_0 as f64 * m.powf(n),
        )
    };
    (
        eta_min + (base - eta_min) * (1.0 + (PI * t_cur / t_i).cos()) / 2.0,
        t_cur,
        t_i,
    )
}

#[test]
fn sgdr_matches_pytorch_closed_form() {
    for (t_0, t_mult) in [(7, 1), (10, 2), (5, 2), (3, 3)] {
        let s = ScheduleConfig::new(Decay::Sgdr {
            t_0,
            t_mult,
            eta_min: 0.001,
        });
        let mut misrounded = Vec::new();
        for t in 0..2000 {
            let (want, t_cur, t_i) = torch_sgdr(0.1, t, t_0, t_mult, 0.001);
            let got = s.lr(0.1, t);
            if t_cur >= t_i {
                // PyTorch's floating logarithm rounded down at a restart (log(243)/log(3) =
                // 4.999999999999999): it reports the end of the previous cycle (η_min) where
                // the integer cycle arithmetic here restarts at α₀.
                assert!(close(want, 0.001) && close(got, 0.1), "step {t}");
                misrounded.push(t);
            } else {
                assert!(
                    (got - want).abs() < 1e-12,
                    "T_0 {t_0}, T_mult {t_mult}, step {t}: {got} vs {want}"
                );
            }
        }
        if (t_0, t_mult) == (3, 3) {
            assert_eq!(
                misrounded,
                [363],
                "3·(3⁵ − 1)/2 = 363 is the restart PyTorch misses"
            );
        } else {
            assert!(
                misrounded.is_empty(),
                "T_0 {t_0}, T_mult {t_mult}: {misrounded:?}"
            );
        }
    }
}

#[test]
fn cyclic_cosine_and_snapshot_steps() {
    // SGDR with T_mult = 1: every cycle lasts `period` = 10 steps; α₀ = 1.
    let s = ScheduleConfig::new(Decay::Cyclic {
        period: 10,
        eta_min: 0.0,
    });
    check(
        &s,
        1.0,
        &[
            (0, 1.0),
            (5, 0.5),
            (10, 1.0),
            (15, 0.5),
            (20, 1.0),
            (29, 0.024471741852423234), /* ½(1 + cos(9π/10)) */
        ],
    );
    // Snapshots after 10, 20, 30 completed updates, the low points of the cycles.
    assert_eq!(s.snapshot_steps(35), [10, 20, 30]);
    assert_eq!(s.snapshot_steps(30), [10, 20, 30]);
    assert_eq!(s.snapshot_steps(9), Vec::<u64>::new());
    assert!(ScheduleConfig::new(Decay::Cosine {
        total_steps: 10,
        eta_min: 0.0
    })
    .snapshot_steps(100)
    .is_empty());
    // Each snapshot is taken after the cycle's last update, which used the cycle's lowest rate.
    for end in s.snapshot_steps(100) {
        assert!(s.lr(1.0, end - 1) < 0.03 && s.lr(1.0, end) == 1.0);
    }
}

#[test]
fn warmup_ramps_linearly_then_hands_over() {
    // Cosine T = 100, α₀ = 0.1, warmup W = 10 from 0:
    // α_t = 0 + (s(10) − 0)·t/10 for t < 10, s(10) = ½·0.1·(1 + cos(π/10)) = 0.09755282581475769
    let s = ScheduleConfig::new(Decay::Cosine {
        total_steps: 100,
        eta_min: 0.0,
    })
    .with_warmup(10, 0.0);
    let s10 = 0.05 * (1.0 + (PI / 10.0).cos());
    assert!(close(s10, 0.09755282581475769));
    check(
        &s,
        0.1,
        &[
            (0, 0.0),
            (1, 0.009755282581475769),
            (5, 0.048776412907378845),
            (9, 0.9 * s10),
            (10, s10),
        ],
    );
    // Equal increments during the ramp, then exactly the cosine.
    for t in 1..10 {
        assert!(close(s.lr(0.1, t) - s.lr(0.1, t - 1), s10 / 10.0));
    }
    let plain = ScheduleConfig::new(Decay::Cosine {
        total_steps: 100,
        eta_min: 0.0,
    });
    for t in 10..=100 {
        assert_eq!(s.lr(0.1, t), plain.lr(0.1, t));
    }
    // With a constant schedule it is timm's warmup: α_t = lr_init + t·(α₀ − lr_init)/W.
    let c = ScheduleConfig::default().with_warmup(10, 0.01);
    check(
        &c,
        0.1,
        &[
            (0, 0.01),
            (5, 0.055), /* 0.01 + 5·0.009 */
            (10, 0.1),
            (11, 0.1),
        ],
    );
    // It composes with every schedule: ramp towards s(W), then s.
    for decay in [
        Decay::Step {
            milestones: vec![5, 20],
            gamma: 0.5,
        },
        Decay::Linear { total_steps: 50 },
        Decay::InverseSqrt,
        Decay::Sgdr {
            t_0: 8,
            t_mult: 2,
            eta_min: 0.0,
        },
        Decay::Cyclic {
            period: 8,
            eta_min: 0.0,
        },
    ] {
        let plain = ScheduleConfig::new(decay.clone());
        let warm = plain.clone().with_warmup(10, 0.0);
        for t in 0..10 {
            assert!(
                close(warm.lr(1.0, t), plain.lr(1.0, 10) * t as f64 / 10.0),
                "{decay:?} at {t}"
            );
        }
        for t in 10..60 {
            assert_eq!(warm.lr(1.0, t), plain.lr(1.0, t), "{decay:?} at {t}");
        }
    }
}

#[test]
fn curve_endpoints_and_jumps() {
    let s = ScheduleConfig::new(Decay::Cosine {
        total_steps: 100,
        eta_min: 0.0,
    });
    let c = s.curve(0.1, 100, 11);
    assert_eq!(c.len(), 11);
    assert_eq!(c.first(), Some(&(0, 0.1)));
    assert_eq!(c.last(), Some(&(100, 0.0)));
    assert_eq!(
        c.iter().map(|p| p.0).collect::<Vec<_>>(),
        (0..=100).step_by(10).collect::<Vec<_>>()
    );
    assert!(close(c[5].1, 0.05));
    // Step decay: both sides of each milestone are sampled, so the chart draws the drops.
    let s = ScheduleConfig::new(Decay::Step {
        milestones: vec![30, 60, 90],
        gamma: 0.1,
    });
    let c = s.curve(0.1, 100, 5);
    let steps: Vec<u64> = c.iter().map(|p| p.0).collect();
    assert_eq!(steps, [0, 25, 29, 30, 50, 59, 60, 75, 89, 90, 100]);
    assert!(c.contains(&(29, 0.1)) && c.iter().any(|&(t, v)| t == 30 && close(v, 0.01)));
    // Degenerate requests.
    assert!(s.curve(0.1, 100, 0).is_empty());
    assert_eq!(s.curve(0.1, 100, 1), [(0, 0.1)]);
    assert_eq!(
        s.curve(0.1, 3, 10).iter().map(|p| p.0).collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );
    assert_eq!(ScheduleConfig::default().curve(0.1, 0, 5), [(0, 0.1)]);
    // Warmup + SGDR: starts at lr_init, restarts visible.
    let s = parse(r#"{"type": "sgdr", "T_0": 100, "T_mult": 2, "warmupSteps": 20, "warmupLrInit": 0.001}"#);
    let c = s.curve(0.1, 700, 50);
    assert_eq!(c[0], (0, 0.001));
    assert!(c.contains(&(100, 0.1)) && c.contains(&(300, 0.1)) && c.iter().any(|p| p.0 == 299));
    assert_eq!(c.last().unwrap().0, 700);
}

#[test]
fn curve_over_a_huge_horizon_samples_lr_directly() {
    // 10^12 steps: SGDR with T_0 = 10 and T_mult = 1 restarts 10^11 times; building the restarts
    // (as the curve once did) runs out of memory. Sampling must cost only the points.
    let huge = 1_000_000_000_000u64;
    let started = std::time::Instant::now();
    // (schedule, restarts up to 10^12 when few enough to mark on the curve)
    for (json, restarts) in [
        (
            r#"{"type": "sgdr", "T_0": 10, "T_mult": 1, "warmupSteps": 5}"#,
            None,
        ),
        (r#"{"type": "cyclic", "period": 7}"#, None),
        (r#"{"type": "cosine", "totalSteps": 1000000000000}"#, Some(0)),
        // 3 + 9 + … + 3^k ≤ 10^12 for k ≤ 24.
        (r#"{"type": "sgdr", "T_0": 3, "T_mult": 3}"#, Some(24)),
    ] {
        let s = parse(json);
        let c = s.curve(0.1, huge, 500);
        match restarts {
            None => assert_eq!(
                c.len(),
                500,
                "{json}: too many restarts to mark, so just the even samples"
            ),
            Some(k) => {
                assert_eq!(c.len(), 500 + 2 * k, "{json}: both sides of each restart");
                assert!(
                    k == 0 || c.iter().any(|&(t, lr)| t == 3 && lr == 0.1),
                    "{json}: the first restart"
                );
            }
        }
        assert_eq!((c[0].0, c.last().unwrap().0), (0, huge), "{json}: both ends");
        for &(step, lr) in &c {
            assert_eq!(lr.to_bits(), s.lr(0.1, step).to_bits(), "{json} at step {step}");
        }
        // More points than a chart can use are capped.
        let capped = s.curve(0.1, huge, 10_000_000).len();
        assert_eq!(capped, MAX_CURVE_POINTS + 2 * restarts.unwrap_or(0), "{json}");
    }
    assert!(
        started.elapsed().as_secs_f64() < 2.0,
        "sampling took {:?}",
        started.elapsed()
    );
}

#[test]
fn config_shapes_and_aliases() {
    let cases: [(&str, ScheduleConfig); 9] = [
        (r#"{"type": "constant"}"#, ScheduleConfig::default()),
        (
            r#"{"type": "step", "milestones": [3000, 6000, 9000]}"#,
            ScheduleConfig::new(Decay::Step {
                milestones: vec![3000, 6000, 9000],
                gamma: 0.1,
            }),
        ),
        (
            r#"{"type": "cosine", "totalSteps": 1000}"#,
            ScheduleConfig::new(Decay::Cosine {
                total_steps: 1000,
                eta_min: 0.0,
            }),
        ),
        (
            r#"{"type": "cosine", "T": 1000, "eta_min": 0.001, "warmup_steps": 50}"#,
            ScheduleConfig::new(Decay::Cosine {
                total_steps: 1000,
                eta_min: 0.001,
            })
            .with_warmup(50, 0.0),
        ),
        (
            r#"{"type": "linear", "T_max": 500}"#,
            ScheduleConfig::new(Decay::Linear { total_steps: 500 }),
        ),
        (
            r#"{"type": "inverseSqrt", "warmupSteps": 100}"#,
            ScheduleConfig::new(Decay::InverseSqrt).with_warmup(100, 0.0),
        ),
        (
            r#"{"type": "sgdr", "T_0": 10, "T_mult": 2}"#,
            ScheduleConfig::new(Decay::Sgdr {
                t_0: 10,
                t_mult: 2,
                eta_min: 0.0,
            }),
        ),
        (
            r#"{"type": "sgdr", "t0": 10}"#,
            ScheduleConfig::new(Decay::Sgdr {
                t_0: 10,
                t_mult: 1,
                eta_min: 0.0,
            }),
        ),
        (
            r#"{"type": "cyclic", "period": 500, "etaMin": 1e-4}"#,
            ScheduleConfig::new(Decay::Cyclic {
                period: 500,
                eta_min: 1e-4,
            }),
        ),
    ];
    for (json, want) in cases {
        let got = parse(json);
        assert_eq!(got, want, "{json}");
        // Serialized with the primary names; parses back to the same schedule.
        let text = serde_json::to_string(&got).unwrap();
        assert_eq!(parse(&text), got, "{text}");
    }
    let text = serde_json::to_string(&parse(
        r#"{"type": "cosine", "T": 1000, "eta_min": 0.001, "warmup_steps": 50}"#,
    ))
    .unwrap();
    assert_eq!(
        text,
        r#"{"type":"cosine","totalSteps":1000,"etaMin":0.001,"warmupSteps":50,"warmupLrInit":0.0}"#
    );
    let text = serde_json::to_string(&ScheduleConfig::new(Decay::Sgdr {
        t_0: 10,
        t_mult: 2,
        eta_min: 0.0,
    }))
    .unwrap();
    assert_eq!(text, r#"{"type":"sgdr","etaMin":0.0,"T_0":10,"T_mult":2}"#);
}

#[test]
fn config_errors_name_the_field() {
    let parse_err = |json: &str| {
        serde_json::from_str::<ScheduleConfig>(json)
            .unwrap_err()
            .to_string()
    };
    let e = parse_err(r#"{"type": "exponential"}"#);
    assert!(
        e.starts_with(
            "type: must be one of constant, step, cosine, linear, invsqrt, sgdr, cyclic, got \"exponential\""
        ),
        "{e}"
    );
    let e = parse_err(r#"{"type": "cosine", "T": 100, "gamma": 0.5}"#);
    assert!(e.starts_with("gamma: not a field of the cosine schedule (its fields: totalSteps, etaMin, warmupSteps, warmupLrInit)"), "{e}");
    let e = parse_err(r#"{"type": "cosine"}"#);
    assert!(
        e.starts_with("totalSteps: required by the cosine schedule"),
        "{e}"
    );
    let e = parse_err(r#"{"type": "sgdr", "period": 5}"#);
    assert!(e.starts_with("period: not a field of the sgdr schedule"), "{e}");
    let e = parse_err(r#"{"type": "step"}"#);
    assert!(e.starts_with("milestones: required by the step schedule"), "{e}");
    let e = parse_err(r#"{"type": "constant", "warmup": 5}"#);
    assert!(e.contains("unknown field `warmup`"), "{e}");
    let e = parse_err(r#"{"type": "linear", "totalSteps": -5}"#);
    assert!(e.contains("-5"), "{e}");

    let invalid = |json: &str, want: &str| {
        let s: ScheduleConfig = serde_json::from_str(json).unwrap();
        assert_eq!(s.validate().unwrap_err(), want, "{json}");
    };
    invalid(
        r#"{"type": "step", "milestones": [60, 30]}"#,
        "milestones: must be strictly increasing, got 60 before 30 in [60, 30]",
    );
    invalid(
        r#"{"type": "step", "milestones": [30], "gamma": 0}"#,
        "gamma: must be a positive finite number, got 0",
    );
    invalid(
        r#"{"type": "cosine", "T": 0}"#,
        "totalSteps: must be at least 1, got 0",
    );
    invalid(
        r#"{"type": "cosine", "T": 10, "etaMin": -0.1}"#,
        "etaMin: must be a finite number ≥ 0, got -0.1",
    );
    invalid(
        r#"{"type": "linear", "T": 100, "warmupSteps": 100}"#,
        "warmupSteps: must be less than totalSteps (100), got 100",
    );
    invalid(r#"{"type": "sgdr", "T_0": 0}"#, "T_0: must be at least 1, got 0");
    invalid(
        r#"{"type": "sgdr", "T_0": 5, "T_mult": 0}"#,
        "T_mult: must be an integer ≥ 1, got 0",
    );
    invalid(
        r#"{"type": "cyclic", "period": 0}"#,
        "period: must be at least 1, got 0",
    );
    invalid(
        r#"{"type": "constant", "warmupSteps": 5, "warmupLrInit": -1}"#,
        "warmupLrInit: must be a finite number ≥ 0, got -1",
    );
}
