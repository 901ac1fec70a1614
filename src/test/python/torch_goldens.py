"""What the two generators of PyTorch golden cases share (make_fixtures.py, make_fixtures_3d.py).

A case is a dict of manifest columns; a fixture folder holds one folder per case, NAME/ with x.npy,
w.npy, b.npy (with a bias) and y.npy, and manifest.tsv, one tab-separated line per case after a
header line.
"""

import os
import shutil

import numpy as np

RESOURCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources")


def natural(size, k, s, p, op, d):
    """PyTorch's output size along one axis."""
    return (size - 1) * s - 2 * p + d * (k - 1) + op + 1


def valid(c, axes):
    """Whether PyTorch accepts the case: output_padding below stride or dilation, outputs not empty."""
    for a in axes:
        if c["op" + a] >= max(c["s" + a], c["d" + a]):
            return False
        if natural(c[a], c["k" + a], c["s" + a], c["p" + a], c["op" + a], c["d" + a]) < 1:
            return False
    return c["Cin"] % c["groups"] == 0 and c["Cout"] % c["groups"] == 0


def draw_channels(rng):
    """Groups and channel counts of a random case: a depthwise one now and then among the grouped."""
    groups = rng.choice([1, 1, 1, 2, 3])
    depthwise = groups > 1 and rng.random() < 0.3
    cin = groups * (1 if depthwise else rng.randint(1, 3))
    cout = groups * (rng.randint(1, 2) if depthwise else rng.randint(1, 3))
    return groups, cin, cout


def save(path, tensor, dtype="<f4"):
    np.save(path, np.ascontiguousarray(tensor.numpy().astype(dtype)))


def write_case(folder, x, w, b, y, y_dtype="<f4"):
    """x.npy, w.npy, b.npy (with a bias) in float32 and y.npy in y_dtype, in a new folder."""
    os.makedirs(folder)
    save(os.path.join(folder, "x.npy"), x)
    save(os.path.join(folder, "w.npy"), w)
    save(os.path.join(folder, "y.npy"), y, y_dtype)
    if b is not None:
        save(os.path.join(folder, "b.npy"), b)


def write_fixtures(folder, columns, cases, run, y_dtype="<f4"):
    """Replaces folder with the cases, each run in order by run(c) -> (x, w, b, y); returns their number."""
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    lines = ["\t".join(columns)]
    for c in cases:
        x, w, b, y = run(c)
        write_case(os.path.join(folder, c["name"]), x, w, b, y, y_dtype)
        lines.append("\t".join(str(c[k]) for k in columns))
    with open(os.path.join(folder, "manifest.tsv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return len(cases)
