"""The PyTorch export's test layer (issue 11): the generated train.py against the core.

Bundles come from `cargo run --release --example export_pytorch -- <dir>` (one directory per
config: train.py, data.safetensors, weights.safetensors, reference.safetensors); the directory is
given by TRAINLAB_BUNDLES. Run with `python -m unittest discover -s tests/python -v`.

Checked: a trainlab checkpoint loads strictly into the generated network and gives the core's
logits within 1e-4 (the max |delta| per config is printed); --eval-only agrees with the core's
validation accuracy; train.py trains 3 steps with finite losses on one CPU and under
torch.distributed.run with 2 processes (gloo); --out writes a checkpoint trainlab reads back
(same metadata keys, same tensors).
"""

import importlib.util
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import unittest

import torch
from safetensors import safe_open
from safetensors.torch import load_file

BUNDLES = os.environ.get("TRAINLAB_BUNDLES", "")
# The example binary, to read a file train.py saved as the page does (optional).
EXPORT_BIN = os.environ.get("TRAINLAB_EXPORT_BIN", "")
# What the reference logits cover, and how close PyTorch must come (the bound).
REFERENCE_IMAGES = 64
TOLERANCE = 1e-4
METADATA_KEYS = {
    "format", "formatVersion", "config", "input", "dataset", "classNames", "steps",
    "valAccuracy", "madeBy",
}


def bundle_names():
    if not os.path.isdir(BUNDLES):
        raise unittest.SkipTest(f"TRAINLAB_BUNDLES={BUNDLES!r} is not a directory of export bundles")
    names = sorted(n for n in os.listdir(BUNDLES) if os.path.isfile(os.path.join(BUNDLES, n, "train.py")))
    if not names:
        raise unittest.SkipTest(f"no bundle (a directory with train.py) in {BUNDLES}")
    return names


def path(name, file):
    return os.path.join(BUNDLES, name, file)


