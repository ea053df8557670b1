"""PyTorch CPU contender of the benchmark (bench/README.md): the anchor a user would pick instead.

    python bench/pytorch_bench.py [--quick] [--workloads=lenet,vgg-mini] [--batches=1,16,64]

Started by bench/run.mjs after the browser has closed (as the native build is), with the Python that
bench/run.sh prepared (torch from PyPI). The networks are read from bench/lib/nets.js (through
node), so PyTorch trains exactly the layer lists every other contender trains; the parameter count
is reported and checked by run.mjs. One thread (torch.set_num_threads(1)), SGD with momentum 0.9 and
lr 0.01, cross-entropy, random images in [0, 1) and random labels cycling through max(8·batch, 256)
images, like trainlab's trainSize. Each cell warms up (10 steps and 1 s; 5 and 0.5 s with --quick),
then times single steps (20; 10 with --quick; at most ~15 s, 5 s with --quick, at least 3 steps)
and reports the median and the fastest.

Prints JSON on stdout: {torch, threads, capability, results: [{workload, batch, params, imgPerSec,
medianMs, minMs, steps, warmup, lastLoss}]}; progress goes to stderr.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import torch
from torch import nn

BENCH = os.path.dirname(os.path.abspath(__file__))

# Evaluates nets.js the way run.mjs does (a classic script that sets BENCH_NETS) and prints its
# layer lists: one definition of the workloads for every contender.
NODE_DUMP = """
const fs = require("fs"), vm = require("vm");
vm.runInThisContext(fs.readFileSync(process.argv[1], "utf8"));
process.stdout.write(JSON.stringify(globalThis.BENCH_NETS.WORKLOADS));
"""


def load_workloads():
    out = subprocess.run(
        ["node", "-e", NODE_DUMP, os.path.join(BENCH, "lib", "nets.js")],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def build(spec):
    """nn.Sequential from a nets.js layer list (channels-last [H, W, C] there, NCHW here)."""
    h, w, c = spec["input"]
    layers = []
    flat = False
    for layer in spec["layers"]:
        kind = layer["type"]
        if kind == "conv":
            k = layer["k"]
            if layer["pad"] == "same" and k % 2 == 0:
                # nets.js pads an even kernel asymmetrically; no workload has one.
                raise ValueError(f"even kernel {k} with 'same' padding is not supported")
            pad = (k - 1) // 2 if layer["pad"] == "same" else 0
            layers.append(nn.Conv2d(c, layer["out"], k, stride=1, padding=pad))
            h, w, c = h + 2 * pad - k + 1, w + 2 * pad - k + 1, layer["out"]
            if layer.get("relu"):
                layers.append(nn.ReLU())
        elif kind == "pool":
            layers.append(nn.MaxPool2d(2, 2))
            h, w = h // 2, w // 2
        elif kind == "fc":
            if not flat:
                layers.append(nn.Flatten())
                flat = True
            layers.append(nn.Linear(h * w * c, layer["out"]))
            h, w, c = 1, 1, layer["out"]
            if layer.get("relu"):
                layers.append(nn.ReLU())
        else:
            raise ValueError(f"unknown layer type {kind}")
    if h * w * c != spec["classes"]:
        raise ValueError(f"the last layer outputs {h * w * c} values, not {spec['classes']} classes")
    return nn.Sequential(*layers)


def measure(name, spec, batch, quick):
    torch.manual_seed(1)
    model = build(spec)
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    h, w, c = spec["input"]
    n = max(8 * batch, 256)
    images = torch.rand(n, c, h, w)
    labels = torch.randint(0, spec["classes"], (n,))
    at = 0

    def step():
        nonlocal at
        # Cycle through the n images in batches (wrapping as trainlab's epochs do).
        idx = torch.arange(at, at + batch) % n
        at = (at + batch) % n
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(images[idx]), labels[idx])
        loss.backward()
        opt.step()
        return loss.item()  # eager CPU is synchronous; .item() also forces the value

    warm_steps, meas_steps = (5, 10) if quick else (10, 20)
    warm_s, cap_s = (0.5, 5.0) if quick else (1.0, 15.0)
    t0 = time.perf_counter()
    warm = 0
    while warm < warm_steps or time.perf_counter() - t0 < warm_s:
        if warm >= 2 and time.perf_counter() - t0 > cap_s / 3:
            break
        step()
        warm += 1
    ms = []
    loss = float("nan")
    t1 = time.perf_counter()
    while len(ms) < meas_steps and (len(ms) < 3 or time.perf_counter() - t1 < cap_s):
        t = time.perf_counter()
        loss = step()
        ms.append((time.perf_counter() - t) * 1e3)
    med = statistics.median(ms)
    row = {
        "workload": name,
        "batch": batch,
        "params": params,
        "imgPerSec": batch / med * 1e3,
        "medianMs": med,
        "minMs": min(ms),
        "steps": len(ms),
        "warmup": warm,
        "lastLoss": loss if loss == loss else None,
    }
    print(
        f"pytorch {name} batch {batch}: {row['imgPerSec']:.1f} img/s "
        f"({len(ms)} steps, median {med:.2f} ms, loss {loss:.3f}, {params} params)",
        file=sys.stderr,
    )
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--workloads", default="lenet,cifar-convnetjs,vgg-mini")
    ap.add_argument("--batches", default=None)
    args = ap.parse_args()
    batches = args.batches or ("64" if args.quick else "1,16,64")
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    specs = load_workloads()
    results = []
    for name in args.workloads.split(","):
        if name not in specs:
            raise SystemExit(f"--workloads: unknown workload {name!r} (nets.js has {', '.join(specs)})")
        for b in batches.split(","):
            results.append(measure(name, specs[name], int(b), args.quick))
    json.dump(
        {
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "capability": torch.backends.cpu.get_cpu_capability(),
            "results": results,
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
