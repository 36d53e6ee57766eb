#!/usr/bin/env python3
"""Cross-checks TwoTower's .npy writer against NumPy.

    python3 check_npy.py headers      # prints numpy.save's exact headers pasted into NpyTests.swift
    python3 check_npy.py read DIR     # DIR written by the Swift tests (see below): np.load each
                                      # file, compare values and compare bytes with numpy.save's

To get DIR: TWOTOWER_REFERENCE_OUT=/tmp/ref swift test --filter NpyTests
"""
import io
import os
import sys

import numpy as np


def expected():
    """The arrays NpyTests.referenceArrays() writes."""
    return {
        "matrix.npy": np.array([[1.5, -0.0, np.inf, -np.inf],
                                [np.nan, 1e-45, 3.4028235e38, -2.25],
                                [0.1, 0.2, 0.3, 1.0]], dtype=np.float32),
        "ids.npy": np.array([0, 1, -1, 2**63 - 1, -(2**63)], dtype=np.int64),
        "counts.npy": np.array([0, 1, -1, 2**31 - 1], dtype=np.int32),
        "empty.npy": np.zeros((0, 4), dtype=np.float32),
        "wide.npy": np.arange(12345 * 2, dtype=np.float32).reshape(12345, 2),
    }


def numpy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def headers():
    for shape, dtype in [((3, 4), np.float32), ((5,), np.int64), ((0,), np.int32),
                         ((12345, 2), np.float32), ((), np.float32)]:
        data = numpy_bytes(np.zeros(shape, dtype=dtype))
        length = int.from_bytes(data[8:10], "little")
        print(shape, dtype.__name__, 10 + length, repr(data[10:10 + length].decode("latin1")))


def read(directory):
    for name, value in expected().items():
        path = os.path.join(directory, name)
        loaded = np.load(path)
        assert loaded.dtype == value.dtype and loaded.shape == value.shape, (name, loaded.dtype, loaded.shape)
        assert loaded.tobytes() == value.tobytes(), name
        ours = open(path, "rb").read()
        assert ours == numpy_bytes(value), f"{name}: bytes differ from numpy.save"
        print(f"OK: {name}: np.load reads {loaded.dtype} {loaded.shape}, bytes identical to numpy.save")


if __name__ == "__main__":
    if sys.argv[1] == "headers":
        headers()
    else:
        read(sys.argv[2])
