#!/usr/bin/env python3
"""model_flops.py: floating-point operations per image of each model's encoder and decoder.

    /usr/bin/python3 bench/model_flops.py [models/manifest.json] [--json]

Why: to turn the page's inference time into GFLOP/s (docs/explorer.md, "Figures") from the real
graphs, not an estimate. Reads each ONNX file with Debian's python3-onnx, infers shapes for a
batch of one, and counts multiply-adds of Conv, ConvTranspose, Gemm and MatMul as 2 FLOPs each
(element-wise ops are a rounding error next to them and are left out). Prints one line per model
and the total per image of the default study's encoder + decoder runs; --json prints
{"model name": FLOPs per image (encoder + decoder)} instead (tests/browser/bench.mjs reads it).
"""
import json
import os
import sys

import onnx
from onnx import shape_inference


def dims(value_info):
    return [d.dim_value for d in value_info.type.tensor_type.shape.dim]


def graph_flops(path):
    model = onnx.load(path)
    # Batch of one: replace the symbolic batch size so shape inference gives numbers.
    for inp in model.graph.input:
        d = inp.type.tensor_type.shape.dim
        if d and not d[0].dim_value:
            d[0].dim_value = 1
    model = shape_inference.infer_shapes(model)
    g = model.graph
    shapes = {v.name: dims(v) for v in list(g.value_info) + list(g.input) + list(g.output)}
    shapes.update({t.name: list(t.dims) for t in g.initializer})
    flops = 0
    for node in g.node:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        group = attrs.get("group", 1)
        if node.op_type == "Conv":
            w, y = shapes[node.input[1]], shapes[node.output[0]]   # w: Cout x Cin/g x kh x kw
            per_output = w[1] * w[2] * w[3]
            n_out = y[0] * y[1] * y[2] * y[3]
            flops += 2 * n_out * per_output
        elif node.op_type == "ConvTranspose":
            w, x = shapes[node.input[1]], shapes[node.input[0]]    # w: Cin x Cout/g x kh x kw
            n_in = x[0] * x[1] * x[2] * x[3]
            flops += 2 * n_in * w[1] * w[2] * w[3]
        elif node.op_type in ("Gemm", "MatMul"):
            a, y = shapes[node.input[0]], shapes[node.output[0]]
            k = a[-1]
            n_out = 1
            for d in y:
                n_out *= d
            flops += 2 * n_out * k
    return flops


def main():
    args = [a for a in sys.argv[1:] if a != "--json"]
    as_json = "--json" in sys.argv[1:]
    manifest_path = args[0] if args else os.path.join(os.path.dirname(__file__), "..", "models", "manifest.json")
    root = os.path.dirname(os.path.abspath(manifest_path))
    manifest = json.load(open(manifest_path))
    total = 0
    per_model = {}
    for m in manifest["models"]:
        enc = graph_flops(os.path.join(root, m["files"]["encoder"]["path"]))
        dec = graph_flops(os.path.join(root, m["files"]["decoder"]["path"]))
        total += enc + dec
        per_model[m["name"]] = enc + dec
        if as_json:
            continue
        print(f"{m['name']:10s} encoder {enc / 1e6:7.2f} MFLOP  decoder {dec / 1e6:7.2f} MFLOP  per image {(enc + dec) / 1e6:7.2f} MFLOP")
    if as_json:
        print(json.dumps(per_model))
        return
    n_sets, n_images = 7, 300
    print(f"all {len(manifest['models'])} models: {total / 1e6:.2f} MFLOP per image; the default study "
          f"({n_sets} noise levels x {n_images} images) is {total * n_sets * n_images / 1e9:.1f} GFLOP of inference")


if __name__ == "__main__":
    main()
