#!/usr/bin/env bash
# Regenerates the figures README.md quotes, with a release build, and prints each one beside the
# README's current text, so they are rerun, not remembered. A line marked "DIFFERS" is a figure to
# correct in the README (times and rates depend on the machine and its load: they are printed, not
# compared).
#
# Usage: scripts/readme-figures.sh [--full] [--keep DIR]
#   (default, ~5 min on 2 busy cores) ml-latest-small, leave-last-out: the default and --no-refit
#       over seeds 1–3, test users and the popularity baseline; ML-100K with seed 42 when its
#       u.data is there.
#   --full  (about an hour more) adds the quick start on the embedded synthetic data (the default
#       `twotower train` and `--logq none`, ~5 min each), the ratio:0.8 split, the five
#       walk-through variants over seeds 1–3 and ML-100K over seeds 1–3.
#   --keep DIR  keeps every run's --metrics-out JSON and log in DIR.
# Environment: ML (ml-latest-small directory, default /work/shared/data/ml-latest-small or
#   ./ml-latest-small), ML100K (directory holding u.data: scripts/fetch-ml100k.sh DIR writes it;
#   default ./ml-100k), BIN (a twotower binary; default: swift build -c release --product twotower).
# Not rerun here: the `tune` result (12 min budget: `twotower tune ...` as the README gives it),
# the Performance tables (twotower-bench, Benchmarks/serve-load.sh) and docs/QUALITY.md's study
# (scripts/quality-study.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
full=0; keep=""
while [ $# -gt 0 ]; do
    case "$1" in
        --full) full=1 ;;
        --keep) keep=${2:?--keep needs a directory}; shift ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "unknown argument $1 (expected --full or --keep DIR)" >&2; exit 2 ;;
    esac
    shift
done
export PATH="/opt/swift/usr/bin:$PATH"
if [ -z "${BIN:-}" ]; then
    swift build -c release --product twotower > /tmp/readme-figures-build.log 2>&1 \
        || { tail -n 30 /tmp/readme-figures-build.log; echo "release build failed" >&2; exit 1; }
    BIN=.build/release/twotower
fi
ML=${ML:-$( [ -d /work/shared/data/ml-latest-small ] && echo /work/shared/data/ml-latest-small || echo ml-latest-small )}
ML100K=${ML100K:-ml-100k}
work=${keep:-$(mktemp -d)}
mkdir -p "$work"
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT
export BIN ML ML100K FULL=$full WORK=$work
exec python3 - <<'PY'
import json, os, re, statistics, subprocess, sys, time

BIN, ML, ML100K, WORK = os.environ["BIN"], os.environ["ML"], os.environ["ML100K"], os.environ["WORK"]
FULL = os.environ["FULL"] == "1"
# The README with its lines joined: figures wrap across lines.
README = re.sub(r"\s+", " ", open("README.md", encoding="utf-8").read())
SEEDS = ["1", "2", "3"]
differ = 0

def readme(pattern):
    """The README's current text for a figure: group 1 of `pattern` (whitespace-normalised)."""
    m = re.search(pattern, README)
    return m.group(1) if m else "(not found)"

def run(name, args):
    """`twotower train ARGS --metrics-out`, once per (name): the JSON record and the seconds it took."""
    out = os.path.join(WORK, name + ".json")
    if not os.path.exists(out):
        start = time.time()
        with open(os.path.join(WORK, name + ".log"), "w") as log:
            code = subprocess.call([BIN, "train", *args, "--metrics-out", out], stdout=log, stderr=subprocess.STDOUT)
        if code != 0:
            print(f"!! {name}: twotower train {' '.join(args)} failed ({code}); see {WORK}/{name}.log", file=sys.stderr)
            return None, 0.0
        open(out + ".seconds", "w").write("%.1f" % (time.time() - start))
    return json.load(open(out)), float(open(out + ".seconds").read())

def spread(values):
    """mean ± sample sd with 4 decimals, as the README writes them."""
    return "%.4f ± %.4f" % (statistics.mean(values), statistics.stdev(values))

def show(label, says, measured, command, compare=True):
    global differ
    same = (says == measured) or not compare
    if not same: differ += 1
    mark = "" if same else "   <- DIFFERS"
    print(f"{label}\n    README: {says}\n    now:    {measured}{mark}\n    ({command})")

def metric(record, key, base=None):
    return record["baselines"][base][key] if base else record["metrics"][key]

