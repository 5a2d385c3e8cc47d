"""contact_models.py: an encoder that fails only at run time, for the first-contact test (contact.test.mjs).

Usage: python3 contact_models.py ENCODER.onnx OUT.onnx

The shipped encoder with its input first reshaped to a batch of exactly 1 (a constant shape
[1, C, H, W]), while the graph still declares a free batch: it loads, passes the page's drop check
(one image) and fails in ONNX Runtime on the study's batches, as an encoder exported with a batch
of 1 traced into a Reshape does. Needs the `onnx` Python package (Debian: python3-onnx).
"""
import sys

import onnx
from onnx import TensorProto, helper


def batch_of_one(model):
    """Reshapes the graph's input to [1, C, H, W] before any node reads it."""
    g = model.graph
    inp = g.input[0]
    dims = [d.dim_value for d in inp.type.tensor_type.shape.dim]
    if len(dims) != 4 or min(dims[1:]) <= 0:
        raise SystemExit(f"contact_models.py: input '{inp.name}' is not N x C x H x W with fixed C, H, W")
    read = inp.name + "_batch_of_one"
    for node in g.node:
        node.input[:] = [read if n == inp.name else n for n in node.input]
    g.initializer.append(helper.make_tensor("batch_of_one_shape", TensorProto.INT64, [4], [1] + dims[1:]))
    g.node.insert(0, helper.make_node("Reshape", [inp.name, "batch_of_one_shape"], [read]))
    return model


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    model = batch_of_one(onnx.load(sys.argv[1]))
    onnx.checker.check_model(model)
    onnx.save(model, sys.argv[2])


if __name__ == "__main__":
    main()
