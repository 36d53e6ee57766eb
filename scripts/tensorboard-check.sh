#!/usr/bin/env bash
# Checks `twotower train --tensorboard DIR` with Python's tensorboard package: builds twotower
# (release, as .ci/run does), trains on a tiny synthetic dataset (a few seconds) with
# --tensorboard and --metrics-out, and reads the event file back with TensorBoard's
# EventAccumulator and EventFileLoader (scripts/tensorboard_read.py), comparing the scalars with
# the metrics JSON. Also cross-checks the encoding test vectors against TensorBoard's protobuf
# classes (Tests/TowerReportTests/Reference/event_bytes.py).
# Needs python3 with venv and network access to PyPI the first time (the venv is kept in
# .build/tb-venv; TB_VENV overrides it). Exits non-zero when a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
venv="${TB_VENV:-.build/tb-venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import tensorboard" 2> /dev/null; then
    echo "== python3 -m venv $venv; pip install tensorboard"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check tensorboard
fi
"$venv/bin/python" -c "import tensorboard; print('tensorboard', tensorboard.__version__)"

echo "== reference encodings against tensorboard's event_pb2"
"$venv/bin/python" Tests/TowerReportTests/Reference/event_bytes.py > /dev/null

echo "== swift build -c release --product twotower (log: .build/tensorboard-check-build.log)"
mkdir -p .build
if ! swift build -c release --product twotower > .build/tensorboard-check-build.log 2>&1; then
    tail -n 40 .build/tensorboard-check-build.log
    echo "tensorboard-check: build failed" >&2
    exit 1
fi
twotower="$(swift build -c release --show-bin-path)/twotower"

work="$(mktemp -d /tmp/tensorboard-check.XXXXXX)"
trap 'rm -rf "$work"' EXIT
batch=128
lr=0.01
"$twotower" synth --out "$work/data" --users 300 --items 150 --interactions 6000 --factors 4 --seed 7 > /dev/null
echo "== twotower train --tensorboard $work/logs/run --metrics-out $work/metrics.json"
"$twotower" train --data "$work/data/interactions.csv" --timestamp-column timestamp \
    --dim 8 --epochs 4 --batch-size "$batch" --learning-rate "$lr" --eval-k 5,10 \
    --tensorboard "$work/logs/run" --metrics-out "$work/metrics.json" --quiet > "$work/train.log"
cat "$work/train.log"
echo "== scripts/tensorboard_read.py"
"$venv/bin/python" scripts/tensorboard_read.py --logdir "$work/logs/run" --metrics "$work/metrics.json" \
    --batch-size "$batch" --learning-rate "$lr"
echo "tensorboard-check: passed"
