#!/usr/bin/python3
"""make_seeds.py: writes the seed corpora of fuzz/corpus/ (small real files). Run with Debian's
/usr/bin/python3 (python3-numpy), from anywhere.

  npy/   arrays written by numpy.save / numpy.lib.format (float32, float64, 1-D to 4-D, empty,
         scalar, format 2.0, NaN, and the rejected kinds: Fortran order, big-endian, int32)
  idx/   IDX images and labels, plain and gzipped (as Debian's Fashion-MNIST ships them)
  images/  PNG (every colour type, 1 to 16 bits, Adam7-interlaced), constant JPEGs (gray, YCbCr,
         CMYK, progressive YCbCr), .npy image arrays (uint8, float32, float64, out of range)
  onnx_io/ graph inputs and outputs as exports declare them (no nodes)
  onnx/  tiny ONNX models of the op set the runner supports, encoded here with a minimal
         protobuf writer (field numbers from onnx/onnx.proto; the python onnx package is not
         installed on Debian 12): Conv, ConvTranspose, grouped/dilated Conv, elementwise ops
Deterministic: the same files on every run (fixed seed, fixed gzip mtime).
"""
import gzip
import io
import os
import struct
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(5)


def out(kind, name, data):
    d = os.path.join(HERE, "corpus", kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# npy ----------------------------------------------------------------------------------------------
def npy(arr, version=None):
    b = io.BytesIO()
    if version is None:
        np.save(b, arr)
    else:
        np.lib.format.write_array(b, arr, version=version)
    return b.getvalue()


out("npy", "f4_3x2x2x2.npy", npy(rng.standard_normal((3, 2, 2, 2)).astype("<f4")))
out("npy", "f8_2x1x3x2.npy", npy(rng.standard_normal((2, 1, 3, 2)).astype("<f8")))
out("npy", "f4_vector.npy", npy(np.arange(5, dtype="<f4")))
out("npy", "f4_matrix.npy", npy(np.ones((2, 3), dtype="<f4")))
out("npy", "f4_scalar.npy", npy(np.float32(1.5)))
out("npy", "f4_empty.npy", npy(np.zeros((0, 2, 2, 2), dtype="<f4")))
out("npy", "f4_v2.npy", npy(np.ones((1, 1, 2, 2), dtype="<f4"), version=(2, 0)))
nan = np.zeros((2, 1, 1, 2), dtype="<f4")
nan[1, 0, 0, 1] = np.nan
out("npy", "f4_nan.npy", npy(nan))
out("npy", "f4_fortran.npy", npy(np.asfortranarray(np.ones((2, 3), dtype="<f4"))))
out("npy", "f4_bigendian.npy", npy(np.ones((2, 2), dtype=">f4")))
out("npy", "i4.npy", npy(np.ones((2, 2), dtype="<i4")))

# idx ----------------------------------------------------------------------------------------------
def idx_images(n, r, c):
    return struct.pack(">IIII", 0x803, n, r, c) + rng.integers(0, 256, n * r * c, dtype=np.uint8).tobytes()


def idx_labels(n):
    return struct.pack(">II", 0x801, n) + rng.integers(0, 10, n, dtype=np.uint8).tobytes()


def gz(b):
    return gzip.compress(b, mtime=0)


out("idx", "images-2x3x3-idx3-ubyte", idx_images(2, 3, 3))
out("idx", "labels-2-idx1-ubyte", idx_labels(2))
out("idx", "images-1x28x28-idx3-ubyte.gz", gz(idx_images(1, 28, 28)))
out("idx", "labels-3-idx1-ubyte.gz", gz(idx_labels(3)))
out("idx", "images-0x2x2-idx3-ubyte.gz", gz(idx_images(0, 2, 2)))
out("idx", "two-members.gz", gz(idx_labels(1)[:5]) + gz(idx_labels(1)[5:]))

# onnx: a minimal protobuf writer ------------------------------------------------------------------
def varint(n):
    n &= (1 << 64) - 1
    b = bytearray()
    while True:
        x = n & 0x7F
        n >>= 7
        if n:
            b.append(x | 0x80)
        else:
            b.append(x)
            return bytes(b)


def f_int(field, n):
    return varint(field << 3) + varint(n)


def f_bytes(field, data):
    if isinstance(data, str):
        data = data.encode()
    return varint(field << 3 | 2) + varint(len(data)) + data


def attr_ints(name, values):   # AttributeProto: name 1, ints 8, type 20 (INTS = 7)
    return f_bytes(1, name) + b"".join(f_int(8, v) for v in values) + f_int(20, 7)


def attr_int(name, value):     # i 3, type INT = 2
    return f_bytes(1, name) + f_int(3, value) + f_int(20, 2)


def node(op, inputs, outputs, name, attrs=()):   # NodeProto: input 1, output 2, name 3, op_type 4, attribute 5
    return (b"".join(f_bytes(1, i) for i in inputs) + b"".join(f_bytes(2, o) for o in outputs) +
            f_bytes(3, name) + f_bytes(4, op) + b"".join(f_bytes(5, a) for a in attrs))


def tensor(name, arr, raw=True):   # TensorProto: dims 1, data_type 2 (FLOAT = 1), float_data 4, name 8, raw_data 9
    arr = np.asarray(arr, dtype="<f4")
    t = b"".join(f_int(1, d) for d in arr.shape) + f_int(2, 1) + f_bytes(8, name)
    if raw:
        return t + f_bytes(9, arr.tobytes())
    return t + f_bytes(4, arr.tobytes())   # packed repeated float


def value_info(name, dims):   # ValueInfoProto: name 1, type 2 -> TypeProto.tensor_type 1 (elem_type 1, shape 2)
    shape = b""
    if dims is not None:
        for d in dims:
            shape += f_bytes(1, f_bytes(2, d) if isinstance(d, str) else f_int(1, d))
        shape = f_bytes(2, shape)
    return f_bytes(1, name) + f_bytes(2, f_bytes(1, f_int(1, 1) + shape))


def model(graph_name, nodes, inits, inputs, outputs, kind=None):
    g = (b"".join(f_bytes(1, n) for n in nodes) + f_bytes(2, graph_name) + b"".join(f_bytes(5, t) for t in inits) +
         b"".join(f_bytes(11, v) for v in inputs) + b"".join(f_bytes(12, v) for v in outputs))
    m = f_int(1, 8) + f_bytes(2, "strata-fuzz-seed") + f_bytes(7, g) + f_bytes(8, f_bytes(1, "") + f_int(2, 13))
    if kind:
        m += f_bytes(14, f_bytes(1, "kind") + f_bytes(2, kind))
    return m


def w(*shape):
    return rng.standard_normal(shape).astype("<f4") * 0.5


out("onnx", "conv_relu.onnx", model(
    "encoder", [node("Conv", ["x", "W", "B"], ["h"], "conv", [attr_ints("kernel_shape", [3, 3]),
                attr_ints("pads", [1, 1, 1, 1]), attr_ints("strides", [1, 1])]),
                node("Relu", ["h"], ["z"], "relu")],
    [tensor("W", w(2, 1, 3, 3)), tensor("B", w(2))],
    [value_info("x", ["N", 1, 4, 4])], [value_info("z", ["N", 2, 4, 4])], kind="cae"))
out("onnx", "convT_sigmoid.onnx", model(
    "decoder", [node("ConvTranspose", ["z", "W", "B"], ["h"], "deconv", [attr_ints("kernel_shape", [2, 2]),
                attr_ints("strides", [2, 2]), attr_ints("pads", [0, 0, 0, 0])]),
                node("Sigmoid", ["h"], ["x_hat"], "sigmoid")],
    [tensor("W", w(2, 1, 2, 2), raw=False), tensor("B", w(1), raw=False)],
    [value_info("z", ["N", 2, 2, 2])], [value_info("x_hat", ["N", 1, 4, 4])]))
out("onnx", "group_dilated_conv.onnx", model(
    "grouped", [node("Conv", ["x", "W"], ["y"], "gconv", [attr_int("group", 2), attr_ints("dilations", [2, 2]),
                attr_ints("strides", [1, 2])])],
    [tensor("W", w(2, 1, 2, 2))],
    [value_info("x", [1, 2, 5, 5])], [value_info("y", [1, 2, 3, "W"])]))
out("onnx", "elementwise.onnx", model(
    "elementwise", [node("Exp", ["x"], ["a"], "exp"), node("Mul", ["a", "x"], ["b"], "mul"),
                    node("Add", ["b", "c"], ["d"], "add"), node("Tanh", ["d"], ["e"], "tanh"),
                    node("Identity", ["e"], ["y"], "id")],
    [tensor("c", w(1))],
    [value_info("x", [1, 3])], [value_info("y", [1, 3]), value_info("a", [1, 3])], kind="vae"))

# onnx_io: graph inputs and outputs as users' exports declare them (the model-shape reader; no
# nodes needed): a fixed batch of 1 with torch.onnx.export's numeric names, a variational encoder,
# sizes left open, a decoder, and the weights listed among the inputs as older exports do.
out("onnx_io", "rgb_batch1.onnx", model("torch_jit", [], [], [value_info("input.1", [1, 3, 32, 32])],
                                        [value_info("21", [1, 64, 8, 8])]))
out("onnx_io", "vae_mu_logvar.onnx", model("vae", [], [], [value_info("x", ["batch", 1, 28, 28])],
                                           [value_info("mu", ["batch", 64, 7, 7]),
                                            value_info("logvar", ["batch", 64, 7, 7])], kind="vae"))
out("onnx_io", "open_sizes.onnx", model("open", [], [], [value_info("x", ["N", 3, "H", "W"])],
                                        [value_info("a", ["N", 8, "h", "w"]), value_info("b", None)]))
out("onnx_io", "decoder_with_weight_inputs.onnx", model(
    "decoder", [], [tensor("W", np.zeros((2, 1, 2, 2), "<f4"))], [value_info("W", [2, 1, 2, 2]), value_info("z", [1, 64, 8, 8])],
    [value_info("x_hat", [1, 3, 32, 32])]))

# images: PNG (zlib-compressed, every colour type), JPEG (constant images, baseline and progressive),
# .npy image arrays (uint8, float32, float64), and the refused kinds --------------------------------
def png_chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))


