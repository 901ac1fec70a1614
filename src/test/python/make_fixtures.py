#!/usr/bin/python3
"""Generates the golden test data under src/test/resources.

fixtures/torch/: PyTorch ConvTranspose1d/2d cases. For each case a folder NAME/ with x.npy,
w.npy, y.npy and (with bias) b.npy, all float32 C order, and one line in manifest.tsv:

    name dims N Cin Cout H W kH kW sH sW pH pW opH opW dH dW groups bias

tab-separated after a header line; dims is 1 (ConvTranspose1d: x is (N, Cin, W), w is
(Cin, Cout/groups, kW), and the H columns are 1 / 0) or 2; bias is 0 or 1. y is PyTorch's
float32 output of torch.nn.functional.conv_transpose1d/2d.

npy/: small arrays written by NumPy itself in every .npy variant the Java reader accepts or
must reject, with the values 0.5 * i - 1 for i = 0, 1, ... in C order.

Run with Debian's interpreter (python3-torch): /usr/bin/python3 src/test/python/make_fixtures.py
The output is deterministic for a given PyTorch build (fixed seeds, one thread).
"""

import os
import random
import shutil

import numpy as np
import torch
import torch.nn.functional as F

from torch_goldens import RESOURCES, draw_channels, valid, write_fixtures

TORCH_DIR = os.path.join(RESOURCES, "fixtures", "torch")
NPY_DIR = os.path.join(RESOURCES, "npy")
AXES = ("H", "W")
COLUMNS = ["name", "dims", "N", "Cin", "Cout", "H", "W", "kH", "kW", "sH", "sW", "pH", "pW",
           "opH", "opW", "dH", "dW", "groups", "bias"]


def case(name, dims=2, N=1, Cin=1, Cout=1, H=3, W=3, kH=3, kW=3, sH=1, sW=1, pH=0, pW=0, opH=0, opW=0,
         dH=1, dW=1, groups=1, bias=1):
    c = dict(name=name, dims=dims, N=N, Cin=Cin, Cout=Cout, H=H, W=W, kH=kH, kW=kW, sH=sH, sW=sW, pH=pH,
             pW=pW, opH=opH, opW=opW, dH=dH, dW=dW, groups=groups, bias=bias)
    if dims == 1:
        c.update(H=1, kH=1, sH=1, pH=0, opH=0, dH=1)
    assert valid(c, AXES), c
    return c


def named_cases():
    """One case per parameter, as in the PyTorch documentation's parameter list."""
    return [
        case("defaults_3x3"),
        case("stride_2", sH=2, sW=2),
        case("stride_above_kernel", kH=2, kW=2, sH=3, sW=4),
        case("padding_1", sH=2, sW=2, pH=1, pW=1),
        case("padding_beyond_kernel", H=4, W=5, kH=2, kW=2, sH=3, sW=3, pH=2, pW=2),
        case("output_padding_1", sH=2, sW=2, pH=1, pW=1, opH=1, opW=1),
        case("output_padding_above_stride_below_dilation", H=4, W=4, kH=2, kW=3, sH=1, sW=2, dH=3, dW=4,
             opH=2, opW=3),
        case("dilation_2", dH=2, dW=2),
        case("groups_2", Cin=4, Cout=6, groups=2),
        case("depthwise", Cin=3, Cout=3, groups=3),
        case("depthwise_multiplier_2", Cin=3, Cout=6, groups=3, sH=2, sW=2),
        case("no_bias", Cin=2, Cout=3, bias=0),
        case("batch_3", N=3, Cin=2, Cout=2),
        case("non_square", H=2, W=5, kH=2, kW=4, sH=1, sW=3, pH=0, pW=1),
        case("one_by_one_input", H=1, W=1, kH=3, kW=2, sH=2, sW=2),
        case("one_by_one_kernel_stride_2", H=3, W=4, kH=1, kW=1, sH=2, sW=2),
        case("dcgan_4x4_s2_p1", Cin=4, Cout=2, H=4, W=4, kH=4, kW=4, sH=2, sW=2, pH=1, pW=1),
        case("conv1d_default", dims=1, W=5, kW=3),
        case("conv1d_stride_padding_output_padding", dims=1, N=2, Cin=2, Cout=4, W=6, kW=4, sW=3, pW=1, opW=2),
        case("conv1d_groups_dilation", dims=1, Cin=4, Cout=2, groups=2, W=5, kW=3, dW=2),
        case("conv1d_length_1", dims=1, W=1, kW=4, sW=2, bias=0),
    ]


