#!/usr/bin/env bash
# Builds twotower and twotower-bench with the MPI trait (into .build-mpi) and checks data-parallel
# training under mpirun:
#   1. the communicator's collectives on 1, 2 and 4 ranks (twotower-bench collectives);
#   2. the training step on 2 and 4 ranks against one process with the whole batch
#      (twotower-bench data-parallel --check-only: losses and parameters within 1e-5, replicas
#      bit-identical);
#   3. `mpirun -np 2 twotower train` against `twotower train` on a small synthetic set: the same
#      test metrics and epoch losses (within 1e-5 relative);
#   4. resume on 2 ranks: `mpirun -np 2 twotower train --epochs 2 --output DIR`, then
#      `mpirun -np 2 twotower train --resume DIR --epochs 4`, gives the bytes of the uninterrupted
#      4-epoch 2-rank run's model (streaming logQ, mixed negatives, early-stopping state); and
#      again after one rank is killed with SIGKILL once the first checkpoint is on disk (mpirun
#      ends the job; the last checkpoint is intact); and for MLP towers with dropout and uneven
#      slices (every rank's dropout generator restored).
# TIMINGS=1 also prints per-call times of the collectives and examples/s of the step.
# Needs: apt-get install libopenmpi-dev openmpi-bin. Exits non-zero when a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
if ! command -v mpirun > /dev/null || ! pkg-config --exists ompi-c; then
    echo "mpi-check: Open MPI not found (apt-get install libopenmpi-dev openmpi-bin)" >&2
    exit 2
fi
echo "== swift build -c release --traits MPI (log: .build-mpi/build.log)"
mkdir -p .build-mpi
if ! swift build -c release --traits MPI --scratch-path .build-mpi > .build-mpi/build.log 2>&1; then
    tail -n 40 .build-mpi/build.log
    echo "mpi-check: MPI build failed" >&2
    exit 1
fi
bin=.build-mpi/release
launcher=(mpirun --oversubscribe)
if [ "$(id -u)" = 0 ]; then launcher+=(--allow-run-as-root); fi
args=(collectives --check-only)
if [ "${TIMINGS:-0}" = 1 ]; then args=(collectives); fi
for ranks in 1 2 4; do
    echo "== mpirun -np $ranks twotower-bench ${args[*]}"
    timeout 300 "${launcher[@]}" -np "$ranks" "$bin/twotower-bench" "${args[@]}"
done
for ranks in 2 4; do
    echo "== mpirun -np $ranks twotower-bench data-parallel --check-only"
    timeout 300 "${launcher[@]}" -np "$ranks" "$bin/twotower-bench" data-parallel --check-only
done
if [ "${TIMINGS:-0}" = 1 ]; then
    "$bin/twotower-bench" data-parallel --threads 2 | tail -n 1
    "$bin/twotower-bench" data-parallel --threads 1 | tail -n 1
    "${launcher[@]}" -np 2 "$bin/twotower-bench" data-parallel --threads 1 | tail -n 1
fi

echo "== mpirun -np 2 twotower train vs twotower train (small synthetic set)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin/twotower" synth --out "$work/data" --users 1500 --items 800 --interactions 60000 > /dev/null
train=(train --data "$work/data/interactions.csv" --timestamp-column timestamp --epochs 2 --no-early-stopping
       --batch-size 512 --sampler in-batch --sampler uniform:64 --quiet)
"$bin/twotower" "${train[@]}" --metrics-out "$work/one.json" > /dev/null
timeout 600 "${launcher[@]}" -np 2 "$bin/twotower" "${train[@]}" --threads 1 --metrics-out "$work/two.json" > /dev/null
python3 - "$work/one.json" "$work/two.json" <<'PY'
import json, sys
one, two = (json.load(open(p)) for p in sys.argv[1:3])
def close(a, b): return abs(a - b) <= 1e-5 * max(abs(a), 1e-3)
bad = [k for k in one["metrics"] if not close(one["metrics"][k], two["metrics"][k])]
bad += [f"epoch_losses[{i}]" for i, (a, b) in enumerate(zip(one["train"]["epoch_losses"], two["train"]["epoch_losses"])) if not close(a, b)]
if bad:
    print("mpi-check: 2 ranks differ from one process in", bad, file=sys.stderr)
    sys.exit(1)
