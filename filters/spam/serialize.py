"""Model <-> bytes, for the store's generic state table.

Layout (version 1): a 16-byte header `b"PVSB" | u8 version | 3 pad | u32 nspam | u32 nham`
(big-endian), then zlib of three little-endian arrays of equal length: the sorted
feature hashes delta-encoded (u64), the spam counts (u32), the ham counts (u32).
Sorting and delta coding make the hashes compress; fixed-width arrays keep
encoding and decoding in C.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array

from .classifier import Model

MAGIC = b"PVSB"
VERSION = 1
_HEADER = struct.Struct(">4sB3xII")
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
    keys = sorted(model.counts)
    deltas = array("Q", [0] * len(keys))
    previous = 0
    for i, key in enumerate(keys):
        deltas[i] = (key - previous) & _MASK
        previous = key
    spam = array("I", [min(model.counts[k][0], 0xFFFFFFFF) for k in keys])
    ham = array("I", [min(model.counts[k][1], 0xFFFFFFFF) for k in keys])
    body = zlib.compress(_le(deltas) + _le(spam) + _le(ham), 6)
    return _HEADER.pack(MAGIC, VERSION, min(model.nspam, 0xFFFFFFFF), min(model.nham, 0xFFFFFFFF)) + body


def loads(data: bytes) -> Model:
    if len(data) < _HEADER.size:
        raise ModelFormatError("spam model: too short")
    magic, version, nspam, nham = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise ModelFormatError("spam model: bad magic")
    if version != VERSION:
        raise ModelFormatError(f"spam model: version {version} not supported (this code reads {VERSION})")
    try:
        body = zlib.decompress(data[_HEADER.size :])
    except zlib.error as exc:
        raise ModelFormatError(f"spam model: damaged ({exc})") from None
    if len(body) % 16:
        raise ModelFormatError("spam model: damaged (length)")
    n = len(body) // 16
    deltas = _from_le("Q", body[: 8 * n])
    spam = _from_le("I", body[8 * n : 12 * n])
    ham = _from_le("I", body[12 * n :])
    counts: dict[int, list[int]] = {}
    key = 0
    for delta, s, h in zip(deltas, spam, ham, strict=True):
        key = (key + delta) & _MASK
        counts[key] = [s, h]
    return Model(nspam=nspam, nham=nham, counts=counts)
