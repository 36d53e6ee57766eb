#!/usr/bin/env python3
"""Cross-checks TwoTower's safetensors files against Python's reference implementation.

    pip install safetensors numpy
    python3 check_safetensors.py read FILE    # FILE written by our Swift writer (see below)
    python3 check_safetensors.py write FILE   # writes the fixture our Swift reader must read;
                                              # prints it as base64 for SafeTensorsTests.swift

To get a Swift-written FILE: TWOTOWER_REFERENCE_OUT=/tmp/ref swift test --filter SafeTensorsTests
writes /tmp/ref/swift.safetensors (the tensors of `expected_swift()` below).
"""
import base64
import json
import struct
import sys
import zlib

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

CHECKSUM_KEY = "twotower.data_crc32"


def expected_swift():
    """The tensors SafeTensorsTests.referenceTensors() writes."""
    matrix = np.array([[1.5, -0.0, np.inf, -np.inf],
                       [np.nan, 1e-45, 3.4028235e38, -2.25],
                       [0.1, 0.2, 0.3, 1.0]], dtype=np.float32)
    return {
        "matrix": matrix,
        "bias": np.array([0.25, -2.0, 3.5], dtype=np.float32),
        "ids": np.array([0, 1, -1, 2**63 - 1, -(2**63)], dtype=np.int64),
        "counts": np.array([0, 1, -1, 2**31 - 1], dtype=np.int32),
        "empty": np.zeros((0, 4), dtype=np.float32),
    }


def python_fixture():
    return {
        "weights": np.array([[1.0, -2.5, 0.125], [np.nan, -0.0, np.inf]], dtype=np.float32),
        "item_ids": np.array([7, -3, 2**40], dtype=np.int64),
        "flags": np.array([1, -2], dtype=np.int32),
    }


def same_bits(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def read(path):
    loaded = load_file(path)
    expected = expected_swift()
    assert set(loaded) == set(expected), (sorted(loaded), sorted(expected))
    for name, value in expected.items():
        assert same_bits(loaded[name], value), (name, loaded[name], value)
    with safe_open(path, framework="numpy") as f:
        metadata = f.metadata()
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    assert n % 8 == 0, f"header length {n} is not a multiple of 8"
    crc = "%08x" % (zlib.crc32(raw[8 + n:]) & 0xFFFFFFFF)
    assert metadata[CHECKSUM_KEY] == crc, (metadata, crc)
    assert metadata["note"] == 'quote " and unicode \u00e9', metadata
    print(f"OK: {path}: {len(loaded)} tensors bit-identical, CRC-32 {crc} matches, header {n} bytes,",
          f"metadata {metadata}, order {[k for k in header if k != '__metadata__']}")


def write(path):
    save_file(python_fixture(), path, metadata={"source": "python"})
    data = open(path, "rb").read()
    print(f"wrote {path} ({len(data)} bytes); base64:")
    print(base64.b64encode(data).decode())


if __name__ == "__main__":
    {"read": read, "write": write}[sys.argv[1]](sys.argv[2])
