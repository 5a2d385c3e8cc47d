"""plan_models.py: ONNX files for the page's model-plan and images tests (plan.test.mjs,
images.test.mjs), made from the shipped models.

Usage: python3 plan_models.py MODELS_DIR OUT_DIR

Index: 1. renaming a graph's inputs and outputs, fixing dimensions, undoing a normalisation
       2. the files to drop  3. the files of a manifest's models (with "settings")

Why edits of shipped models rather than new networks: the same weights on the same images must give
the same ranks, so each file has a known answer (the shipped model's results on the same page) and
only the way it is run changes: other input and output names, fixed batch sizes that are not
divisors of the study's N (the last batch padded), two outputs that need a model.json choice, an
RGB 3 x 32 x 32 input (the images converted to it), and an RGB encoder/decoder pair with a fixed
batch of 1 and names of its own (torch.onnx.export's defaults); and, for a manifest's "settings", a normalisation that
the graph itself undoes (so the model computes what the shipped one computes only when the page
normalises its input and un-normalises its output exactly as declared). Needs the `onnx` Python
package (Debian: python3-onnx).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


# 1. Editing a graph -------------------------------------------------------------------------------------------
def rename(model, old, new):
    """Renames a graph input or output, and every use of it in the nodes."""
    g = model.graph
    for v in list(g.input) + list(g.output):
        if v.name == old:
            v.name = new
    for node in g.node:
        node.input[:] = [new if n == old else n for n in node.input]
        node.output[:] = [new if n == old else n for n in node.output]


def set_dims(value_info, dims):
    """Sets a tensor's declared dimensions (None keeps one as it is)."""
    for d, v in zip(value_info.type.tensor_type.shape.dim, dims):
        if v is not None:
            d.Clear()
            d.dim_value = v


def affine_input(model, scale, shift):
    """Makes the graph take x' and compute what it computed on x = x' * scale + shift."""
    g = model.graph
    old = g.input[0].name
    new = old + "_normalised"
    rename(model, old, new)  # the input and its uses
    g.input[0].name = new
    for node in g.node:  # the uses read x again, computed from x'
        node.input[:] = [old if n == new else n for n in node.input]
    g.initializer.extend([helper.make_tensor("in_scale", TensorProto.FLOAT, [], [scale]),
                          helper.make_tensor("in_shift", TensorProto.FLOAT, [], [shift])])
    g.node.insert(0, helper.make_node("Add", [old + "_scaled", "in_shift"], [old]))
    g.node.insert(0, helper.make_node("Mul", [new, "in_scale"], [old + "_scaled"]))


def affine_output(model, scale, shift):
    """Makes the graph give y' = (y - shift) / scale for its output y, as y * (1 / scale) + (-shift /
    scale): Mul and Add, which the CLI's runner has."""
    g = model.graph
    old = g.output[0].name
    new = old + "_normalised"
    g.output[0].name = new
    g.initializer.extend([helper.make_tensor("out_scale", TensorProto.FLOAT, [], [1.0 / scale]),
                          helper.make_tensor("out_shift", TensorProto.FLOAT, [], [-shift / scale])])
    g.node.append(helper.make_node("Mul", [old, "out_scale"], [old + "_scaled"]))
    g.node.append(helper.make_node("Add", [old + "_scaled", "out_shift"], [new]))


def edited(models, model, part, renames=(), batch=None):
    """A shipped model's encoder or decoder, its inputs and outputs renamed, its batch fixed."""
    m = onnx.load(os.path.join(models, model, part + ".onnx"))
    for old, new in renames:
        rename(m, old, new)
    if batch:
        set_dims(m.graph.input[0], [batch])
        set_dims(m.graph.output[0], [batch])
    onnx.checker.check_model(m)
    return m


def rgb_encoder(models, renames=(), batch=None):
    """sparse's encoder on RGB 3 x 32 x 32: its first convolution's kernel copied to 3 channels
    (divided by 3), the input declared 3 x 32 x 32 (latents 64 x 8 x 8)."""
    rgb = edited(models, "sparse", "encoder", renames)
    first = next(node for node in rgb.graph.node if node.op_type == "Conv")
    for i, t in enumerate(rgb.graph.initializer):
        if t.name == first.input[1]:
            w = numpy_helper.to_array(t)
            rgb.graph.initializer[i].CopyFrom(numpy_helper.from_array(np.repeat(w, 3, axis=1) / 3, t.name))
    set_dims(rgb.graph.input[0], [batch, 3, 32, 32])
    for v in rgb.graph.output:
        set_dims(v, [batch, None, 8, 8])
    onnx.checker.check_model(rgb)
    return rgb


