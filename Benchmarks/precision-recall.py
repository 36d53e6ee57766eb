#!/usr/bin/env python3
"""Recall of `twotower serve --precision bfloat16:R` against float32 on a real model.

    Benchmarks/precision-recall.py MODEL_DIR [K] [PRECISION ...]    (defaults: 10, bfloat16:1 bfloat16:2 bfloat16:4)

Starts one float32 server and one per precision on loopback, asks /v1/recommend (k = K, seen
items excluded) for every user of the model, and prints, per precision, the share of float32's
top-K items it also returns (recall@K against exact) and whether the scores of shared items are
identical. Needs a release build (BIN, default .build/release).
"""
import json, os, subprocess, sys, time, urllib.request

model = sys.argv[1]
k = int(sys.argv[2]) if len(sys.argv) > 2 else 10
precisions = sys.argv[3:] or ["bfloat16:1", "bfloat16:2", "bfloat16:4"]
binary = os.path.join(os.environ.get("BIN", ".build/release"), "twotower")

def start(precision, port):
    p = subprocess.Popen([binary, "serve", "--model", model, "--host", "127.0.0.1", "--port", str(port),
                          "--precision", precision, "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1); return p
        except Exception:
            if p.poll() is not None: sys.exit(f"server for {precision} exited")
            time.sleep(0.05)
    sys.exit("server did not become ready")

def post(port, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/recommend", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req, timeout=30))

servers = []
try:
    servers.append(start("float32", 18400))
    for i, p in enumerate(precisions): servers.append(start(p, 18401 + i))
    # users.vocab: a "#" header line, then "id<TAB>count" per user row.
    ids = [line.split("\t")[0] for line in open(os.path.join(model, "users.vocab")) if not line.startswith("#")]
    exact = {}
    for start_at in range(0, len(ids), 256):
        batch = ids[start_at:start_at + 256]
        for uid, r in zip(batch, post(18400, {"user_ids": batch, "k": k})["queries"]):
            exact[uid] = {x["item_id"]: x["score"] for x in r["results"]}
    print(f"{model}: {len(ids)} users, k = {k}")
    for i, p in enumerate(precisions):
        hits = total = same = 0
        for start_at in range(0, len(ids), 256):
            batch = ids[start_at:start_at + 256]
            for uid, r in zip(batch, post(18401 + i, {"user_ids": batch, "k": k})["queries"]):
                got = {x["item_id"]: x["score"] for x in r["results"]}
                truth = exact[uid]
                total += len(truth)
                for item, score in got.items():
                    if item in truth:
                        hits += 1
                        same += score == truth[item]
        print(f"  {p:12s} recall@{k} vs float32 {hits / total:.4f}; scores identical on {same}/{hits} shared items")
finally:
    for s in servers: s.terminate(); s.wait()