def png(w, h, depth, ctype, rows, extra=b""):
    raw = b"".join(b"\x00" + rows[y] for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0)) +
            extra + png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b""))


def jpeg_constant(values, progressive=False):
    """8 x 8 JPEG, every component constant (quantisation 1, DC-only blocks). Progressive: a first
    DC scan with point transform 1, a DC refinement scan, then one AC scan per component."""
    def cat(d):
        return abs(d).bit_length()

    def dht(cls, symbols):   # codes "0" and "10"
        return (b"\xff\xc4" + struct.pack(">H", 19 + len(symbols)) + bytes([cls << 4, 1, len(symbols) - 1] + [0] * 14) +
                bytes(symbols))

    def scan(comps, tables, ss, se, ahal, bits):
        bits += "1" * (-len(bits) % 8)
        data = bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8)).replace(b"\xff", b"\xff\x00")
        return (b"\xff\xda" + struct.pack(">HB", 6 + 2 * len(comps), len(comps)) +
                b"".join(bytes([c, tables]) for c in comps) + bytes([ss, se, ahal]) + data)

    def dc_bits(d):
        k = cat(d)
        return ("0" if k == cats[0] else "10") + (format(d if d > 0 else d - 1 + (1 << k), "0%db" % k) if k else "")

    n = len(values)
    dcs = [(8 * (v - 128)) >> 1 if progressive else 8 * (v - 128) for v in values]
    cats = []
    for d in dcs:
        if cat(d) not in cats:
            cats.append(cat(d))
    o = b"\xff\xd8"
    if n == 4:
        o += b"\xff\xee" + struct.pack(">H", 14) + b"Adobe\x00\x64\x00\x00\x00\x00\x00"
    o += b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + b"\x01" * 64
    o += (b"\xff\xc2" if progressive else b"\xff\xc0") + struct.pack(">HBHHB", 8 + 3 * n, 8, 8, 8, n)
    o += b"".join(bytes([c + 1, 0x11, 0]) for c in range(n)) + dht(0, cats)
    ids = list(range(1, n + 1))
    if not progressive:
        o += dht(1, [0]) + scan(ids, 0x00, 0, 63, 0, "".join(dc_bits(d) + "0" for d in dcs))
    else:
        o += scan(ids, 0x00, 0, 0, 0x01, "".join(dc_bits(d) for d in dcs))
        o += scan(ids, 0x10, 0, 0, 0x10, "".join(str((8 * (v - 128)) & 1) for v in values))
        o += dht(1, [0]) + b"".join(scan([c], 0x00, 1, 63, 0, "0") for c in ids)
    return o + b"\xff\xd9"


