// "Export as PyTorch": train.py, the run's weights and data, and a README in one zip (fflate), in a
// folder named like the run so unzipping never scatters files.

import { strToU8, zipSync } from "fflate";

/** The README of the export: what the files are and how to run them on one CPU and with torchrun. */
export function readmeText({ base, preset, dataset, steps, valAccuracy }) {
  const acc = Number.isFinite(valAccuracy) ? `, validation accuracy ${(100 * valAccuracy).toFixed(1)}%` : "";
  return `${base}: ${preset} on ${dataset}, trained ${steps} steps in trainlab${acc}.

Files
  train.py             the same network, optimizer, schedule, augmentations and regularizers in
                       PyTorch (its header names the packages it needs and the effective batch)
  weights.safetensors  the network's weights (trainlab-weights format, PyTorch's state_dict names)
  data.safetensors     the images and labels the run trained and validated on

Set up (once)
  python -m venv .venv && . .venv/bin/activate
  pip install torch numpy safetensors      (plus torchvision / timm if train.py's header says so)

Go on from the browser's weights, on one CPU (or one GPU)
  python train.py --weights weights.safetensors --steps 1000 --out trained.safetensors

Check the weights without training
  python train.py --weights weights.safetensors --eval-only

Several processes (DistributedDataParallel; gloo on CPU, nccl on GPUs)
  torchrun --nproc_per_node=2 train.py --weights weights.safetensors --steps 1000 --out trained.safetensors
  Each process takes its share of every batch's images (a DistributedSampler); the effective batch and
  learning rate are stated in train.py's header.

Back in the browser
  "Runs…" → "Open a checkpoint…" takes trained.safetensors as a new run.
`;
}

/** The zip's bytes: `${base}/train.py`, weights.safetensors, data.safetensors, README.txt. */
export function pytorchZip({ base, trainPy, weights, data, readme }) {
  return zipSync({
    [`${base}/train.py`]: strToU8(trainPy),
    [`${base}/weights.safetensors`]: [weights, { level: 0 }],
    [`${base}/data.safetensors`]: [data, { level: 6 }],
    [`${base}/README.txt`]: strToU8(readme),
  }, { level: 6 });
}
