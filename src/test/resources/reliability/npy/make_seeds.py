"""Writes the seed corpus of the .npy reader fuzzer (NpyReaderFuzzTest).

Real NumPy output for every layout the reader accepts, plus handcrafted headers for the edges
it must refuse. The fuzzer mutates these bytes, so each seed is small. Run from this folder:
python3 make_seeds.py (NumPy 2.x); the files are committed, so tests never need Python.
"""
import struct

import numpy as np

SEEDS = "seeds/"


def save(name, array, version=None):
    with open(SEEDS + name, "wb") as f:
        if version is None:
            np.save(f, array)
        else:
            np.lib.format.write_array(f, array, version=version)


def raw(name, major, header, data=b""):
    """A file with exactly this header dict text (padded to 64 bytes, as NumPy does)."""
    prefix = 10 if major == 1 else 12
    text = header.encode("utf-8" if major == 3 else "latin-1")
    pad = (-(prefix + len(text) + 1)) % 64
    text += b" " * pad + b"\n"
    size = struct.pack("<H", len(text)) if major == 1 else struct.pack("<I", len(text))
    with open(SEEDS + name, "wb") as f:
        f.write(b"\x93NUMPY" + bytes([major, 0]) + size + text + data)


values = np.arange(6, dtype=np.float32).reshape(2, 3) * 0.5 - 1
save("f4_2x3.npy", values)
save("f4_scalar.npy", np.float32(3.5))
save("f4_1d.npy", np.arange(5, dtype=np.float32))
save("f4_zero_size.npy", np.zeros((0, 4), dtype=np.float32))
save("f4_rank4.npy", np.ones((1, 2, 2, 1), dtype=np.float32))
save("f4_big_endian.npy", values.astype(">f4"))
save("f8_2x2.npy", np.array([[1.0, -2.5], [1e300, 5e-324]], dtype="<f8"))
save("f8_big_endian.npy", np.array([0.1, -0.0, np.inf], dtype=">f8"))
save("f4_nonfinite.npy", np.array([np.nan, np.inf, -np.inf, 1e-45], dtype=np.float32))
save("f4_v2.npy", values, version=(2, 0))
save("f4_v3.npy", values, version=(3, 0))
raw("f4_double_quotes_reordered.npy", 1, '{"shape": (2,), "fortran_order": False, "descr": "<f4"}',
    struct.pack("<2f", 1, 2))
raw("f4_python2_long.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1L, 2L), }",
    struct.pack("<2f", 1, 2))
raw("f4_v3_nbsp_refused.npy", 3, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,),\u00a0}",
    struct.pack("<f", 1))
# Refused: the fuzzer starts next to each rule's boundary.
save("i4_refused.npy", np.arange(3, dtype=np.int32))
save("f4_fortran_refused.npy", np.asfortranarray(values))
raw("f4_huge_shape_refused.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }")
raw("f4_overflowing_dims_refused.npy", 1,
    "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }")
raw("f4_truncated_data_refused.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }",
    struct.pack("<3f", 1, 2, 3))
raw("f4_zero_dim_times_huge.npy", 1,
    "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 9223372036854775807), }")
