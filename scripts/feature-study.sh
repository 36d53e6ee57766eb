#!/usr/bin/env bash
# The side-features study of docs/QUALITY.md on ml-latest-small: MF, an MLP tower without side
# features, and MLP towers with genres, genres + year, genres + year + tags from an item feature
# file built by scripts/movielens-item-features.py; leave-last-out, Recall@k and NDCG@k per seed.
# Usage: scripts/feature-study.sh ML_DIR OUT.tsv [seeds] [k] [extra train flags...]
#   SPLITS (environment, space-separated): the splits (default leave-last-out).
#   BIN (environment): the twotower binary (default .build/release/twotower).
set -euo pipefail
ml=$1; out=$2; seeds=${3:-"1 2 3"}; k=${4:-20}; shift $(( $# < 4 ? $# : 4 )) || true
here=$(cd "$(dirname "$0")" && pwd)
features=$(mktemp -d)/items.csv
python3 "$here/movielens-item-features.py" "$ml" "$features"
F="--tower mlp --item-features $features --item-feature-columns"
CONFIGS="mf|--tower mf
mlp-no-features|--tower mlp --no-item-features
genres|$F genres:multi
genres+year|$F genres:multi,year:numeric
genres+year+tags|$F genres:multi,year:numeric,tags:multi" \
SPLITS=${SPLITS:-leave-last-out} "$here/quality-study.sh" "$ml/ratings.csv" "$out" "$seeds" "$k" "$@"
python3 - "$out" "$k" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t")); k = sys.argv[2]
print(f"| configuration | Recall@{k} | NDCG@{k} | seeds |")
print("|---|---|---|---|")
for name in dict.fromkeys(r["config"] for r in rows):
    rs = [r for r in rows if r["config"] == name]
    def cell(key):
        v = [float(r[key]) for r in rs]
        return f"{statistics.mean(v):.4f} ± {statistics.stdev(v):.4f}" if len(v) > 1 else f"{v[0]:.4f}"
    print(f"| {name} | {cell('recall@' + k)} | {cell('ndcg@' + k)} | {len(rs)} |")
PY
