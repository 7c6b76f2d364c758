"""Model <-> bytes, for the store's generic state table.

Layout (version 1): a 16-byte header `b"PVSB" | u8 version | 3 pad | u32 nspam | u32 nham`
(big-endian), then zlib of three little-endian arrays of equal length: the sorted
feature hashes delta-encoded (u64), the spam counts (u32), the ham counts (u32).
Sorting and delta coding make the hashes compress; fixed-width arrays keep
encoding and decoding in C.

Version 2 adds the linear model: the header is followed by the bias (f64), and the
zlib body by a fourth array, one weight per key (f32, 0.0 when none). Version 1
bytes still load (with no weights), so stored models keep working.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array

from .classifier import Model

MAGIC = b"PVSB"
VERSION = 2
_HEADER = struct.Struct(">4sB3xII")
_BIAS = struct.Struct(">d")
_MASK = (1 << 64) - 1


class ModelFormatError(ValueError):
    """The bytes are not a model this code can read (wrong magic, newer version, damaged)."""


def _le(values: array) -> bytes:
    if sys.byteorder == "big":
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _from_le(typecode: str, data: bytes) -> array:
    values = array(typecode)
    values.frombytes(data)
    if sys.byteorder == "big":
        values.byteswap()
    return values


def dumps(model: Model) -> bytes:
    # A weight without counts cannot exist through train(); a key set union keeps dumps total anyway.
    keys = sorted(set(model.counts) | set(model.weights))
    deltas = array("Q", [0] * len(keys))
    previous = 0
    for i, key in enumerate(keys):
        deltas[i] = (key - previous) & _MASK
        previous = key
    zero = (0, 0)
    spam = array("I", [min(model.counts.get(k, zero)[0], 0xFFFFFFFF) for k in keys])
    ham = array("I", [min(model.counts.get(k, zero)[1], 0xFFFFFFFF) for k in keys])
    weights = array("f", [model.weights.get(k, 0.0) for k in keys])
    body = zlib.compress(_le(deltas) + _le(spam) + _le(ham) + _le(weights), 6)
    header = _HEADER.pack(MAGIC, VERSION, min(model.nspam, 0xFFFFFFFF), min(model.nham, 0xFFFFFFFF))
    return header + _BIAS.pack(model.bias) + body


def loads(data: bytes) -> Model:
    if len(data) < _HEADER.size:
        raise ModelFormatError("spam model: too short")
    magic, version, nspam, nham = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise ModelFormatError("spam model: bad magic")
    if version not in (1, VERSION):
        raise ModelFormatError(f"spam model: version {version} not supported (this code reads 1..{VERSION})")
    offset = _HEADER.size
    bias = 0.0
    if version >= 2:
        if len(data) < offset + _BIAS.size:
            raise ModelFormatError("spam model: too short")
        (bias,) = _BIAS.unpack_from(data, offset)
        offset += _BIAS.size
    try:
        body = zlib.decompress(data[offset:])
    except zlib.error as exc:
        raise ModelFormatError(f"spam model: damaged ({exc})") from None
    width = 20 if version >= 2 else 16
    if len(body) % width:
        raise ModelFormatError("spam model: damaged (length)")
    n = len(body) // width
    deltas = _from_le("Q", body[: 8 * n])
    spam = _from_le("I", body[8 * n : 12 * n])
    ham = _from_le("I", body[12 * n : 16 * n])
    weight_values = _from_le("f", body[16 * n :]) if version >= 2 else array("f", [0.0] * n)
    counts: dict[int, list[int]] = {}
    weights: dict[int, float] = {}
    key = 0
    for delta, s, h, w in zip(deltas, spam, ham, weight_values, strict=True):
        key = (key + delta) & _MASK
        if s or h:
            counts[key] = [s, h]
        if w:
            weights[key] = w
    return Model(nspam=nspam, nham=nham, counts=counts, weights=weights, bias=bias)
