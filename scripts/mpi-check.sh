#!/usr/bin/env bash
# Builds twotower-bench with the MPI trait (into .build-mpi) and runs the communicator checks
# under mpirun with 1, 2 and 4 ranks. TIMINGS=1 also prints per-call times of the collectives.
# Needs: apt-get install libopenmpi-dev openmpi-bin. Exits non-zero when a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
if ! command -v mpirun > /dev/null || ! pkg-config --exists ompi-c; then
    echo "mpi-check: Open MPI not found (apt-get install libopenmpi-dev openmpi-bin)" >&2
    exit 2
fi
echo "== swift build -c release --traits MPI --product twotower-bench (log: .build-mpi/build.log)"
mkdir -p .build-mpi
if ! swift build -c release --traits MPI --scratch-path .build-mpi --product twotower-bench > .build-mpi/build.log 2>&1; then
    tail -n 40 .build-mpi/build.log
    echo "mpi-check: MPI build failed" >&2
    exit 1
fi
bench=.build-mpi/release/twotower-bench
launcher=(mpirun --oversubscribe)
if [ "$(id -u)" = 0 ]; then launcher+=(--allow-run-as-root); fi
args=(collectives --check-only)
if [ "${TIMINGS:-0}" = 1 ]; then args=(collectives); fi
for ranks in 1 2 4; do
    echo "== mpirun -np $ranks twotower-bench ${args[*]}"
    timeout 300 "${launcher[@]}" -np "$ranks" "$bench" "${args[@]}"
done
