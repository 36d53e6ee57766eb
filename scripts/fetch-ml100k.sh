#!/usr/bin/env bash
# MovieLens 100K as u.data (user \t item \t rating \t timestamp), for the Microsoft Recommenders table
# of docs/QUALITY.md. grouplens.org is not always reachable; the same 100,000 ratings ship inside the
# RecBole wheel on PyPI (recbole/dataset_example/ml-100k/ml-100k.inter: u.data with a typed header).
# Usage: scripts/fetch-ml100k.sh OUT_DIR     (needs pip and unzip; writes OUT_DIR/u.data)
set -euo pipefail
out=${1:?usage: scripts/fetch-ml100k.sh OUT_DIR}
mkdir -p "$out"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if ! curl -fsSL --max-time 30 -o "$tmp/ml-100k.zip" https://files.grouplens.org/datasets/movielens/ml-100k.zip 2>/dev/null; then
    echo "grouplens.org not reachable; taking the ratings from the RecBole 1.2.1 wheel on PyPI" >&2
    python3 -m pip download --quiet --no-deps --dest "$tmp" recbole==1.2.1
    unzip -q -j "$tmp"/recbole-1.2.1-py3-none-any.whl 'recbole/dataset_example/ml-100k/ml-100k.inter' -d "$tmp"
    tail -n +2 "$tmp/ml-100k.inter" > "$tmp/u.data"
else
    unzip -q -j "$tmp/ml-100k.zip" 'ml-100k/u.data' -d "$tmp"
fi
lines=$(wc -l < "$tmp/u.data")
[ "$lines" -eq 100000 ] || { echo "expected 100000 ratings, found $lines" >&2; exit 1; }
mv "$tmp/u.data" "$out/u.data"
echo "wrote $out/u.data (100000 ratings, sha256 $(sha256sum "$out/u.data" | cut -c1-16)…)" >&2
