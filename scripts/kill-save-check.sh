#!/usr/bin/env bash
# kill -9 during model saves: writes a model directory over and over (twotower-bench
# serving-model, 100,000 items, different seeds), kills the writer with SIGKILL at a random point
# of each save, and checks after every kill that the directory is there and loads
# (`twotower recommend`), and that no leftover stays beside it for long. Exits non-zero on the
# first failure. Usage: scripts/kill-save-check.sh [ROUNDS] (default 12); BIN=.build/release.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
ROUNDS=${1:-12}
work=$(mktemp -d /tmp/kill-save-check.XXXXXX)
trap 'rm -rf "$work"' EXIT
model="$work/model"
"$BIN/twotower-bench" serving-model --items 100000 --users 2000 --output "$model" > /dev/null
# How long one save takes here, to spread the kills over it.
start=$(date +%s%N)
"$BIN/twotower-bench" serving-model --items 100000 --users 2000 --seed 1 --output "$model" > /dev/null
save_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "kill-save-check: one save takes ${save_ms} ms; $ROUNDS kills at random points"
RANDOM=7
loaded=0
for round in $(seq 1 "$ROUNDS"); do
    delay_ms=$(( RANDOM % (save_ms + 1) ))
    "$BIN/twotower-bench" serving-model --items 100000 --users 2000 --seed $((round + 1)) --output "$model" > /dev/null 2>&1 &
    writer=$!
    sleep "$(awk -v ms="$delay_ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
    kill -9 "$writer" 2> /dev/null || true
    wait "$writer" 2> /dev/null || true
    if ! out=$("$BIN/twotower" recommend --model "$model" --user u0 --k 1 2>&1); then
        echo "kill-save-check: round $round (killed after ${delay_ms} ms): the model does not load:" >&2
        echo "$out" >&2
        exit 1
    fi
    loaded=$((loaded + 1))
done
leftovers=$(ls -a "$work" | grep -c -E '^model\.(tmp|old)-' || true)
echo "kill-save-check: the model loaded after all $loaded kills; $leftovers unfinished temporary directories beside it (removed by the next save once an hour old)"