def random_cases(rng, count):
    cases = []
    while len(cases) < count:
        dims = 1 if rng.random() < 0.2 else 2
        groups, cin, cout = draw_channels(rng)
        c = dict(name="random_%03d" % len(cases), dims=dims, N=rng.randint(1, 3), Cin=cin, Cout=cout,
                 H=rng.randint(1, 7), W=rng.randint(1, 7), kH=rng.randint(1, 5), kW=rng.randint(1, 5),
                 sH=rng.randint(1, 4), sW=rng.randint(1, 4), groups=groups, bias=rng.randint(0, 1))
        for axis in AXES:
            c["d" + axis] = rng.choice([1, 1, 1, 2, 3])
            c["p" + axis] = rng.randint(0, c["d" + axis] * (c["k" + axis] - 1) + 1)
            c["op" + axis] = rng.randint(0, max(c["s" + axis], c["d" + axis]) - 1) if rng.random() < 0.4 else 0
        if dims == 1:
            c.update(H=1, kH=1, sH=1, pH=0, opH=0, dH=1)
        if valid(c, AXES):
            cases.append(c)
    return cases


def run(c, gen):
    if c["dims"] == 1:
        x = torch.randn(c["N"], c["Cin"], c["W"], generator=gen)
        w = torch.randn(c["Cin"], c["Cout"] // c["groups"], c["kW"], generator=gen)
    else:
        x = torch.randn(c["N"], c["Cin"], c["H"], c["W"], generator=gen)
        w = torch.randn(c["Cin"], c["Cout"] // c["groups"], c["kH"], c["kW"], generator=gen)
    b = torch.randn(c["Cout"], generator=gen) if c["bias"] else None
    with torch.no_grad():
        if c["dims"] == 1:
            y = F.conv_transpose1d(x, w, b, stride=c["sW"], padding=c["pW"], output_padding=c["opW"],
                                   groups=c["groups"], dilation=c["dW"])
        else:
            y = F.conv_transpose2d(x, w, b, stride=(c["sH"], c["sW"]), padding=(c["pH"], c["pW"]),
                                   output_padding=(c["opH"], c["opW"]), groups=c["groups"],
                                   dilation=(c["dH"], c["dW"]))
    return x, w, b, y


def make_torch_fixtures():
    gen = torch.Generator().manual_seed(20240601)
    cases = named_cases() + random_cases(random.Random(1234), 110)
    return write_fixtures(TORCH_DIR, COLUMNS, cases, lambda c: run(c, gen))


def values(shape, dtype):
    return (np.arange(int(np.prod(shape)), dtype=np.float64) * 0.5 - 1).reshape(shape).astype(dtype)


def write(name, array, version=None):
    with open(os.path.join(NPY_DIR, name), "wb") as f:
        np.lib.format.write_array(f, array, version=version)


def make_npy_samples():
    shutil.rmtree(NPY_DIR, ignore_errors=True)
    os.makedirs(NPY_DIR)
    write("f4_v1.npy", values((2, 3), "<f4"), (1, 0))
    write("f4_v2.npy", values((2, 3), "<f4"), (2, 0))
    write("f4_v3.npy", values((2, 3), "<f4"), (3, 0))
    write("f4_big_endian.npy", values((2, 3), ">f4"))
    write("f8_little_endian.npy", values((2, 3), "<f8"))
    write("f8_big_endian.npy", values((2, 3), ">f8"))
    write("f4_rank4.npy", values((1, 2, 3, 2), "<f4"))
    write("f4_scalar.npy", values((), "<f4"))
    write("f4_zero_size.npy", values((2, 0, 3), "<f4"))
    write("f4_fortran_order.npy", np.asfortranarray(values((2, 3), "<f4")))
    write("i4.npy", values((2, 3), "<i4"))
    write("f2.npy", values((2, 3), "<f2"))


if __name__ == "__main__":
    torch.set_num_threads(1)
    n = make_torch_fixtures()
    make_npy_samples()
    print("wrote %d PyTorch cases (torch %s) and the .npy samples" % (n, torch.__version__))
