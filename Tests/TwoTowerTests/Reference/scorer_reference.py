"""Reference values for ScorerReferenceTests (independent NumPy implementation, float64).

Case: B=3, d=2, in-batch negatives, ids [5, 7, 5] (row 0 and row 2 share item 5, so each has two
false negatives), false-negative score -655.04, temperature 0.5, logQ from the frequency table
freq[id] = id + 1 (ids 0..9, normalised), reg_factor 1.
Prints logits (both orders), softmax-CE loss and gradients w.r.t. Q and I (Merlin order), BPR loss.
Run: python3 scorer_reference.py
"""
import numpy as np

Q = np.array([[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0]])
I = np.array([[1.0, 0.5], [-0.5, 1.25], [0.25, -1.5]])
ids = np.array([5, 7, 5])
T = 0.5
fn = -655.04
freq = np.arange(1, 11, dtype=np.float64)
p = freq / freq.sum()
logq = np.log(p[ids] + 1e-16)


def logits_of(Q, I, order):
    pos = np.sum(Q * I, axis=1, keepdims=True)
    neg = Q @ I.T
    mask = ids[:, None] == ids[None, :]
    neg = np.where(mask, fn, neg)
    s = np.concatenate([pos, neg], axis=1)
    bias = np.concatenate([logq[:, None], np.tile(logq[None, :], (3, 1))], axis=1)
    if order == "merlin":
        return (s - bias) / T, mask
    return s / T - bias, mask


def ce(z):
    m = z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    return np.mean(lse - z[:, 0])


def bpr(z):
    x = z[:, :1] - z[:, 1:]
    return np.mean(np.logaddexp(0, -x))


z, mask = logits_of(Q, I, "merlin")
zt, _ = logits_of(Q, I, "tfrs")
# Analytic gradient through the same graph.
m = z.max(axis=1, keepdims=True)
sm = np.exp(z - m) / np.exp(z - m).sum(axis=1, keepdims=True)
G = sm.copy(); G[:, 0] -= 1; G /= 3
Gn = np.where(mask, 0.0, G[:, 1:]) / T
g0 = G[:, 0:1] / T
dQ = g0 * I + Gn @ I
dI = g0 * Q + Gn.T @ Q

fmt = lambda a: ", ".join(f"{v:.9g}" for v in np.asarray(a).ravel())
print("logits_merlin:", fmt(z))
print("logits_tfrs:", fmt(zt))
print("ce_loss:", f"{ce(z):.9g}")
print("dQ:", fmt(dQ))
print("dI:", fmt(dI))
print("bpr_loss:", f"{bpr(z):.9g}")

# Self-check of the analytic gradient by central differences.
for M, D in ((Q, dQ), (I, dI)):
    for idx in np.ndindex(M.shape):
        old = M[idx]
        M[idx] = old + 1e-6; lp = ce(logits_of(Q, I, "merlin")[0])
        M[idx] = old - 1e-6; lm = ce(logits_of(Q, I, "merlin")[0])
        M[idx] = old
        assert abs((lp - lm) / 2e-6 - D[idx]) < 1e-6, (idx, (lp - lm) / 2e-6, D[idx])
