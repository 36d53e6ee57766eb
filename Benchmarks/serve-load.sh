#!/usr/bin/env bash
# Load test of `twotower serve` /v1/recommend with wrk, on loopback only, in bounded runs.
#
#   Benchmarks/serve-load.sh [ITEMS...]        (default: 100000; e.g. "100000 1000000")
#
# For each catalogue size: writes a synthetic d=64 model (twotower-bench serving-model), then for
# batching on (--max-batch 64 --max-wait-us 500) and off (--max-batch 1) and wrk concurrency
# 1, 16, 64 prints requests/s and p50/p99 latency of POST /v1/recommend (random known user, k=10,
# seen items excluded), and batching on again with `--precision bfloat16` (bfloat16 candidates,
# the best 4·k re-scored in float32; set PRECISION=float32 to skip those rows). Beside them: the memory bandwidth measured in the same run (numpy sum of
# 512 MiB), the bandwidth-bound rate of unbatched queries (bandwidth / item-matrix bytes), and the
# GEMM-bound rate (`twotower-bench topk` with 640 queries per call, 1 thread).
#
# Needs: wrk (apt-get install wrk), curl, python3 with numpy; release builds of twotower and
# twotower-bench (`swift build -c release`). Environment: DURATION (default 10s), PORT (18181),
# THREADS (scoring threads, default 2), USERS (10000), BIN (directory of the binaries, .build/release).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
PORT=${PORT:-18181}
THREADS=${THREADS:-2}
USERS=${USERS:-10000}
PRECISION=${PRECISION:-bfloat16}
SIZES=("${@:-100000}")
BIN=${BIN:-.build/release}
WORK=$(mktemp -d /tmp/twotower-serve-load.XXXXXX)
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 1; }
[ -x "$BIN/twotower" ] && [ -x "$BIN/twotower-bench" ] || { echo "build first: swift build -c release" >&2; exit 1; }

cat > "$WORK/recommend.lua" <<LUA
math.randomseed(42)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  return wrk.format(nil, "/v1/recommend", nil, '{"user_id": "u' .. math.random(0, $USERS - 1) .. '", "k": 10}')
end
LUA

bandwidth=$(python3 -c '
import numpy as np, time
a = np.ones(128 << 20, dtype=np.float32); a.sum()
best = min((lambda t: (a.sum(), time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(5))
print(f"{a.nbytes / best / 1e9:.2f}")')
echo "memory read bandwidth (numpy sum of 512 MiB, best of 5): ${bandwidth} GB/s"

for items in "${SIZES[@]}"; do
    model="$WORK/model-$items"
    "$BIN/twotower-bench" serving-model --items "$items" --users "$USERS" --dim 64 --output "$model" >/dev/null
    matrix_mb=$(python3 -c "print(f'{$items * 64 * 4 / 1e6:.1f}')")
    bound=$(python3 -c "print(f'{$bandwidth * 1e9 / ($items * 64 * 4):.0f}')")
    gemm=$("$BIN/twotower-bench" topk --json --queries 640 --items "$items" --dim 64 --k 10 --threads 1 \
             --eval-users 1 --eval-items 10 | head -n 1 | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["queries_per_second"]))')
    echo
    echo "== $items items x d=64 (item matrix ${matrix_mb} MB): bandwidth-bound unbatched ${bound} queries/s; GEMM-bound (topk, 640 queries/call, 1 thread) ${gemm} queries/s"
    printf "%-9s %-11s %-11s %12s %10s %10s\n" batching precision concurrency "requests/s" "p50" "p99"
    runs=("on float32" "off float32")
    [ "$PRECISION" = float32 ] || runs+=("on $PRECISION")
    for run in "${runs[@]}"; do
        read -r mode precision <<<"$run"
        if [ "$mode" = on ]; then batch=(--max-batch 64 --max-wait-us 500); else batch=(--max-batch 1 --max-wait-us 0); fi
        start=$(date +%s.%N)
        "$BIN/twotower" serve --model "$model" --host 127.0.0.1 --port "$PORT" --threads "$THREADS" "${batch[@]}" \
            --precision "$precision" \
            --log-level warning > "$WORK/server.log" 2>&1 &
        SERVER_PID=$!
        until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do
            kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
            sleep 0.05
        done
        ready=$(python3 -c "import time; print(f'{time.time() - $start:.2f}')")
        for c in 1 16 64; do
            t=$(( c < 2 ? 1 : 2 ))
            out=$(wrk -t "$t" -c "$c" -d "$DURATION" --latency -s "$WORK/recommend.lua" "http://127.0.0.1:$PORT")
            rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
            p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
            p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
            errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" || true)
            printf "%-9s %-11s %-11s %12s %10s %10s %s\n" "$mode" "$precision" "$c" "$rps" "$p50" "$p99" "$errors"
        done
        kill -TERM "$SERVER_PID"; status=0; wait "$SERVER_PID" || status=$?; SERVER_PID=
        echo "  (server ready in ${ready} s after start; exit status after SIGTERM: $status)"
    done
done
