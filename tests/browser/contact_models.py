"""contact_models.py: encoders that fail only at run time, for the first-contact test (contact.test.mjs).

Usage: python3 contact_models.py batch1|noisy ENCODER.onnx OUT.onnx

Both are the shipped encoder with a Reshape in front of its first node, while the graph still
declares a free batch, so each loads and passes the page's drop check (one zero image):
- batch1: the input reshaped to [1, C, H, W], as an encoder exported with a batch of 1 traced into a
  Reshape; ONNX Runtime fails on the study's batches, at the clean set already;
- noisy: the input reshaped to [-1, C, H, W] while at least 40% of the batch's pixels are exactly 0
  (clean Fashion-MNIST images: about half; noise clipped to [0, 1] leaves about a quarter), else
  to a shape its size does not divide: the clean set runs, the first noise level fails.
Needs the `onnx` Python package (Debian: python3-onnx).
"""
import sys

import onnx
from onnx import TensorProto, helper


def reshape_input(model, shape_name):
    """Makes every node read the graph's input through Reshape(input, shape_name)."""
    g = model.graph
    inp = g.input[0].name
    read = inp + "_reshaped"
    for node in g.node:
        node.input[:] = [read if n == inp else n for n in node.input]
    g.node.insert(0, helper.make_node("Reshape", [inp, shape_name], [read]))


def input_dims(model):
    inp = model.graph.input[0]
    dims = [d.dim_value for d in inp.type.tensor_type.shape.dim]
    if len(dims) != 4 or min(dims[1:]) <= 0:
        raise SystemExit(f"contact_models.py: input '{inp.name}' is not N x C x H x W with fixed C, H, W")
    return dims


def batch_of_one(model):
    dims = input_dims(model)
    model.graph.initializer.append(helper.make_tensor("one_shape", TensorProto.INT64, [4], [1] + dims[1:]))
    reshape_input(model, "one_shape")
    return model


def clean_only(model):
    c, h, w = input_dims(model)[1:]
    g = model.graph
    inp = g.input[0].name
    g.initializer.extend([
        helper.make_tensor("zero", TensorProto.FLOAT, [], [0.0]),
        helper.make_tensor("min_zeros", TensorProto.FLOAT, [], [0.4]),
        helper.make_tensor("good_shape", TensorProto.INT64, [4], [-1, c, h, w]),
        helper.make_tensor("bad_shape", TensorProto.INT64, [4], [-1, c, h, w - 1]),
    ])
    nodes = [
        helper.make_node("Equal", [inp, "zero"], ["is_zero"]),
        helper.make_node("Cast", ["is_zero"], ["is_zero_f"], to=TensorProto.FLOAT),
        helper.make_node("ReduceMean", ["is_zero_f"], ["zero_share"], keepdims=0),
        helper.make_node("Less", ["zero_share", "min_zeros"], ["noisy"]),
        helper.make_node("Where", ["noisy", "bad_shape", "good_shape"], ["checked_shape"]),
    ]
    reshape_input(model, "checked_shape")
    for node in reversed(nodes):
        g.node.insert(0, node)
    return model


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("batch1", "noisy"):
        raise SystemExit(__doc__)
    model = onnx.load(sys.argv[2])
    model = batch_of_one(model) if sys.argv[1] == "batch1" else clean_only(model)
    onnx.checker.check_model(model)
    onnx.save(model, sys.argv[3])


if __name__ == "__main__":
    main()
