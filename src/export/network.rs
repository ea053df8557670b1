//! The network part of `train.py`: the resolved layer list as an `nn.Sequential` named `features`,
//! one PyTorch module per trainlab layer at the same index, so the state-dict keys are the core's
//! parameter names (`features.{i}.weight`, a residual body's `features.{i}.body.{j}.…`; see
//! src/model/params.rs), plus the few small modules PyTorch has no equivalent for and the weight
//! initialization under `torch.nn.init` names.

use super::py_float;
use crate::config::LayerSpec;
use crate::nn::activation::LEAKY_SLOPE;
use crate::nn::{fractional_pool::fmp_output_size, BatchNormConfig, Init, OUTPUT_GAIN, SMALL_STD};
use std::collections::BTreeSet;
use std::fmt::Write;

/// The Python of the network and what the rest of the script needs to know about it.
pub struct Network {
    /// Helper classes, `Net`, `init_weights`, `build_model` and the network's constants.
    pub code: String,
    /// Whether evaluation is random (fractional max pooling), so it averages several passes.
    pub random_at_eval: bool,
}

/// Small modules written out in the script only when a layer uses them.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Helper {
    Step,
    Sinc,
    FlatLinear,
    DropConnect,
    Residual,
}

const STEP: &str = r#"
class Step(nn.Module):
    """Heaviside step, 1 for x >= 0 else 0, with zero gradient (trainlab's `step`; no torch module)."""

    def forward(self, x):
        return (x >= 0).to(x.dtype) + 0.0 * x  # + 0*x keeps the graph: the gradient is exactly 0
"#;

const SINC: &str = r#"
class Sinc(nn.Module):
    """sin(x)/x with sinc(0) = 1 (trainlab's `sinc`; torch.sinc is the normalized sin(pi x)/(pi x))."""

    def forward(self, x):
        small = x.abs() < 1e-3  # Taylor series there, as trainlab, to avoid 0/0
        safe = torch.where(small, torch.ones_like(x), x)
        x2 = x * x
        return torch.where(small, 1 - x2 / 6 + x2 * x2 / 120, torch.sin(safe) / safe)
"#;

const FLAT_LINEAR: &str = r#"
class FlatLinear(nn.Linear):
    """nn.Linear that flattens an image input first (trainlab's Linear takes C*H*W features)."""

    def forward(self, x):
        return super().forward(x.flatten(1))
"#;

const DROP_CONNECT: &str = r#"
class DropConnectLinear(nn.Linear):
    """nn.Linear with DropConnect (Wan et al. 2013), as trainlab does it: in training one
    Bernoulli(1 - p) mask over the weight matrix per forward, shared by the batch, kept weights
    scaled by 1/(1 - p), the bias never masked; at test all connections (plain W). PyTorch has no
    DropConnect module, hence this one (timm's `drop_connect` flag means DropPath instead)."""

    def __init__(self, in_features, out_features, p):
        super().__init__(in_features, out_features)
        self.p = p

    def forward(self, x):
        x = x.flatten(1)
        if not self.training or self.p == 0:
            return super().forward(x)
        mask = torch.bernoulli(torch.full_like(self.weight, 1 - self.p)) / (1 - self.p)
        return nn.functional.linear(x, self.weight * mask, self.bias)
"#;

const RESIDUAL: &str = r#"
class Residual(nn.Module):
    """ReLU(b * body(x) + x), trainlab's residual block with stochastic depth (Huang et al. 2016):
    in training b ~ Bernoulli(survival), one draw per batch, the body skipped when b = 0 and the
    kept branch not rescaled; at test ReLU(survival * body(x) + x). torchvision.ops.StochasticDepth
    (p = 1 - survival, mode="batch") and timm's DropPath are the same in expectation but use the
    inverted form (kept branches x 1/survival in training, identity at test; DropPath per sample),
    so this block follows trainlab exactly instead."""

    def __init__(self, body, survival):
        super().__init__()
        self.body = body
        self.survival = survival

    def forward(self, x):
        if self.training:
            if self.survival < 1 and torch.rand(()) >= self.survival:
                return torch.relu(x)
            return torch.relu(self.body(x) + x)
        return torch.relu(self.survival * self.body(x) + x)