def seeds(name, data, flags, k):
    """The key@k of each seed's run (None if one failed) and the records."""
    records = [run(f"{name}-s{s}", ["--data", data, "--seed", s, "--eval-k", str(k), *flags])[0] for s in SEEDS]
    return None if None in records else records

def recall_spread(records, k):
    return spread([metric(r, f"recall@{k}") for r in records])

# --- The walk-through on MovieLens (ml-latest-small) ---
ratings = os.path.join(ML, "ratings.csv")
if not os.path.exists(ratings):
    print(f"!! {ratings} not found: set ML to the ml-latest-small directory", file=sys.stderr)
else:
    print("== ml-latest-small, per-user protocol, Recall@20, mean ± sd over seeds 1–3")
    default = seeds("ml-llo-default", ratings, [], 20)
    norefit = seeds("ml-llo-norefit", ratings, ["--no-refit"], 20)
    command = f"twotower train --data {ratings} --seed 1|2|3 --eval-k 20"
    if default:
        show("leave-last-out, default", readme(r"refit\) \*\*([0-9.]+ ± [0-9.]+)\*\*"), recall_spread(default, 20), command)
        show("leave-last-out, test users", readme(r"leave-last-out by time \(([0-9,]+) test users"),
             "{:,}".format(default[0]["data"]["evaluated"]), command)
        pops = sorted({"%.4f" % metric(r, "recall@20", "popularity") for r in default})
        show("leave-last-out, popularity", readme(r"test users; popularity ([0-9.]+)\)"), " / ".join(pops), command)
    if norefit:
        show("leave-last-out, --no-refit", readme(r"with `--no-refit` ([0-9.]+ ± [0-9.]+); `--split ratio:0.8`"),
             recall_spread(norefit, 20), command + " --no-refit")
    if FULL:
        ratio = seeds("ml-ratio-default", ratings, ["--split", "ratio:0.8"], 20)
        ratio_nr = seeds("ml-ratio-norefit", ratings, ["--split", "ratio:0.8", "--no-refit"], 20)
        command = f"twotower train --data {ratings} --split ratio:0.8 --seed 1|2|3 --eval-k 20"
        if ratio:
            show("ratio:0.8, default", readme(r"popularity 0\.116\) — the default \*\*([0-9.]+ ± [0-9.]+)\*\*"), recall_spread(ratio, 20), command)
            pops = sorted({"%.3f" % metric(r, "recall@20", "popularity") for r in ratio})
            show("ratio:0.8, popularity", readme(r"test interactions; popularity ([0-9.]+)\)"), " / ".join(pops), command)
            tests = sorted({r["data"]["details"]["test_interactions"] for r in ratio})
            show("ratio:0.8, test interactions", readme(r"\(~([0-9,]+) test interactions"), " / ".join("{:,}".format(t) for t in tests), command, compare=False)
        if ratio_nr:
            show("ratio:0.8, --no-refit", readme(r"the default \*\*[0-9.]+ ± [0-9.]+\*\*, `--no-refit` ([0-9.]+ ± [0-9.]+)\. The variants"),
                 recall_spread(ratio_nr, 20), command + " --no-refit")
        for name, flags, pattern in [
            ("mlp-128", ["--tower", "mlp", "--layers", "128"], r"`--tower mlp --layers 128` ([0-9.]+ ± [0-9.]+)"),
            ("mlp-history-50", ["--tower", "mlp", "--user-history", "50"], r"`--tower mlp --user-history 50` ([0-9.]+ ± [0-9.]+)"),
            ("logq-none", ["--logq", "none"], r"`--logq none` ([0-9.]+ ± [0-9.]+) \(below popularity\)"),
            ("cross-batch-4096", ["--sampler", "in-batch", "--sampler", "cross-batch:4096"], r"`cross-batch:4096` ([0-9.]+ ± [0-9.]+)"),
            ("uniform-1024", ["--sampler", "in-batch", "--sampler", "uniform:1024"], r"`uniform:1024` ([0-9.]+ ± [0-9.]+)"),
        ]:
            records = seeds("ml-llo-" + name, ratings, flags, 20)
            if records:
                show(f"leave-last-out, {' '.join(flags)}", readme(pattern), recall_spread(records, 20),
                     f"twotower train --data {ratings} {' '.join(flags)} --seed 1|2|3 --eval-k 20")

# --- MovieLens-100K (Microsoft Recommenders' protocol) ---
udata = os.path.join(ML100K, "u.data")
if not os.path.exists(udata):
    print(f"== ML-100K skipped: {udata} not found (scripts/fetch-ml100k.sh {ML100K}, or set ML100K)")