def rgb_decoder(models, renames=(), batch=None):
    """sparse's decoder from 64 x 8 x 8 latents to RGB 3 x 32 x 32: its last transposed
    convolution's kernel and bias copied to 3 output channels, scaled 1, 0.8, 0.6 (a tinted image)."""
    dec = edited(models, "sparse", "decoder", renames)
    last = [node for node in dec.graph.node if node.op_type == "ConvTranspose"][-1]
    tint = np.array([1.0, 0.8, 0.6], dtype=np.float32)
    for i, t in enumerate(dec.graph.initializer):
        if t.name == last.input[1]:  # weight: C_in x C_out x k x k
            w = np.repeat(numpy_helper.to_array(t), 3, axis=1) * tint[None, :, None, None]
            dec.graph.initializer[i].CopyFrom(numpy_helper.from_array(w.astype(np.float32), t.name))
        if t.name == last.input[2]:
            b = np.repeat(numpy_helper.to_array(t), 3) * tint
            dec.graph.initializer[i].CopyFrom(numpy_helper.from_array(b.astype(np.float32), t.name))
    set_dims(dec.graph.input[0], [batch, 64, 8, 8])
    set_dims(dec.graph.output[0], [batch, 3, 32, 32])
    onnx.checker.check_model(dec)
    return dec


# 2. The files to drop -----------------------------------------------------------------------------------------
def drop_files(models, out):
    # sparse, batch fixed at 7 (encoder) and 16 (decoder), inputs and outputs renamed.
    enc = edited(models, "sparse", "encoder", [("x", "pixels"), ("z", "code")], 7)
    onnx.save(enc, os.path.join(out, "fixed_encoder.onnx"))
    dec = edited(models, "sparse", "decoder", [("z", "code"), ("x_hat", "image")], 16)
    onnx.save(dec, os.path.join(out, "fixed_decoder.onnx"))
    # vae's encoder with its outputs renamed: two outputs of one shape and no choice.
    vae = edited(models, "vae", "encoder", [("mu", "mean"), ("logvar", "log_var")])
    onnx.save(vae, os.path.join(out, "twoout_encoder.onnx"))
    # An RGB 32 x 32 encoder (a valid model the CLI and the page run at its own size).
    rgb = rgb_encoder(models)
    onnx.save(rgb, os.path.join(out, "rgb_encoder.onnx"))


# 3. The files of a manifest's models -------------------------------------------------------------------------
# sparse expecting (x - 0.25) / 0.5 and giving its reconstruction so normalised, batches fixed at 7
# and 16 (settings {"mean": 0.25, "std": 0.5}); vae's encoder with its outputs renamed (settings
# {"latent_output": "mean"}, with vae's decoder).
def manifest_files(models, out):
    os.makedirs(os.path.join(out, "normed"), exist_ok=True)
    enc = edited(models, "sparse", "encoder", batch=7)
    affine_input(enc, 0.5, 0.25)
    onnx.checker.check_model(enc)
    onnx.save(enc, os.path.join(out, "normed", "encoder.onnx"))
    dec = edited(models, "sparse", "decoder", batch=16)
    affine_output(dec, 0.5, 0.25)
    onnx.checker.check_model(dec)
    onnx.save(dec, os.path.join(out, "normed", "decoder.onnx"))
    os.makedirs(os.path.join(out, "namedvae"), exist_ok=True)
    vae = edited(models, "vae", "encoder", [("mu", "mean"), ("logvar", "log_var")])
    onnx.save(vae, os.path.join(out, "namedvae", "encoder.onnx"))
    # An RGB 3 x 32 x 32 pair as torch.onnx.export writes one by default: a fixed batch of 1, and
    # names of its own.
    os.makedirs(os.path.join(out, "rgb1"), exist_ok=True)
    onnx.save(rgb_encoder(models, [("x", "image_in"), ("z", "features")], 1), os.path.join(out, "rgb1", "encoder.onnx"))
    onnx.save(rgb_decoder(models, [("z", "features_in"), ("x_hat", "rgb_out")], 1),
              os.path.join(out, "rgb1", "decoder.onnx"))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    os.makedirs(sys.argv[2], exist_ok=True)
    drop_files(sys.argv[1], sys.argv[2])
    manifest_files(sys.argv[1], sys.argv[2])