print(f"2 ranks = 1 process: recall@20 {two['metrics']['recall@20']:.4f}, epoch losses {two['train']['epoch_losses']}")
PY
echo "== mpirun -np 2 twotower train --resume (after epoch 2 of 4) vs the uninterrupted 2-rank run"
resume=(train --data "$work/data/interactions.csv" --timestamp-column timestamp --patience 3 --batch-size 512
        --logq streaming --sampler in-batch --sampler uniform:64 --threads 1 --quiet --no-report)
timeout 600 "${launcher[@]}" -np 2 "$bin/twotower" "${resume[@]}" --epochs 4 --output "$work/full" > /dev/null
timeout 600 "${launcher[@]}" -np 2 "$bin/twotower" "${resume[@]}" --epochs 2 --output "$work/part" > /dev/null
timeout 600 "${launcher[@]}" -np 2 "$bin/twotower" train --resume "$work/part" --epochs 4 --quiet > /dev/null
if ! cmp -s "$work/full/model.safetensors" "$work/part/model.safetensors"; then
    echo "mpi-check: the resumed 2-rank model differs from the uninterrupted one" >&2
    exit 1
fi
echo "resumed 2-rank run = uninterrupted 2-rank run (model.safetensors bit-identical)"

echo "== a rank killed (SIGKILL) after the first checkpoint, then --resume: the uninterrupted 2-rank model"
"${launcher[@]}" -np 2 "$bin/twotower" "${resume[@]}" --epochs 4 --checkpoint-every 2 --output "$work/killed" > /dev/null 2>&1 &
job=$!
for _ in $(seq 1 600); do [ -f "$work/killed/resume.safetensors" ] && break; sleep 0.1; done
rank=$(pgrep -P "$job" | head -n 1 || true)
if [ -n "$rank" ] && kill -0 "$job" 2> /dev/null; then kill -9 "$rank"; landed=yes; else landed="no (the job had ended)"; fi
wait "$job" 2> /dev/null || true
timeout 600 "${launcher[@]}" -np 2 "$bin/twotower" train --resume "$work/killed" --epochs 4 --quiet > /dev/null
if ! cmp -s "$work/full/model.safetensors" "$work/killed/model.safetensors"; then
    echo "mpi-check: the model resumed after a killed rank differs from the uninterrupted one" >&2
    exit 1
fi
echo "killed a rank: $landed; resumed = uninterrupted (bit-identical)"

echo "== mpirun -np 2, MLP towers with dropout: resumed (after epoch 2 of 4) = uninterrupted"
# 511 rows: slices of 256 and 255, so the two ranks' dropout generators drift apart.
mlp=(train --data "$work/data/interactions.csv" --timestamp-column timestamp --patience 3 --batch-size 511
     --logq streaming --sampler in-batch --sampler uniform:64 --threads 1 --quiet --no-report
     --tower mlp --layers 32 --dropout 0.2 --optimizer adagrad --learning-rate 0.05)
timeout 600 "${launcher[@]}" -np 2 "$bin/twotower" "${mlp[@]}" --epochs 4 --output "$work/mlp-full" > /dev/null
timeout 600 "${launcher[@]}" -np 2 "$bin/twotower" "${mlp[@]}" --epochs 2 --output "$work/mlp-part" > /dev/null
timeout 600 "${launcher[@]}" -np 2 "$bin/twotower" train --resume "$work/mlp-part" --epochs 4 --quiet > /dev/null
if ! cmp -s "$work/mlp-full/model.safetensors" "$work/mlp-part/model.safetensors"; then
    echo "mpi-check: the resumed 2-rank MLP/dropout model differs from the uninterrupted one" >&2
    exit 1
fi
echo "resumed 2-rank MLP with dropout = uninterrupted (bit-identical; every rank's dropout generator restored)"
echo "mpi-check: all checks passed"