else:
    print("== ML-100K, --split ratio:0.75, k = 10")
    flags = ["--data", udata, "--split", "ratio:0.75", "--eval-k", "10"]
    record, seconds = run("ml100k-seed42", flags)
    command = f"twotower train --data {udata} --split ratio:0.75 --eval-k 10"
    if record:
        show("seed 42, Recall@10", readme(r"whose split gives ([0-9.]+)\)"), "%.4f" % metric(record, "recall@10"), command)
        show("seed 42, nDCG@10 (defaults)", readme(r"With the defaults nDCG@10 is ([0-9.]+)"), "%.3f" % metric(record, "ndcg@10"), command)
        show("seed 42, Precision@10 (defaults)", readme(r"With the defaults nDCG@10 is [0-9.]+ and Precision@10 ([0-9.]+)"),
             "%.3f" % metric(record, "precision@10"), command)
        show("seed 42, wall-clock seconds", readme(r"\*\*[0-9.]+ ± [0-9.]+\*\* \((≈ [0-9]+ s)\)"), "%.1f s (this machine, now)" % seconds, command, compare=False)
    if FULL:
        ds = [run(f"ml100k-s{s}", [*flags, "--seed", s])[0] for s in SEEDS]
        nr = [run(f"ml100k-norefit-s{s}", [*flags, "--seed", s, "--no-refit"])[0] for s in SEEDS]
        if None not in ds:
            show("seeds 1–3, default Recall@10", readme(r"the default \*\*([0-9.]+ ± [0-9.]+)\*\* \(≈"), recall_spread(ds, 10), command + " --seed 1|2|3")
        if None not in nr:
            show("seeds 1–3, --no-refit Recall@10", readme(r"\(≈ [0-9]+ s\), `--no-refit` ([0-9.]+ ± [0-9.]+)"), recall_spread(nr, 10), command + " --seed 1|2|3 --no-refit")

# --- Quick start: the embedded synthetic data ---
if FULL:
    print("== quick start: `twotower train` on the embedded synthetic data")
    record, seconds = run("synthetic-default", [])
    if record:
        columns = [("model", None), ("popularity", "popularity"), ("random", "random"), ("oracle", "oracle")]
        for key in ["recall@20", "ndcg@20", "recall@50", "ndcg@50", "popularity_percentile@50"]:
            says = readme(r"\b" + re.escape(key) + r" ((?:[0-9.]+ ){3}[0-9.]+)")
            fmt = "%.1f" if key.startswith("popularity_percentile") else "%.4f"
            values = [fmt % (metric(record, key, base) if base else metric(record, key)) for _, base in columns if base is None or base in record["baselines"]]
            show(f"quick start table, {key} (model popularity random oracle)", says, " ".join(values), "twotower train")
        t = record["train"]
        refit = t.get("refit") or {}
        show("quick start, summary line", readme(r"(trained [0-9]+ epochs in [0-9.]+s \([0-9]+ examples/s\), then the refit: [0-9]+ epochs on train \+ validation in [0-9.]+s)"),
             "trained %d epochs in %.1fs (%d examples/s), then the refit: %s epochs on train + validation in %.1fs; %.0f s wall-clock" % (
                 t["epochs"], t["seconds"], t["examples_per_second"], refit.get("epochs", "-"), refit.get("seconds", 0), seconds),
             "twotower train", compare=False)
        show("From Merlin/TFRS: default Recall@50", readme(r"Recall@50 [0-9.]+ against ([0-9.]+) with the default"), "%.4f" % metric(record, "recall@50"), "twotower train")
        show("From Merlin/TFRS: popularity Recall@50", readme(r"above popularity's ([0-9.]+)\)"), "%.4f" % metric(record, "recall@50", "popularity"), "twotower train")
    record, _ = run("synthetic-logq-none", ["--logq", "none"])
    if record:
        show("quick start, --logq none Recall@50", readme(r"the same run reached Recall@50 ([0-9.]+)"), "%.4f" % metric(record, "recall@50"), "twotower train --logq none")
        show("quick start, --logq none popularity_percentile@50", "(not quoted)", "%.1f" % metric(record, "popularity_percentile@50"), "twotower train --logq none", compare=False)

print(f"\n{differ} figure{'s' if differ != 1 else ''} differ{'s' if differ == 1 else ''} from the README" + ("" if FULL else " (quick set; --full for all)"))
PY