def load_script(name):
    """The bundle's train.py as a module (its main() does not run)."""
    spec = importlib.util.spec_from_file_location(f"train_{name.replace('-', '_')}", path(name, "train.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def metadata(file):
    with safe_open(file, framework="pt") as f:
        return f.metadata() or {}


def run_script(name, *args, processes=1):
    """Runs train.py (under torch.distributed.run for processes > 1); returns its stdout."""
    launcher = [sys.executable]
    if processes > 1:
        launcher += ["-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"]
    # two cores shared by the processes; a crash prints each thread's Python stack
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONFAULTHANDLER="1")
    result = subprocess.run(
        launcher + [path(name, "train.py"), *args],
        capture_output=True, text=True, timeout=900, env=env, cwd=os.path.join(BUNDLES, name),
    )
    if result.returncode != 0:
        raise AssertionError(f"{name}: train.py {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout}\n{result.stderr}")
    return result.stdout


def losses(stdout):
    return [float(x) for x in re.findall(r"^step \d+ loss (\S+)", stdout, re.MULTILINE)]


class Network(unittest.TestCase):
    """The generated network is the core's: names, shapes and logits."""

    def test_checkpoint_loads_strictly_and_gives_the_cores_logits(self):
        worst = {}
        for name in bundle_names():
            with self.subTest(config=name):
                train = load_script(name)
                net = train.Net()
                steps = train.load_checkpoint(net, path(name, "weights.safetensors"))
                self.assertGreater(steps, 0, "the bundle's weights were trained natively first")
                net.eval()
                data = train.load_data(path(name, "data.safetensors"))
                x = train.normalize(data["val_images"][:REFERENCE_IMAGES], data["mean"], data["std"])
                with torch.no_grad():
                    logits = net(x)
                reference = load_file(path(name, "reference.safetensors"))["logits"]
                self.assertEqual(tuple(logits.shape), tuple(reference.shape))
                delta = (logits - reference).abs().max().item()
                worst[name] = delta
                scale = reference.abs().max().item()
                print(f"\n  {name}: max |delta logits| = {delta:.3g} over {tuple(reference.shape)} "
                      f"(largest |logit| {scale:.3g})", file=sys.stderr)
                self.assertLess(delta, TOLERANCE)
        self.assertTrue(worst)

    def test_state_dict_keys_and_shapes_are_the_checkpoints(self):
        for name in bundle_names():
            with self.subTest(config=name):
                net = load_script(name).Net()
                file = load_file(path(name, "weights.safetensors"))
                ours = {k: tuple(v.shape) for k, v in net.state_dict().items()}
                theirs = {k: tuple(v.shape) for k, v in file.items()}
                counters = {k for k in ours if k.endswith("num_batches_tracked")}
                # formatVersion 1 files leave the batch-norm counters out; 2 writes them.
                self.assertEqual({k: s for k, s in ours.items() if k not in counters},
                                 {k: s for k, s in theirs.items() if k not in counters})
                self.assertLessEqual(set(theirs) - set(ours), set())

    def test_eval_only_agrees_with_the_cores_validation_accuracy(self):
        for name in bundle_names():
            with self.subTest(config=name):
                out = run_script(name, "--weights", "weights.safetensors", "--eval-only")
                found = re.search(r"val accuracy (\S+)", out)
                self.assertIsNotNone(found, out)
                core = float(metadata(path(name, "weights.safetensors"))["valAccuracy"])
                if metadata(path(name, "data.safetensors"))["quantized"] == "false":
                    # A loaded set is exported byte for byte: the same inputs, the same accuracy.
                    self.assertAlmostEqual(float(found.group(1)), core, places=4)
                else:
                    # A generated set's floats became bytes (rounded intensities): a borderline
                    # image may flip.
                    self.assertAlmostEqual(float(found.group(1)), core, delta=0.03)


class Training(unittest.TestCase):
    """train.py trains, alone and distributed, and writes a checkpoint trainlab reads."""

    def test_three_steps_on_one_cpu(self):
        for name in bundle_names():
            with self.subTest(config=name):
                out = run_script(name, "--weights", "weights.safetensors", "--steps", "3", "--print-every", "1")
                found = losses(out)
                self.assertEqual(len(found), 3, out)
                self.assertTrue(all(math.isfinite(x) for x in found), out)

    def test_three_steps_with_two_processes(self):
        for name in [n for n in bundle_names() if n in ("default", "resnet-mini")]:
            with self.subTest(config=name):
                out = run_script(name, "--steps", "3", "--print-every", "1", processes=2)
                self.assertIn("2 process(es)", out)
                self.assertIn("effective batch", out)
                found = losses(out)
                self.assertEqual(len(found), 3, out)  # rank 0 alone prints
                self.assertTrue(all(math.isfinite(x) for x in found), out)

    def test_two_processes_save_before_they_end(self):
        """Distributed processes end with os._exit after a barrier: rank 0's checkpoint is whole."""
        name = bundle_names()[0]
        with tempfile.TemporaryDirectory() as tmp:
            out_file = os.path.join(tmp, "trained.safetensors")
            out = run_script(name, "--steps", "2", "--out", out_file, processes=2)
            self.assertIn(f"saved {out_file}", out)
            after = metadata(out_file)
            self.assertEqual(after["format"], "trainlab-weights")
            self.assertEqual(json.loads(after["steps"]), 2, after)
            with safe_open(out_file, framework="pt") as f:  # every tensor reads back whole
                self.assertTrue(all(f.get_tensor(k).numel() > 0 for k in f.keys()))

    def test_out_writes_a_trainlab_checkpoint(self):
        name = bundle_names()[0]
        weights = path(name, "weights.safetensors")
        before = metadata(weights)
        with tempfile.TemporaryDirectory() as tmp:
            out_file = os.path.join(tmp, "trained.safetensors")
            run_script(name, "--weights", weights, "--steps", "3", "--out", out_file)
            after = metadata(out_file)
            self.assertEqual(set(after), METADATA_KEYS)
            self.assertEqual(after["format"], "trainlab-weights")
            self.assertEqual(after["formatVersion"], before["formatVersion"])
            self.assertEqual(json.loads(after["config"]), json.loads(before["config"]))
            self.assertEqual(json.loads(after["input"]), json.loads(before["input"]))
            self.assertEqual(json.loads(after["classNames"]), json.loads(before["classNames"]))
            self.assertEqual(after["dataset"], before["dataset"])
            self.assertEqual(int(after["steps"]), int(before["steps"]) + 3)
            self.assertIn("--out", after["madeBy"])
            trained, start = load_file(out_file), load_file(weights)
            self.assertEqual({k: v.shape for k, v in trained.items()}, {k: v.shape for k, v in start.items()})
            self.assertTrue(all(v.dtype == start[k].dtype for k, v in trained.items()))
            moved = [k for k in trained if trained[k].dtype == torch.float32 and not torch.equal(trained[k], start[k])]
            self.assertTrue(moved, "3 steps changed some weights")
            # and it loads back into the generated network strictly
            train = load_script(name)
            self.assertEqual(train.load_checkpoint(train.Net(), out_file), int(before["steps"]) + 3)
            # and into trainlab, as the page's "Open a checkpoint…" reads it
            if EXPORT_BIN:
                read = subprocess.run([EXPORT_BIN, "--read", out_file], capture_output=True, text=True, timeout=300)
                self.assertEqual(read.returncode, 0, read.stdout + read.stderr)
                found = re.search(r"read: (\d+) tensors, steps (\d+)", read.stdout)
                self.assertIsNotNone(found, read.stdout)
                floats = [k for k in trained if not k.endswith("num_batches_tracked")]  # the core skips counters
                self.assertEqual(int(found.group(1)), len(floats))
                self.assertEqual(int(found.group(2)), int(before["steps"]) + 3)


class EveryTechnique(unittest.TestCase):
    """The bundle using every technique (torchvision v2 pipeline, timm Mixup/CutMix, TTA, EMA,
    fractional pooling, snapshots): trains, evaluates and saves. Needs torchvision and timm, which
    the layer's .venv does not install, so it runs only where they are importable."""

    def test_trains_evaluates_and_saves(self):
        name = os.path.join("optional", "every-technique")
        if not BUNDLES or not os.path.isfile(path(name, "train.py")):
            self.skipTest("no optional/every-technique bundle")
        for package in ("torchvision", "timm"):
            if importlib.util.find_spec(package) is None:
                self.skipTest(f"{package} is not installed")
        with tempfile.TemporaryDirectory() as tmp:
            out_file = os.path.join(tmp, "trained.safetensors")
            out = run_script(name, "--weights", "weights.safetensors", "--steps", "4",
                             "--print-every", "1", "--out", out_file)
            found = losses(out)
            self.assertEqual(len(found), 4, out)
            self.assertTrue(all(math.isfinite(x) for x in found), out)
            self.assertIn("EMA", out)
            self.assertIn("snapshot ensemble of", out)
            self.assertEqual(set(metadata(out_file)), METADATA_KEYS)


if __name__ == "__main__":
    unittest.main()
