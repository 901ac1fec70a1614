#!/usr/bin/python3
"""Generates the 3-D golden test data under src/test/resources/fixtures/torch3d/.

PyTorch ConvTranspose3d cases: for each case a folder NAME/ with x.npy, w.npy and (with bias)
b.npy in float32, and y.npy in float64: PyTorch's torch.nn.functional.conv_transpose3d of the
same float32 values computed in float64, so that a reference summing in double can be held to
about 1e-12 and a float32 implementation to its own rounding bound. One line per case in
manifest.tsv, tab-separated after a header line:

    name N Cin Cout D H W kD kH kW sD sH sW pD pH pW opD opH opW dD dH dW groups bias

x is (N, Cin, D, H, W), w is (Cin, Cout/groups, kD, kH, kW), bias is 0 or 1. The random cases
draw every parameter independently per axis, so sizes, kernels, strides, paddings, output
paddings and dilations differ between the axes.

Kept apart from make_fixtures.py so that the 2-D goldens stay byte for byte as they were made.
Run with Debian's interpreter (python3-torch): /usr/bin/python3 src/test/python/make_fixtures_3d.py
The output is deterministic for a given PyTorch build (fixed seeds, one thread).
"""

import os
import random

import torch
import torch.nn.functional as F

from torch_goldens import RESOURCES, draw_channels, valid, write_fixtures

DIR = os.path.join(RESOURCES, "fixtures", "torch3d")
AXES = ("D", "H", "W")
COLUMNS = (["name", "N", "Cin", "Cout"] + list(AXES) + ["k" + a for a in AXES] + ["s" + a for a in AXES]
           + ["p" + a for a in AXES] + ["op" + a for a in AXES] + ["d" + a for a in AXES] + ["groups", "bias"])


def case(name, N=1, Cin=1, Cout=1, groups=1, bias=1, **axes):
    c = dict(name=name, N=N, Cin=Cin, Cout=Cout, groups=groups, bias=bias)
    for a in AXES:
        c[a] = axes.get(a, 3)
        c["k" + a] = axes.get("k" + a, 2)
        for p, default in (("s", 1), ("p", 0), ("op", 0), ("d", 1)):
            c[p + a] = axes.get(p + a, default)
    assert valid(c, AXES), c
    return c


def named_cases():
    """The 3-D decoders of the issue, scaled down, and one case per parameter."""
    return [
        case("unet3d_up_k2_s2", Cin=4, Cout=2, kD=2, kH=2, kW=2, sD=2, sH=2, sW=2),
        case("vgan_k4_s2_p1", Cin=3, Cout=2, D=2, H=2, W=2, kD=4, kH=4, kW=4, sD=2, sH=2, sW=2, pD=1, pH=1, pW=1),
        case("asymmetric_axes", D=2, H=3, W=5, kD=1, kH=2, kW=3, sD=1, sH=2, sW=3, pD=0, pH=1, pW=2, opW=1),
        case("dilation_per_axis", kD=2, kH=3, kW=2, dD=2, dH=1, dW=3, opD=1, sD=1),
        case("depthwise_3d", Cin=3, Cout=6, groups=3, sD=2, sH=1, sW=2),
        case("no_bias_batch_2", N=2, Cin=2, Cout=3, bias=0, kD=3, kH=1, kW=2),
    ]


def random_cases(rng, count):
    cases = []
    while len(cases) < count:
        groups, cin, cout = draw_channels(rng)
        c = dict(name="random3d_%03d" % len(cases), N=rng.randint(1, 2), Cin=cin, Cout=cout, groups=groups,
                 bias=rng.randint(0, 1))
        for a in AXES:
            c[a] = rng.randint(1, 5)
            c["k" + a] = rng.randint(1, 4)
            c["s" + a] = rng.randint(1, 3)
            c["d" + a] = rng.choice([1, 1, 1, 2, 3])
            c["p" + a] = rng.randint(0, c["d" + a] * (c["k" + a] - 1) + 1) if rng.random() < 0.6 else 0
            c["op" + a] = rng.randint(0, max(c["s" + a], c["d" + a]) - 1) if rng.random() < 0.4 else 0
        if valid(c, AXES):
            cases.append(c)
    return cases


def per_axis(c, p):
    return tuple(c[p + a] for a in AXES)


def run(c, gen):
    x = torch.randn(c["N"], c["Cin"], *per_axis(c, ""), generator=gen)
    w = torch.randn(c["Cin"], c["Cout"] // c["groups"], *per_axis(c, "k"), generator=gen)
    b = torch.randn(c["Cout"], generator=gen) if c["bias"] else None
    with torch.no_grad():
        y = F.conv_transpose3d(x.double(), w.double(), None if b is None else b.double(), stride=per_axis(c, "s"),
                               padding=per_axis(c, "p"), output_padding=per_axis(c, "op"), groups=c["groups"],
                               dilation=per_axis(c, "d"))
    return x, w, b, y


def main():
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(20261202)
    cases = named_cases() + random_cases(random.Random(4242), 64)
    n = write_fixtures(DIR, COLUMNS, cases, lambda c: run(c, gen), "<f8")
    print("wrote %d PyTorch ConvTranspose3d cases (torch %s)" % (n, torch.__version__))


if __name__ == "__main__":
    main()
