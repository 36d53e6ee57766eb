#!/usr/bin/env bash
# Where a `twotower serve` request's CPU time goes: perf samples of the server process under a
# bounded wrk load of POST /v1/recommend on loopback, grouped into the serving stages.
#
#   Benchmarks/serve-profile.sh [ITEMS] [CONCURRENCY]      (defaults: 100000 64)
#
# Prints, in one run: GET /healthz requests/s at the same concurrency (the HTTP ceiling), the
# recommend requests/s and p50/p99 with their ratio to that ceiling, the batch-size histogram
# from /metrics, and the share of server CPU samples in: the GEMM (the FMA micro-kernels
# `kernel_RxC`, and the driver with the packing of the queries — the item matrix is packed once at
# load), the top-k selection (BlockScan), and everything else by shared object (Swift runtime,
# libc malloc/memcpy, kernel: HTTP/NIO/JSON/hand-offs).
#
# Needs: perf (apt-get install linux-perf), wrk, curl, python3; release builds (BIN, default
# .build/release). Environment: DURATION (wrk seconds, default 6), PORT (18182), THREADS (2),
# USERS (10000).
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS=${1:-100000}
C=${2:-64}
DURATION=${DURATION:-6}
PORT=${PORT:-18182}
THREADS=${THREADS:-2}
USERS=${USERS:-10000}
BIN=${BIN:-.build/release}
WORK=$(mktemp -d /tmp/twotower-serve-profile.XXXXXX)
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
for tool in perf wrk curl python3; do command -v "$tool" >/dev/null || { echo "$tool not found" >&2; exit 1; }; done
[ -x "$BIN/twotower" ] && [ -x "$BIN/twotower-bench" ] || { echo "build first: swift build -c release" >&2; exit 1; }

cat > "$WORK/recommend.lua" <<LUA
math.randomseed(42)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  return wrk.format(nil, "/v1/recommend", nil, '{"user_id": "u' .. math.random(0, $USERS - 1) .. '", "k": 10}')
end
LUA
"$BIN/twotower-bench" serving-model --items "$ITEMS" --users "$USERS" --dim 64 --output "$WORK/model" >/dev/null
"$BIN/twotower" serve --model "$WORK/model" --port "$PORT" --threads "$THREADS" --log-level warning > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
    sleep 0.05
done
t=$(( C < 2 ? 1 : 2 ))
health=$(wrk -t "$t" -c "$C" -d 3s "http://127.0.0.1:$PORT/healthz" | awk '/^Requests\/sec/ {print $2}')
wrk -t "$t" -c "$C" -d "${DURATION}s" --latency -s "$WORK/recommend.lua" "http://127.0.0.1:$PORT" > "$WORK/wrk.txt" &
WRK_PID=$!
sleep 1
perf record -F 499 -g -p "$SERVER_PID" -o "$WORK/perf.data" -- sleep $(( DURATION - 2 )) >/dev/null 2>&1
wait "$WRK_PID"
rps=$(awk '/^Requests\/sec/ {print $2}' "$WORK/wrk.txt")
echo "== $ITEMS items x d=64, concurrency $C, $THREADS scoring threads"
echo "GET /healthz: $health requests/s (HTTP ceiling)"
echo "POST /v1/recommend: $rps requests/s ($(python3 -c "print(f'{$rps / $health:.3f}')") of the ceiling)," \
     "p50 $(awk '$1 == "50%" {print $2}' "$WORK/wrk.txt"), p99 $(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")"
echo "batch sizes (cumulative count of batches with at most le queries):"
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^twotower_batch_size_(bucket|sum|count)' | sed 's/^/  /'
perf report -i "$WORK/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null > "$WORK/report.txt"
python3 - "$WORK/report.txt" <<'PY'
import re, sys
shares = {}
for line in open(sys.argv[1]):
    m = re.match(r"\s+([0-9.]+)%\s+(\S+)\s+\[.\]\s+(\S+)", line)
    if not m: continue
    p, dso, sym = float(m.group(1)), m.group(2), m.group(3)
    if re.match(r"kernel_\d+x\d+", sym): key = "GEMM: micro-kernels (FMA tiles)"
    elif sym.startswith(("tower_sgemm", "gemm_", "tower_gemm", "pack_")): key = "GEMM: driver and packing of the queries"
    elif "BlockScan" in sym or "TopKSelector" in sym: key = "top-k selection (BlockScan, TopKSelector)"
    elif dso == "twotower": key = "other twotower code (NIO, Hummingbird, JSON, service)"
    else: key = dso
    shares[key] = shares.get(key, 0) + p
print("server CPU samples:")
for k, v in sorted(shares.items(), key=lambda kv: -kv[1]):
    if v >= 0.5: print(f"  {v:5.1f}%  {k}")
PY
