"""Reference values for SoftmaxTests.hugeAndTinyLogits (NumPy float64).

Run: python3 Tests/TowerCoreTests/Reference/softmax_reference.py
"""
import numpy as np


def log_sum_exp(x):
    x = np.asarray(x, dtype=np.float64)
    m = x.max()
    return m + np.log(np.exp(x - m).sum())


def softmax(x):
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - x.max())
    return e / e.sum()


print("lse [1000]*4:", float(log_sum_exp([1000, 1000, 1000, 1000])))
print("lse [-1000..-1003]:", float(log_sum_exp([-1000, -1001, -1002, -1003])))
print("softmax [-1000..-1003]:", [float(v) for v in softmax([-1000, -1001, -1002, -1003])])
