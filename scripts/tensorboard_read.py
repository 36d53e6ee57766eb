#!/usr/bin/env python3
"""Reads a `twotower train --tensorboard DIR` run back with TensorBoard's own loaders and checks it
against the run's `--metrics-out` JSON. Exits non-zero, saying what differs, on any mismatch.

    tensorboard_read.py --logdir DIR --metrics metrics.json --batch-size B [--learning-rate LR]

Checks: DIR holds one event file whose first event is `file_version: "brain.Event:2"`; every
expected scalar tag exists; train/loss and train/learning_rate have one value per step at steps
1..N with N = epochs * ceil(train_interactions / B), train/examples_per_second N - 1 positive
values; epoch/loss and epoch/validation equal the JSON's train.epoch_losses and train.validation
at steps 1..epochs; test/<metric> equals every JSON metrics value, at step best_epoch — all within
float32 rounding (TensorBoard stores scalars as 32-bit floats).
"""
import argparse
import math
import os
import statistics
import struct
import sys
import json

from tensorboard.backend.event_processing import event_accumulator, event_file_loader

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def close(written, expected):
    """Equal within float32 rounding of `expected` (and the JSON's decimal printing)."""
    return math.isclose(written, f32(expected), rel_tol=1e-6, abs_tol=1e-9)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logdir", required=True)
    parser.add_argument("--metrics", required=True)
    parser.add_argument("--batch-size", type=int, required=True)
    parser.add_argument("--learning-rate", type=float)
    args = parser.parse_args()

    with open(args.metrics) as f:
        report = json.load(f)
    train = report["train"]
    epochs = train["epochs"]
    steps = epochs * math.ceil(report["data"]["train_interactions"] / args.batch_size)
    # The refit after early stopping (train.refit) continues the global step with its own steps.
    refit = train.get("refit")
    if refit:
        steps += refit["epochs"] * math.ceil(refit["interactions"] / args.batch_size)

    files = sorted(name for name in os.listdir(args.logdir) if "tfevents" in name)
    if not check(len(files) == 1, f"{args.logdir}: expected one event file, found {files}"):
        return
    path = os.path.join(args.logdir, files[0])
    raw = list(event_file_loader.EventFileLoader(path).Load())
    check(bool(raw) and raw[0].file_version == "brain.Event:2",
          f"{path}: first event is not file_version brain.Event:2: {raw[:1]}")
    walls = [e.wall_time for e in raw]
    check(walls == sorted(walls), f"{path}: wall times are not increasing")

    acc = event_accumulator.EventAccumulator(args.logdir, size_guidance={event_accumulator.SCALARS: 0})
    acc.Reload()
    tags = set(acc.Tags()["scalars"])
    expected = {"train/loss", "train/learning_rate", "train/examples_per_second", "epoch/loss"}
    if train["validation"]:
        expected.add("epoch/validation")
    if refit:
        expected.add("refit/loss")
    expected |= {f"test/{name}" for name in report["metrics"]}
    missing = expected - tags
    check(not missing, f"missing tags {sorted(missing)} (found {sorted(tags)})")
    if missing:
        return

    def series(tag):
        return [(s.step, s.value) for s in acc.Scalars(tag)]

    loss = series("train/loss")
    check([s for s, _ in loss] == list(range(1, steps + 1)),
          f"train/loss: {len(loss)} values at steps {loss[0][0]}..{loss[-1][0]}, expected steps 1..{steps}")
    check(all(math.isfinite(v) for _, v in loss), "train/loss: non-finite values")
    lr = series("train/learning_rate")
    check([s for s, _ in lr] == list(range(1, steps + 1)), f"train/learning_rate: {len(lr)} values, expected {steps}")
    if args.learning_rate is not None:
        check(all(close(v, args.learning_rate) for _, v in lr),
              f"train/learning_rate: expected {args.learning_rate} at every step, found {sorted({v for _, v in lr})}")
    speed = series("train/examples_per_second")
    check([s for s, _ in speed] == list(range(2, steps + 1)),
          f"train/examples_per_second: {len(speed)} values, expected {steps - 1} (steps 2..{steps})")
    check(all(v > 0 and math.isfinite(v) for _, v in speed), "train/examples_per_second: a value is not positive")
    if speed and train["examples_per_second"] > 0:
        ratio = statistics.median(v for _, v in speed) / train["examples_per_second"]
        check(0.05 < ratio < 20, f"train/examples_per_second: median {ratio:.2f}x the run's examples_per_second")

    epoch_loss = series("epoch/loss")
    check([s for s, _ in epoch_loss] == list(range(1, epochs + 1)),
          f"epoch/loss: steps {[s for s, _ in epoch_loss]}, expected 1..{epochs}")
    check(len(epoch_loss) == len(train["epoch_losses"])
          and all(close(v, x) for (_, v), x in zip(epoch_loss, train["epoch_losses"])),
          f"epoch/loss {[v for _, v in epoch_loss]} != metrics JSON epoch_losses {train['epoch_losses']}")
    if refit:
        refit_loss = series("refit/loss")
        check([s for s, _ in refit_loss] == list(range(1, refit["epochs"] + 1))
              and close(refit_loss[-1][1], refit["final_loss"]),
              f"refit/loss {refit_loss} != {refit['epochs']} epochs ending at final_loss {refit['final_loss']}")
    if train["validation"]:
        validation = series("epoch/validation")
        check(len(validation) == len(train["validation"])
              and all(close(v, x) for (_, v), x in zip(validation, train["validation"])),
              f"epoch/validation {[v for _, v in validation]} != metrics JSON validation {train['validation']}")
    for name, value in sorted(report["metrics"].items()):
        written = series(f"test/{name}")
        check(len(written) == 1 and written[0][0] == train["best_epoch"] and close(written[0][1], value),
              f"test/{name}: {written} != {value} at step {train['best_epoch']}")

    if failures:
        return
    print(f"tensorboard_read: {path}: {len(raw)} events; {steps} steps, {epochs} epochs, "
          f"{len(report['metrics'])} test metrics; {len(tags)} tags match {args.metrics}")


if __name__ == "__main__":
    main()
    if failures:
        for message in failures:
            print(f"tensorboard_read: FAIL: {message}", file=sys.stderr)
        sys.exit(1)