"#;

fn helper_code(h: Helper) -> &'static str {
    match h {
        Helper::Step => STEP,
        Helper::Sinc => SINC,
        Helper::FlatLinear => FLAT_LINEAR,
        Helper::DropConnect => DROP_CONNECT,
        Helper::Residual => RESIDUAL,
    }
}

/// Per-sample shape after one layer (as the core's builder computes it), and whether PyTorch's
/// tensor is flat (N, F) afterwards.
fn next_shape(spec: &LayerSpec, [c, h, w]: [usize; 3], flat: bool) -> ([usize; 3], bool) {
    let window = |side: usize, k: usize, s: usize, p: usize| (side + 2 * p - k) / s + 1;
    match spec {
        LayerSpec::Conv2d {
            out_channels,
            kernel_size,
            stride,
            padding,
        } => (
            [
                *out_channels,
                window(h, *kernel_size, *stride, *padding),
                window(w, *kernel_size, *stride, *padding),
            ],
            false,
        ),
        LayerSpec::Maxpool2d { kernel_size, stride } | LayerSpec::Avgpool2d { kernel_size, stride } => {
            let s = stride.unwrap_or(*kernel_size);
            (
                [c, window(h, *kernel_size, s, 0), window(w, *kernel_size, s, 0)],
                false,
            )
        }
        LayerSpec::Linear { out_features, .. } => ([*out_features, 1, 1], true),
        LayerSpec::Flatten => ([c * h * w, 1, 1], true),
        LayerSpec::Fractionalmaxpool2d { alpha, .. } => {
            ([c, fmp_output_size(h, *alpha), fmp_output_size(w, *alpha)], false)
        }
        _ => ([c, h, w], flat),
    }
}

/// Writes the modules of `specs` (one line each, indented by `indent`), recursing into residual
/// bodies. `path` is the layer's name in the config for messages (`layers[3]`).
struct Writer {
    helpers: BTreeSet<Helper>,
    random_at_eval: bool,
    skips: bool,
    /// (module path, torch.nn.init call) of every weight to initialize, in order.
    inits: Vec<(String, String)>,
    init: Init,
}

impl Writer {
    /// The `torch.nn.init` call that draws a weight as the core's `init` does.
    fn init_call(&self, init: Init, fan_in: usize) -> String {
        match init {
            Init::Kaiming => {
                "nn.init.kaiming_normal_(m.weight, mode=\"fan_in\", nonlinearity=\"relu\")  # std sqrt(2/fan_in)".into()
            }
            // torch's xavier_normal_ averages fan_in and fan_out; the lecture's Xavier is 1/sqrt(fan_in).
            Init::Xavier => {
                "nn.init.kaiming_normal_(m.weight, mode=\"fan_in\", nonlinearity=\"linear\")  # std 1/sqrt(fan_in)".into()
            }
            Init::Small => format!("nn.init.normal_(m.weight, std={})  # init small", py_float(SMALL_STD)),
            Init::Output => format!(
                "nn.init.normal_(m.weight, std={})  # the classifier: {OUTPUT_GAIN}/sqrt(fan_in), initial loss ~ ln(classes)",
                py_float(OUTPUT_GAIN / (fan_in as f64).sqrt())
            ),
        }
    }

