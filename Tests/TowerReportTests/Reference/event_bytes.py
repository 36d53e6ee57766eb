#!/usr/bin/env python3
"""Independent encodings of the events EventEncodingTests.swift checks.

    python3 event_bytes.py            # prints the hex pasted into EventEncodingTests.swift

Computed here by hand from the protobuf wire format (protobuf.dev/programming-guides/encoding)
and TFRecord framing (tensorflow/core/lib/io/record_writer.cc) with struct and a bitwise CRC-32C,
sharing no code with the Swift writer. When TensorBoard is installed (scripts/tensorboard-check.sh
makes a venv with it) the script also checks every message against the real protobuf classes
(tensorboard.compat.proto.event_pb2, TensorFlow's event.proto/summary.proto) and the framing
against tensorboard's own masked_crc32c, and fails on any difference.
"""
import struct
import sys


def varint(n):
    n &= (1 << 64) - 1  # int64 is encoded as its two's complement
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def key(field, wire_type):
    return varint(field << 3 | wire_type)


def length_delimited(field, payload):
    return key(field, 2) + varint(len(payload)) + payload


def event(wall_time, step, file_version=None, scalars=None):
    """Event {double wall_time = 1; int64 step = 2; oneof {string file_version = 3; Summary summary = 5}}.

    proto3: wall_time and step are omitted when zero; oneof members are always written."""
    out = b""
    if wall_time != 0:
        out += key(1, 1) + struct.pack("<d", wall_time)
    if step != 0:
        out += key(2, 0) + varint(step)
    if file_version is not None:
        out += length_delimited(3, file_version.encode("utf-8"))
    if scalars is not None:
        summary = b""
        for tag, value in scalars:
            v = b""
            if tag:
                v += length_delimited(1, tag.encode("utf-8"))
            v += key(2, 5) + struct.pack("<f", value)  # simple_value, in a oneof
            summary += length_delimited(1, v)
        out += length_delimited(5, summary)
    return out


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def masked(crc):
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record(data):
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked(crc32c(length))) + data + struct.pack("<I", masked(crc32c(data)))


# The cases of EventEncodingTests.swift: (name, kwargs).
CASES = [
    ("fileVersion", dict(wall_time=1700000000.25, step=0, file_version="brain.Event:2")),
    ("lossAtStep42", dict(wall_time=1700000001.5, step=42, scalars=[("train/loss", 0.693147)])),
    ("twoValuesNegativeStep", dict(wall_time=1e9, step=-3,
                                   scalars=[("test/recall@10", 0.0), ("epoch/loss", -1.25e-3)])),
    ("bigStepUnicodeTag", dict(wall_time=1700000002.0, step=300_000, scalars=[("métrique/λ", 3.0e38)])),
]


def check_against_tensorboard():
    try:
        from tensorboard.compat.proto import event_pb2, summary_pb2
        from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c
    except ImportError:
        print("(tensorboard not installed: skipped the check against its protobuf classes)", file=sys.stderr)
        return
    for name, kw in CASES:
        e = event_pb2.Event(wall_time=kw["wall_time"], step=kw["step"])
        if "file_version" in kw:
            e.file_version = kw["file_version"]
        else:
            e.summary.CopyFrom(summary_pb2.Summary(
                value=[summary_pb2.Summary.Value(tag=t, simple_value=v) for t, v in kw["scalars"]]))
        ours = event(**kw)
        if e.SerializeToString() != ours:
            sys.exit(f"{name}: by hand {ours.hex()} but event_pb2 gives {e.SerializeToString().hex()}")
        if masked_crc32c(ours) != masked(crc32c(ours)):
            sys.exit(f"{name}: masked CRC-32C {masked(crc32c(ours)):#x} but tensorboard gives {masked_crc32c(ours):#x}")
    print("(checked against tensorboard's event_pb2 and masked_crc32c: identical)", file=sys.stderr)


def main():
    assert crc32c(b"123456789") == 0xE3069283
    assert crc32c(bytes(32)) == 0x8A9136AA
    check_against_tensorboard()
    print(f'maskedCRC("123456789") = 0x{masked(crc32c(b"123456789")):08x}')
    for name, kw in CASES:
        data = event(**kw)
        print(f'{name}: "{data.hex()}"')
        print(f'{name}Record: "{record(data).hex()}"')


if __name__ == "__main__":
    main()
