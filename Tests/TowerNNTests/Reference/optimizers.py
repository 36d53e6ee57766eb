#!/usr/bin/env python3
"""Reference values for Tests/TowerNNTests/OptimizerTests.swift.

Independent NumPy (float64) implementations of the update rules documented in
Sources/TowerNN/{SGD,Adagrad,Adam}.swift. Run `python3 optimizers.py` and paste the printed
arrays into OptimizerTests.swift (the inputs below are repeated there verbatim).
"""
import numpy as np

W0 = np.array([[0.5, -1.0, 2.0], [0.0, 0.25, -0.75]])
GRADS = [
    np.array([[0.1, -0.2, 0.3], [0.4, -0.5, 0.6]]),
    np.array([[-0.3, 0.1, 0.0], [0.2, 0.2, -0.1]]),
    np.array([[0.05, 0.5, -0.4], [-0.6, 0.0, 0.3]]),
]
# Sparse case: a 4x2 table, per step the touched rows (unique) and their gradients.
T0 = np.array([[0.1, 0.2], [0.3, 0.4], [-0.5, 0.6], [0.7, -0.8]])
SPARSE = [
    ([0, 2], np.array([[0.5, -0.5], [0.25, 1.0]])),
    ([2, 3], np.array([[-0.1, 0.2], [0.3, 0.3]])),
    ([0], np.array([[1.0, -2.0]])),
]


def sgd(w, grads, lr, momentum, nesterov=False, wd=0.0):
    w = w.copy(); v = np.zeros_like(w)
    for g in grads:
        g = g + wd * w
        if momentum == 0:
            w -= lr * g
        else:
            v = momentum * v + g
            w -= lr * (g + momentum * v if nesterov else v)
    return w


def adagrad(w, grads, lr, init, eps):
    w = w.copy(); a = np.full_like(w, init)
    for g in grads:
        a += g * g
        w -= lr * g / (np.sqrt(a) + eps)
    return w


def adam(w, grads, lr, b1, b2, eps, wd=0.0):
    w = w.copy(); m = np.zeros_like(w); v = np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        w *= 1 - lr * wd
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w -= lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    return w


def lazy_adam(w, steps, lr, b1, b2, eps):
    """TF LazyAdam: only touched rows update moments and values; bias correction uses the global step."""
    w = w.copy(); m = np.zeros_like(w); v = np.zeros_like(w)
    for t, (rows, g) in enumerate(steps, start=1):
        for r, gr in zip(rows, g):
            m[r] = b1 * m[r] + (1 - b1) * gr
            v[r] = b2 * v[r] + (1 - b2) * gr * gr
            w[r] -= lr * (m[r] / (1 - b1 ** t)) / (np.sqrt(v[r] / (1 - b2 ** t)) + eps)
    return w


def lazy_sgd_momentum(w, steps, lr, momentum):
    w = w.copy(); v = np.zeros_like(w)
    for rows, g in steps:
        for r, gr in zip(rows, g):
            v[r] = momentum * v[r] + gr
            w[r] -= lr * v[r]
    return w


def lazy_adagrad(w, steps, lr, init, eps):
    w = w.copy(); a = np.full_like(w, init)
    for rows, g in steps:
        for r, gr in zip(rows, g):
            a[r] += gr * gr
            w[r] -= lr * gr / (np.sqrt(a[r]) + eps)
    return w


def show(name, array):
    print(f"let {name}: [Float] = [{', '.join(f'{x:.9g}' for x in array.ravel())}]")


show("sgdMomentum", sgd(W0, GRADS, lr=0.1, momentum=0.9, wd=0.01))
show("sgdNesterov", sgd(W0, GRADS, lr=0.1, momentum=0.9, nesterov=True))
show("sgdPlain", sgd(W0, GRADS, lr=0.1, momentum=0.0))
show("adagrad", adagrad(W0, GRADS, lr=0.1, init=0.1, eps=1e-7))
show("adam", adam(W0, GRADS, lr=0.01, b1=0.9, b2=0.999, eps=1e-7))
show("adamW", adam(W0, GRADS, lr=0.01, b1=0.9, b2=0.999, eps=1e-7, wd=0.1))
show("lazyAdam", lazy_adam(T0, SPARSE, lr=0.01, b1=0.9, b2=0.999, eps=1e-7))
show("lazySGDMomentum", lazy_sgd_momentum(T0, SPARSE, lr=0.1, momentum=0.9))
show("lazyAdagrad", lazy_adagrad(T0, SPARSE, lr=0.1, init=0.1, eps=1e-7))
