"""Independent NumPy reference for TwoTower's ranking metrics (Tests/TwoTowerTests/EvaluationTests.swift).

Run: python3 Tests/TwoTowerTests/Reference/metrics.py
Prints the expected values that the Swift tests hard-code.
"""
import numpy as np

np.set_printoptions(precision=10)

def rank_items(scores, excluded):
    """Full ranking: higher score first, ties to the lower index; excluded items removed."""
    idx = np.arange(len(scores))
    order = np.lexsort((idx, -scores))
    return [int(i) for i in order if int(i) not in excluded]

def per_user(Q, I, held, excl, ks, counts=None):
    S = Q @ I.T
    n_items = I.shape[0]
    out = {f"{m}@{k}": [] for k in ks for m in ["recall", "ndcg", "precision", "map", "mrr", "hitrate"]}
    best = np.full(n_items, 10**9)
    pct = None
    if counts is not None:
        c = np.array(counts)
        less = np.array([(c < x).sum() for x in c]); eq = np.array([(c == x).sum() for x in c])
        pct = 100 * (less + (eq - 1) / 2) / (n_items - 1)
        pslots = {k: [] for k in ks}
    for u in range(Q.shape[0]):
        H = set(held[u])
        if not H:
            continue
        ranked = rank_items(S[u], set(excl[u]))
        for k in ks:
            top = ranked[:k]
            y = np.array([1.0 if i in H else 0.0 for i in top])
            R = len(H)
            hits = y.sum()
            out[f"recall@{k}"].append(hits / R)
            out[f"precision@{k}"].append(hits / k)
            disc = 1 / np.log2(np.arange(len(top)) + 2)
            idcg = (1 / np.log2(np.arange(min(R, k)) + 2)).sum()
            out[f"ndcg@{k}"].append((y * disc).sum() / idcg)
            prec_at = np.cumsum(y) / (np.arange(len(top)) + 1)
            out[f"map@{k}"].append((y * prec_at).sum() / min(R, k))
            first = np.nonzero(y)[0]
            out[f"mrr@{k}"].append(1 / (first[0] + 1) if len(first) else 0.0)
            out[f"hitrate@{k}"].append(1.0 if hits > 0 else 0.0)
            if pct is not None:
                pslots[k].extend(pct[top])
        for pos, i in enumerate(ranked):
            best[i] = min(best[i], pos)
    res = {key: float(np.mean(v)) for key, v in out.items()}
    for k in ks:
        res[f"coverage@{k}"] = float((best < k).sum() / n_items)
        if pct is not None:
            res[f"popularity_percentile@{k}"] = float(np.mean(pslots[k]))
    return res

def merlin_rows(y_sorted, rel_counts, k):
    """Merlin's formulas on pre-sorted label rows (merlin-retrieval.md section 4)."""
    res = {"recall": [], "precision": [], "map": [], "mrr": [], "ndcg": []}
    for y, r in zip(y_sorted, rel_counts):
        y = np.array(y[:k], dtype=float)
        c = min(max(r, 1), k)
        res["recall"].append(y.sum() / c if r > 0 else 0.0)
        res["precision"].append(y.sum() / k)
        res["map"].append((y * np.cumsum(y) / (np.arange(k) + 1)).sum() / c)
        first = np.nonzero(y)[0]
        res["mrr"].append(1 / (first[0] + 1) if len(first) else 0.0)
        disc = 1 / np.log2(np.arange(k) + 2)
        idcg = disc[:min(r, k)].sum()
        res["ndcg"].append((y * disc).sum() / idcg if idcg > 0 else 0.0)
    return {m: float(np.mean(v)) for m, v in res.items()}

# ---- Case 1: per-user protocol, 3 users (+1 without held-out items), 6 items, ties, exclusions.
Q = np.array([[1, 0], [0, 1], [1, 1], [1, -1]], dtype=np.float32)
I = np.array([[3, 0], [2, 1], [2, 2], [0, 3], [1, 1], [2, 0]], dtype=np.float32)
held = [[5, 2], [1], [3, 4, 0], []]
excl = [[0], [3, 2], [], [1]]
counts = [10, 4, 4, 1, 7, 0]
print("case1", per_user(Q, I, held, excl, [1, 3, 10], counts))

# ---- Case 2: Merlin fixture (test_metrics_topk.py), k = 4.
labels = np.array([[0, 1, 0, 1, 0], [1, 0, 0, 1, 0], [0, 0, 0, 0, 1]])
preds = np.array([[10, 9, 8, 7, 6], [1, 4, 3, 2, 5], [10, 9, 8, 7, 6]], dtype=float)
ys = [labels[i][np.argsort(-preds[i], kind="stable")] for i in range(3)]
print("merlin_fixture_sorted", [list(map(int, y)) for y in ys])
print("merlin_fixture", merlin_rows(ys, labels.sum(1), 4))

# ---- Case 3: per-row protocol (one target per row, no exclusion, no ties).
Qr = np.array([[1, 0.5], [0.2, 1], [-1, 0.3], [0.7, 0.9]], dtype=np.float32)
Ir = np.array([[1, 0], [0, 1], [0.5, 0.5], [-1, 0.2], [0.3, -0.9]], dtype=np.float32)
targets = [2, 0, 4, 1]
S = Qr @ Ir.T
ranks = [int((S[r] > S[r, t]).sum()) + 1 for r, t in enumerate(targets)]
print("case3_ranks", ranks)
for k in [1, 2, 5]:
    ys = [[1 if i == p - 1 else 0 for i in range(k)] for p in ranks]
    print(f"case3 k={k}", merlin_rows(ys, [1] * len(ranks), k))
