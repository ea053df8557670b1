//! The optimizer and learning-rate schedule of `train.py`, under `torch.optim` names. The core's
//! optimizers have PyTorch's semantics already (src/optim/), so each maps to its torch class with
//! the same hyperparameters; weight decay goes to conv/linear weights only (the core decays neither
//! biases nor batch norm's γ, β), as a second parameter group with weight_decay 0.
//! The core's schedules are pure functions of the step (src/schedule/); each becomes the
//! `torch.optim.lr_scheduler` class with the same curve, stepped after every optimizer step. A
//! warmup (timm's convention, aiming at the schedule's own value at W) has no torch class that
//! composes the same way, so with one the whole curve is a `LambdaLR` of the core's closed form.

use super::names::Row;
use super::py_float;
use crate::optim::OptimizerConfig;
use crate::schedule::{Decay, ScheduleConfig};

/// `make_optimizer(net, lr)` and the header rows that name its settings.
pub fn optimizer(config: &OptimizerConfig, implicit: bool, rows: &mut Vec<Row>) -> String {
    let (call, decay) = match config {
        OptimizerConfig::Sgd {
            momentum,
            nesterov,
            weight_decay,
        } => (
            format!(
                "torch.optim.SGD(groups, lr=lr, momentum={}, nesterov={}, dampening=0)",
                py_float(*momentum),
                if *nesterov { "True" } else { "False" }
            ),
            *weight_decay,
        ),
        OptimizerConfig::Adagrad {
            eps,
            initial_accumulator_value,
            weight_decay,
        } => (
            format!(
                "torch.optim.Adagrad(groups, lr=lr, eps={}, initial_accumulator_value={}, lr_decay=0)",
                py_float(*eps),
                py_float(*initial_accumulator_value)
            ),
            *weight_decay,
        ),
        OptimizerConfig::Rmsprop {
            alpha,
            eps,
            momentum,
            weight_decay,
        } => (
            format!(
                "torch.optim.RMSprop(groups, lr=lr, alpha={}, eps={}, momentum={}, centered=False)",
                py_float(*alpha),
                py_float(*eps),
                py_float(*momentum)
            ),
            *weight_decay,
        ),
        OptimizerConfig::Adam {
            betas,
            eps,
            weight_decay,
        } => (
            format!(
                "torch.optim.Adam(groups, lr=lr, betas=({}, {}), eps={})  # L2 decay through the moments",
                py_float(betas[0]),
                py_float(betas[1]),
                py_float(*eps)
            ),
            *weight_decay,
        ),
        OptimizerConfig::Adamw {
            betas,
            eps,
            weight_decay,
        } => (
            format!(
                "torch.optim.AdamW(groups, lr=lr, betas=({}, {}), eps={})  # decoupled decay",
                py_float(betas[0]),
                py_float(betas[1]),
                py_float(*eps)
            ),
            *weight_decay,
        ),
    };
    let torch_call = call.split("  #").next().unwrap_or(&call).replace("groups, ", "");
    if implicit {
        let (momentum, wd) = match config {
            OptimizerConfig::Sgd {
                momentum,
                weight_decay,
                ..
            } => (*momentum, *weight_decay),
            _ => (0.0, 0.0),
        };
        rows.push(Row::new(
            "momentum",
            &py_float(momentum),
            &format!("SGD(momentum={})", py_float(momentum)),
        ));
        rows.push(Row::new(
            "weightDecay",
            &py_float(wd),
            &format!("weight_decay={} on conv/linear weights only", py_float(wd)),
        ));
    } else {
        let json = serde_json::to_string(config).expect("an optimizer config serializes");
        let with_decay = format!(
            "{}, weight_decay={} on conv/linear weights)",
            torch_call.trim_end_matches(')'),
            py_float(decay)
        );
        rows.push(Row::new("optimizer", &json, &with_decay));
    }
    format!(
        r#"def make_optimizer(net, lr):
    """{call_short} - weight decay {wd} on conv/linear weights only (as trainlab: biases
    and batch norm's weight/bias are not decayed)."""
    decayed = [m.weight for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    ids = {{id(p) for p in decayed}}
    rest = [p for p in net.parameters() if id(p) not in ids]
    groups = [
        {{"params": decayed, "weight_decay": {wd}}},
        {{"params": rest, "weight_decay": 0.0}},
    ]
    return {call}
"#,
        call_short = torch_call,
        wd = py_float(decay),
    )
}

/// `make_scheduler(optimizer)`, `ends_cycle(t)` of a snapshot ensemble, the default number of
/// steps (the schedule's length; None: the script's epochs) and the header row.
pub fn schedule(schedule: &ScheduleConfig, snapshots: bool, rows: &mut Vec<Row>) -> (String, Option<u64>) {
    let spec = serde_json::to_string(&crate::schedule::ScheduleSpec::from(schedule.clone()))
        .expect("a schedule serializes");
    let (class, length) = match &schedule.decay {
        Decay::Constant => ("LambdaLR(optimizer, lambda t: 1.0)  # constant".to_string(), None),
        Decay::Step { milestones, gamma } => (
            format!(
                "MultiStepLR(optimizer, milestones={milestones:?}, gamma={})",
                py_float(*gamma)
            ),
            milestones.last().map(|m| m + m / 10),
        ),
        Decay::Cosine { total_steps, eta_min } => (
            format!(
                "CosineAnnealingLR(optimizer, T_max={total_steps}, eta_min={})",
                py_float(*eta_min)
            ),
            Some(*total_steps),
        ),
        Decay::Linear { total_steps } => (
            format!("LinearLR(optimizer, start_factor=1.0, end_factor=0.0, total_iters={total_steps})"),
            Some(*total_steps),
        ),
        Decay::InverseSqrt => (
            "LambdaLR(optimizer, lambda t: 1 / math.sqrt(max(t, 1)))  # inverse square root".to_string(),
            None,
        ),
        Decay::Sgdr { t_0, t_mult, eta_min } => (
            format!(
                "CosineAnnealingWarmRestarts(optimizer, T_0={t_0}, T_mult={t_mult}, eta_min={})",
                py_float(*eta_min)
            ),
            None,
        ),
        Decay::Cyclic { period, eta_min } => (
            format!(
                "CosineAnnealingWarmRestarts(optimizer, T_0={period}, T_mult=1, eta_min={})  # cyclic",
                py_float(*eta_min)
            ),
            None,
        ),
    };
    let torch_name = format!("lr_scheduler.{}", class.split("  #").next().unwrap_or(&class));
    let warmup = schedule.warmup;
    let body = if warmup.steps == 0 {
        rows.push(Row::new("schedule", &spec, &torch_name));
        format!("    return torch.optim.lr_scheduler.{class}\n")
    } else {
        rows.push(Row::new(
            "schedule",
            &spec,
            &format!(
                "LambdaLR(warmup ramp, then {})",
                torch_name.trim_start_matches("lr_scheduler.")
            ),
        ));
        format!(
            r#"    # The decay alone would be torch.optim.lr_scheduler.{class}.
    # With trainlab's warmup (timm's warmup_lr_init, the ramp aiming at the decay's own rate at step
    # {w}, which runs on the absolute step) no torch class composes the same way: the closed form.
    base = optimizer.param_groups[0]["lr"]
    init = {lr_init}

    def decay(t):
{decay}
    def factor(t):
        if t < {w}:
            return (init + (decay({w}) - init) * t / {w}) / base
        return decay(t) / base

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
"#,
            w = warmup.steps,
            lr_init = py_float(warmup.lr_init),
            decay = closed_form(&schedule.decay),
        )
    };
    let ends_cycle = match (&schedule.decay, snapshots) {
        (Decay::Cyclic { period, .. }, true) => format!("    return t > 0 and t % {period} == 0\n"),
        (Decay::Sgdr { t_0, t_mult, .. }, true) => format!(
            "    end, length = {t_0}, {t_0}\n    while end < t:\n        length *= max({t_mult}, 1)\n        end += length\n    return end == t\n"
        ),
        _ => "    return False  # snapshotEnsemble is off\n".into(),
    };
    let code = format!(
        r#"def make_scheduler(optimizer):
    """The config's schedule, stepped once per iteration (trainlab's rate of update t is the
    schedule at t, counted from 0)."""
{body}

# Snapshot ensemble (snapshotEnsemble): the model after the last update of each cycle of the
# schedule, their probabilities averaged at the end; trainlab keeps the newest MAX_SNAPSHOTS.
MAX_SNAPSHOTS = {max}


def ends_cycle(t):
    """Whether t updates end a cycle of the schedule (a snapshot is taken there)."""
{ends_cycle}"#,
        max = crate::session::MAX_SNAPSHOTS,
    );
    (code, length)
}

/// The decay's rate at step t as Python (the body of `decay(t)`, indented for it; `base` is α₀).
fn closed_form(decay: &Decay) -> String {
    match decay {
        Decay::Constant => "        return base\n".into(),
        Decay::Step { milestones, gamma } => format!(
            "        return base * {} ** sum(1 for m in {milestones:?} if m <= t)\n",
            py_float(*gamma)
        ),
        Decay::Cosine { total_steps, eta_min } => format!(
            "        if t >= {total_steps}:\n            return {e}\n        return {e} + 0.5 * (base - {e}) * (1 + math.cos(math.pi * t / {total_steps}))\n",
            e = py_float(*eta_min)
        ),
        Decay::Linear { total_steps } => {
            format!("        return base * max(0.0, 1 - t / {total_steps})\n")
        }
        Decay::InverseSqrt => "        return base / math.sqrt(max(t, 1))\n".into(),
        Decay::Sgdr { t_0, t_mult, eta_min } => format!(
            "        start, length = 0, {t_0}\n        while t - start >= length:\n            start, length = start + length, length * max({t_mult}, 1)\n        return {e} + 0.5 * (base - {e}) * (1 + math.cos(math.pi * (t - start) / length))\n",
            e = py_float(*eta_min)
        ),
        Decay::Cyclic { period, eta_min } => format!(
            "        return {e} + 0.5 * (base - {e}) * (1 + math.cos(math.pi * (t % {period}) / {period}))\n",
            e = py_float(*eta_min)
        ),
    }
}