    /// `start` is the per-sample shape the layers receive and whether PyTorch's tensor is flat.
    fn layers(
        &mut self,
        specs: &[LayerSpec],
        start: ([usize; 3], bool),
        prefix: &str,
        classifier: Option<usize>,
        out: &mut String,
        indent: &str,
    ) -> Result<(), String> {
        let (mut shape, mut flat) = start;
        for (i, spec) in specs.iter().enumerate() {
            let name = format!("{prefix}.{i}");
            let [c, h, w] = shape;
            let image_only = |what: &str| -> Result<(), String> {
                if flat {
                    Err(format!(
                        "{name} ({what}): comes after a flatten or linear layer, where PyTorch's tensor is no longer an image; the export needs image layers before the flatten"
                    ))
                } else {
                    Ok(())
                }
            };
            let init = if Some(i) == classifier {
                Init::Output
            } else {
                self.init
            };
            let module = match spec {
                LayerSpec::Conv2d {
                    out_channels,
                    kernel_size,
                    stride,
                    padding,
                } => {
                    image_only("conv2d")?;
                    let fan_in = c * kernel_size * kernel_size;
                    self.inits.push((name.clone(), self.init_call(init, fan_in)));
                    format!(
                        "nn.Conv2d({c}, {out_channels}, kernel_size={kernel_size}, stride={stride}, padding={padding})"
                    )
                }
                LayerSpec::Maxpool2d { kernel_size, stride } => {
                    image_only("maxpool2d")?;
                    format!(
                        "nn.MaxPool2d({kernel_size}, stride={})",
                        stride.unwrap_or(*kernel_size)
                    )
                }
                LayerSpec::Avgpool2d { kernel_size, stride } => {
                    image_only("avgpool2d")?;
                    format!(
                        "nn.AvgPool2d({kernel_size}, stride={})",
                        stride.unwrap_or(*kernel_size)
                    )
                }
                LayerSpec::Linear {
                    out_features,
                    drop_connect,
                } => {
                    let fan_in = c * h * w;
                    self.inits.push((name.clone(), self.init_call(init, fan_in)));
                    if *drop_connect > 0.0 {
                        self.helpers.insert(Helper::DropConnect);
                        format!(
                            "DropConnectLinear({fan_in}, {out_features}, p={})  # dropConnect",
                            py_float(*drop_connect)
                        )
                    } else if flat {
                        format!("nn.Linear({fan_in}, {out_features})")
                    } else {
                        self.helpers.insert(Helper::FlatLinear);
                        format!("FlatLinear({fan_in}, {out_features})")
                    }
                }
                LayerSpec::Flatten => "nn.Flatten()".into(),
                LayerSpec::Dropout { p } => format!("nn.Dropout(p={})", py_float(*p)),
                LayerSpec::Batchnorm => {
                    let bn = BatchNormConfig::default();
                    let kind = if flat { "BatchNorm1d" } else { "BatchNorm2d" };
                    format!(
                        "nn.{kind}({c}, eps={}, momentum={})",
                        py_float(bn.eps),
                        py_float(bn.momentum)
                    )
                }
                LayerSpec::Fractionalmaxpool2d { alpha, overlapping } => {
                    image_only("fractionalmaxpool2d")?;
                    self.random_at_eval = true;
                    let (oh, ow) = (fmp_output_size(h, *alpha), fmp_output_size(w, *alpha));
                    let kind = if *overlapping { "overlapping" } else { "disjoint" };
                    format!(
                        "nn.FractionalMaxPool2d(2, output_size=({oh}, {ow}))  # alpha {}: 1/alpha = output_ratio; trainlab's regions are {kind}, see the header",
                        py_float(*alpha)
                    )
                }
                LayerSpec::Residual { body, survival } => {
                    image_only("residual")?;
                    self.helpers.insert(Helper::Residual);
                    let survival = survival.unwrap_or(1.0);
                    if survival < 1.0 {
                        self.skips = true;
                    }
                    let mut inner = String::new();
                    let deeper = format!("{indent}    ");
                    self.layers(
                        body,
                        (shape, flat),
                        &format!("{name}.body"),
                        None,
                        &mut inner,
                        &deeper,
                    )?;
                    format!(
                        "Residual(nn.Sequential(\n{inner}{indent}), survival={})",
                        py_float(survival)
                    )
                }
                other => {
                    let (kind, alpha) = other.as_activation().expect("every other spec is an activation");
                    activation(kind.name(), alpha, &mut self.helpers)
                }
            };
            // A module may carry a note after "  # "; the line's comment names the layer first.
            let note = if module.contains('\n') {
                None
            } else {
                module.split_once("  # ")
            };
            let line = match note {
                Some((code, note)) => format!("{indent}{code},  # {name}: {note}"),
                None => format!("{indent}{module},  # {name}"),
            };
            writeln!(out, "{line}").expect("a String takes writes");
            (shape, flat) = next_shape(spec, shape, flat);
        }
        Ok(())
    }
}