def adam7_gray(w, h, f):
    """An interlaced 8-bit gray PNG: the seven Adam7 passes, each a sub-image with filter bytes."""
    raw = b""
    for x0, y0, dx, dy in ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)):
        xs, ys = range(x0, w, dx), range(y0, h, dy)
        if len(xs) and len(ys):
            raw += b"".join(b"\x00" + bytes(f(x, y, 0) for x in xs) for y in ys)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 1)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(raw, 9)) +
            png_chunk(b"IEND", b""))


def rows_of(w, h, c, f):
    return [bytes(f(x, y, k) for x in range(w) for k in range(c)) for y in range(h)]


pat = lambda x, y, k: (x * 37 + y * 11 + k * 85 + x * y * 3) % 256
out("images", "gray_9x7.png", png(9, 7, 8, 0, rows_of(9, 7, 1, pat)))
out("images", "rgb_12x10.png", png(12, 10, 8, 2, rows_of(12, 10, 3, pat)))
out("images", "rgba_5x4.png", png(5, 4, 8, 6, rows_of(5, 4, 4, pat)))
out("images", "gray_alpha_3x3.png", png(3, 3, 8, 4, rows_of(3, 3, 2, pat)))
out("images", "palette_trns_4x2.png", png(4, 2, 8, 3, [b"\x00\x01\x02\x03", b"\x03\x02\x01\x00"],
                                          png_chunk(b"PLTE", bytes(range(12))) + png_chunk(b"tRNS", b"\xff\x80")))
out("images", "gray1_8x2.png", png(8, 2, 1, 0, [b"\xa5", b"\x5a"]))
out("images", "gray_adam7_9x9.png", adam7_gray(9, 9, pat))
out("images", "gray16_2x2.png", png(2, 2, 16, 0, [b"\x12\x34\x56\x78"] * 2))
out("images", "gray.jpg", jpeg_constant([148]))
out("images", "ycbcr.jpg", jpeg_constant([60, 128, 128]))
out("images", "cmyk.jpg", jpeg_constant([10, 20, 30, 40]))
out("images", "progressive_ycbcr.jpg", jpeg_constant([200, 128, 128], progressive=True))
out("images", "u8_nhwc_2x5x3x3.npy", npy(rng.integers(0, 256, (2, 5, 3, 3), dtype=np.uint8)))
out("images", "f4_nchw_2x1x4x6.npy", npy(rng.random((2, 1, 4, 6)).astype("<f4")))
out("images", "f8_nhw_1x3x3.npy", npy(rng.random((1, 3, 3)).astype("<f8")))
out("images", "f4_out_of_range.npy", npy(np.full((1, 3, 2, 2), 1.5, dtype="<f4")))
