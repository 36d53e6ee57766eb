#!/usr/bin/env bash
# The defaults study of docs/QUALITY.md: each configuration × split × seed, Recall@k on the test part.
# Usage: scripts/quality-study.sh DATA OUT.tsv [seeds] [k] [extra train flags...]
#   CONFIGS (environment, one per line "name|flags") overrides the configurations below.
#   SPLITS (environment, space-separated) overrides "leave-last-out ratio:0.8".
set -euo pipefail
data=$1; out=$2; seeds=${3:-"1 2 3"}; k=${4:-20}; shift $(( $# < 4 ? $# : 4 )) || true
B=${BIN:-.build/release/twotower}
splits=${SPLITS:-"leave-last-out ratio:0.8"}
configs=${CONFIGS:-"default|
uniform1024|--sampler in-batch --sampler uniform:1024
l2-1e-4|--embedding-l2 1e-4
cosine-decay|--lr-decay cosine
cos-t0.1|--l2-normalize --temperature 0.1
cos-t0.1-uniform|--l2-normalize --temperature 0.1 --sampler in-batch --sampler uniform:1024"}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf 'config\tsplit\tseed\trecall@%s\tpopularity\tepochs\tseconds\trefit_epochs\trefit_seconds\tndcg@%s\n' "$k" "$k" > "$out"
while IFS='|' read -r name flags; do
    [ -z "$name" ] && continue
    for split in $splits; do
        for seed in $seeds; do
            # shellcheck disable=SC2086
            "$B" train --data "$data" --split "$split" --seed "$seed" --eval-k "$k" $flags "$@" \
                --metrics-out "$tmp/m.json" > "$tmp/log" 2>&1 || { echo "failed: $name $split $seed" >&2; tail -5 "$tmp/log" >&2; continue; }
            python3 - "$tmp/m.json" "$name" "$split" "$seed" "$k" >> "$out" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); k = sys.argv[5]
print("\t".join([sys.argv[2], sys.argv[3], sys.argv[4], "%.4f" % m["metrics"]["recall@" + k],
                 "%.4f" % m["baselines"]["popularity"]["recall@" + k], str(m["train"]["epochs"]), "%.1f" % m["train"]["seconds"],
                 str((m["train"].get("refit") or {}).get("epochs", "-")), "%.1f" % (m["train"].get("refit") or {}).get("seconds", 0),
                 "%.4f" % m["metrics"]["ndcg@" + k]]))
PY
            tail -n 1 "$out" >&2
        done
    done
done <<< "$configs"
