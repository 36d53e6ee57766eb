"""Reference values for the cosine contrastive loss (CCL) tests (LossTests.cclMatchesNumPyReference),
an independent NumPy implementation in float64 of SimpleX's loss (Mao et al., CIKM 2021):

    l_b = (1 - s_b0) + (w / N) * sum_n max(0, s_bn - m),   L = sum_b w_b l_b / B   (mean)
                                                          L = sum_b w_b l_b       (sum)

Case: B=4, d=3 query and item vectors L2-normalised (cosine scores), in-batch negatives with item
ids [5, 7, 5, 2] (rows 0 and 2 share item 5: their in-batch columns for item 5 are false negatives,
scored -655.04, so they add nothing), margin m = 0.3, negative weight w = 2, sample weights
[1, 0.5, 2, 1]. Prints the logits [B, 1+B], the loss (mean and sum), dL/dlogits (mean) and
dL/dQ, dL/dI of the raw (pre-normalisation) vectors (mean), the last through the normalisation.
Run: python3 Tests/TwoTowerTests/Reference/ccl_reference.py
"""
import numpy as np

Q = np.array([[0.5, -1.0, 0.25], [1.5, 0.25, -0.5], [-0.75, 2.0, 1.0], [0.3, 0.4, -1.2]])
I = np.array([[1.0, 0.5, -0.25], [-0.5, 1.25, 0.75], [0.25, -1.5, 0.5], [0.9, 0.1, -0.8]])
ids = np.array([5, 7, 5, 2])
sample_weights = np.array([1.0, 0.5, 2.0, 1.0])
margin, weight, fn = 0.3, 2.0, -655.04


def normalise(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def logits_of(Q, I):
    q, i = normalise(Q), normalise(I)
    pos = np.sum(q * i, axis=1, keepdims=True)
    neg = q @ i.T
    neg = np.where(ids[:, None] == ids[None, :], fn, neg)
    return np.concatenate([pos, neg], axis=1)


def ccl(z, reduction="mean"):
    n = z.shape[1] - 1
    rows = (1 - z[:, 0]) + weight / n * np.maximum(0, z[:, 1:] - margin).sum(axis=1)
    total = (sample_weights * rows).sum()
    return total / z.shape[0] if reduction == "mean" else total


def ccl_grad(z):
    b, n = z.shape[0], z.shape[1] - 1
    g = np.zeros_like(z)
    g[:, 0] = -sample_weights / b
    g[:, 1:] = (z[:, 1:] > margin) * (sample_weights[:, None] * weight / n / b)
    return g


def numeric_grad(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        p, m = x.copy(), x.copy()
        p[k] += eps
        m[k] -= eps
        g[k] = (f(p) - f(m)) / (2 * eps)
    return g


z = logits_of(Q, I)
np.set_printoptions(precision=9, floatmode="maxprec")
fmt = lambda a: ", ".join(f"{v:.9g}" for v in np.asarray(a).ravel())
print("logits:", fmt(z))
print("loss mean:", f"{ccl(z):.9g}")
print("loss sum:", f"{ccl(z, 'sum'):.9g}")
print("dL/dlogits (mean):", fmt(ccl_grad(z)))
assert np.allclose(numeric_grad(ccl, z), ccl_grad(z), atol=1e-6)
print("dL/dQ (mean):", fmt(numeric_grad(lambda q: ccl(logits_of(q, I)), Q)))
print("dL/dI (mean):", fmt(numeric_grad(lambda i: ccl(logits_of(Q, i)), I)))