/// The torch module of one of the core's twelve activations.
fn activation(name: &str, alpha: f64, helpers: &mut BTreeSet<Helper>) -> String {
    match name {
        "sigmoid" => "nn.Sigmoid()".into(),
        "tanh" => "nn.Tanh()".into(),
        "step" => {
            helpers.insert(Helper::Step);
            "Step()".into()
        }
        "softplus" => "nn.Softplus()".into(),
        "relu" => "nn.ReLU()".into(),
        "softsign" => "nn.Softsign()".into(),
        "elu" => format!("nn.ELU(alpha={})", py_float(alpha)),
        "logsigmoid" => "nn.LogSigmoid()".into(),
        "leakyrelu" => format!("nn.LeakyReLU({})", py_float(LEAKY_SLOPE)),
        "swish" => "nn.SiLU()".into(),
        "sinc" => {
            helpers.insert(Helper::Sinc);
            "Sinc()".into()
        }
        _ => "nn.Mish()".into(),
    }
}

/// The network of `specs` on `input` images as Python.
pub fn network(specs: &[LayerSpec], input: [usize; 3], init: Init) -> Result<Network, String> {
    let classifier = specs
        .iter()
        .rposition(|s| matches!(s, LayerSpec::Conv2d { .. } | LayerSpec::Linear { .. }));
    let mut writer = Writer {
        helpers: BTreeSet::new(),
        random_at_eval: false,
        skips: false,
        inits: Vec::new(),
        init,
    };
    let mut layers = String::new();
    writer.layers(
        specs,
        (input, false),
        "features",
        classifier,
        &mut layers,
        "            ",
    )?;
    let mut code = String::new();
    for h in &writer.helpers {
        code.push_str(helper_code(*h));
        code.push('\n');
    }
    code.push_str(&format!(
        r#"
class Net(nn.Module):
    """trainlab's layer list in order; `features.{{i}}` is the core's layer i."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
{layers}        )

    def forward(self, x):
        return self.features(x)


"#
    ));
    code.push_str(&init_code(&writer.inits));
    code.push_str(&format!(
        "\n\n# Evaluation is random with fractional max pooling: average this many passes, as trainlab does.\nEVAL_PASSES = {}\n# Stochastic depth skips residual bodies: DistributedDataParallel must allow unused parameters.\nSKIPS_LAYERS = {}\n",
        if writer.random_at_eval { crate::session::EVAL_SAMPLES } else { 1 },
        if writer.skips { "True" } else { "False" },
    ));
    Ok(Network {
        code,
        random_at_eval: writer.random_at_eval,
    })
}

/// `init_weights`: every conv/linear weight drawn from a normal distribution as the core draws it
/// (not the same numbers: another RNG), biases zero, batch norm γ = 1, β = 0 (PyTorch's default).
fn init_code(inits: &[(String, String)]) -> String {
    let mut s = String::from(
        "def init_weights(net):\n    \"\"\"The config's `init`, as trainlab draws it (other random numbers, the same distribution).\"\"\"\n    modules = dict(net.named_modules())\n",
    );
    for (name, call) in inits {
        writeln!(
            s,
            "    m = modules[\"{name}\"]\n    {call}\n    nn.init.zeros_(m.bias)"
        )
        .expect("a String takes writes");
    }
    s.push_str(
        "\n\ndef build_model():\n    \"\"\"A fresh network with the config's initialization.\"\"\"\n    net = Net()\n    init_weights(net)\n    return net\n",
    );
    s
}
