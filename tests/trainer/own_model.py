#!/usr/bin/python3
"""own_model.py: a user's own models, end to end, checked against independent computations.

Index: 1. images (a folder of PNGs, one of them broken)  2. models (PyTorch, exported by
       torch.onnx.export)  3. strata characterize  4. the checks

Nothing here uses Strata's trainer or exporter: the models are built and trained with PyTorch and
exported the way users export them.
  rgb32      an RGB 3 x 32 x 32 autoencoder, fixed batch of 1 (torch.onnx.export's default), tensors
             named pixels -> code and code_in -> recon, LeakyRelu, BatchNormalization and
             ConvTranspose's output_padding, trained on inputs normalised per channel (model.json
             declares mean and std)
  rgb32_b8   rgb32's encoder exported with a fixed batch of 8 (100 images: the last batch padded)
             and a decoder of nn.Upsample stages (Resize: nearest, then bilinear) and convolutions
  rgb32_vae  a variational encoder with two outputs named mean and log_var (model.json names the
             latent), batch dimension dynamic, no decoder
  flat       (in a folder of its own) an encoder with a flat latent N x 128: refused

Checks on `strata characterize --images FOLDER`:
  - what was read: each model's plan (input, batch, latent output), the broken PNG named and
    counted as skipped, the first n usable files in path order;
  - latents: equal (1e-4) to ONNX Runtime Web's (Node) on the same files and inputs, and to PyTorch's;
  - the clean set's ranks, strata and Hilbert dimension: equal to bench/reference_geometry.py's
    (numpy) on ONNX Runtime's latents;
  - PSNR: equal (1e-3 dB) to PyTorch's reconstruction, un-normalised, against the images;
  - no decoder: PSNR null; a fixed batch of 8 gives rgb32's latents (1e-5);
  - a flat latent: the run stops, naming the file and what the method needs, and writes nothing.
Then Strata's own trainer on the same folder: `strata train --input 3x32x32` (cae) and
`--input 1x64x64 --latent 16x8x8` (vae), exported and characterized: the plans and latent shapes
follow, PSNR is finite; a latent that does not fit the input is refused.
Usage: own_model.py --strata EXE --node NODE --workdir DIR. Exit 77 (skipped) without PyTorch.
"""
import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE, "bench"))
import reference_geometry as ref  # noqa: E402

try:
    import torch
    import torch.nn as nn
except ImportError:
    print("own_model.py: PyTorch (python3-torch) is not installed: skipped")
    sys.exit(77)

N = 100
MEAN = np.array([0.5, 0.4, 0.3], np.float32)
STD = np.array([0.25, 0.2, 0.3], np.float32)
FAILS = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        FAILS.append(what)


# 1. Images -------------------------------------------------------------------------------------------
def png(rgb):
    """An 8-bit RGB PNG of an H x W x 3 uint8 array (zlib, filter 0 on every row)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\0" + rgb[y].tobytes() for y in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def make_images(folder, rng):
    """Three classes of 40 coloured 32 x 32 pictures, and a truncated PNG among them."""
    yy, xx = np.mgrid[0:32, 0:32]
    files = []
    for cls in ("circles", "squares", "stripes"):
        os.makedirs(os.path.join(folder, cls))
        for i in range(40):
            colour, back = rng.uniform(0, 1, 3), rng.uniform(0, 1, 3)
            cy, cx, r = rng.uniform(8, 24), rng.uniform(8, 24), rng.uniform(4, 10)
            if cls == "circles":
                mask = (yy - cy) ** 2 + (xx - cx) ** 2 < r * r
            elif cls == "squares":
                mask = (abs(yy - cy) < r) & (abs(xx - cx) < r)
            else:
                mask = ((xx + yy * rng.uniform(-1, 1)) // max(2, int(r / 2))) % 2 == 0
            img = np.where(mask[..., None], colour, back) + rng.normal(0, 0.03, (32, 32, 3))
            u8 = np.clip(np.round(img * 255), 0, 255).astype(np.uint8)
            rel = f"{cls}/{i:03d}.png"
            with open(os.path.join(folder, rel), "wb") as f:
                f.write(png(u8))
            files.append((rel, u8))
    broken = "squares/017_broken.png"
    with open(os.path.join(folder, broken), "wb") as f:
        f.write(png(files[0][1])[:60])
    files.sort(key=lambda e: e[0].encode())  # the byte-wise order of the relative paths
    x = np.stack([u8 for _, u8 in files[:N]]).astype(np.float32) / 255.0  # N x H x W x 3
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2)), broken


# 2. Models ---------------------------------------------------------------------------------------------
class Vae(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1), nn.ReLU())
        self.mean = nn.Conv2d(16, 8, 3, 2, 1)
        self.log_var = nn.Conv2d(16, 8, 3, 2, 1)

    def forward(self, x):
        h = self.trunk(x)
        return self.mean(h), self.log_var(h)


def make_models(folder, x):
    torch.manual_seed(0)
    enc = nn.Sequential(nn.Conv2d(3, 32, 3, 2, 1), nn.LeakyReLU(0.1), nn.Conv2d(32, 64, 3, 2, 1), nn.ReLU())
    dec = nn.Sequential(nn.ConvTranspose2d(64, 32, 3, 2, 1, output_padding=1), nn.BatchNorm2d(32), nn.ReLU(),
                        nn.ConvTranspose2d(32, 3, 4, 2, 1))
    xn = torch.from_numpy((x - MEAN[None, :, None, None]) / STD[None, :, None, None])
    opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=3e-3)
    for step in range(60):
        batch = xn[(step * 20) % N:(step * 20) % N + 20]
        loss = ((dec(enc(batch)) - batch) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    enc.eval()
    dec.eval()
    vae = Vae().eval()
    d = os.path.join(folder, "rgb32")
    os.makedirs(d)
    torch.onnx.export(enc, torch.zeros(1, 3, 32, 32), os.path.join(d, "encoder.onnx"), input_names=["pixels"],
                      output_names=["code"])
    torch.onnx.export(dec, torch.zeros(1, 64, 8, 8), os.path.join(d, "decoder.onnx"), input_names=["code_in"],
                      output_names=["recon"])
    with open(os.path.join(d, "model.json"), "w") as f:
        json.dump({"kind": "ae", "mean": MEAN.tolist(), "std": STD.tolist()}, f)
    b8 = os.path.join(folder, "rgb32_b8")
    os.makedirs(b8)
    torch.onnx.export(enc, torch.zeros(8, 3, 32, 32), os.path.join(b8, "encoder.onnx"), input_names=["pixels"],
                      output_names=["code"])
    up = nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(64, 16, 3, 1, 1), nn.ReLU(),
                       nn.Upsample(scale_factor=2, mode="bilinear"), nn.Conv2d(16, 3, 3, 1, 1)).eval()
    torch.onnx.export(up, torch.zeros(8, 64, 8, 8), os.path.join(b8, "decoder.onnx"))
    shutil.copy(os.path.join(d, "model.json"), b8)
    flat = os.path.join(os.path.dirname(folder), "bad_models", "flat")
    os.makedirs(flat)
    torch.onnx.export(nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1), nn.Flatten(), nn.Linear(8 * 16 * 16, 128)).eval(),
                      torch.zeros(1, 3, 32, 32), os.path.join(flat, "encoder.onnx"), output_names=["z"])
    v = os.path.join(folder, "rgb32_vae")
    os.makedirs(v)
    torch.onnx.export(vae, torch.zeros(1, 3, 32, 32), os.path.join(v, "encoder.onnx"), input_names=["img"],
                      output_names=["mean", "log_var"], dynamic_axes={"img": {0: "n"}, "mean": {0: "n"},
                                                                      "log_var": {0: "n"}})
    with open(os.path.join(v, "model.json"), "w") as f:
        json.dump({"latent_output": "mean"}, f)
    with torch.no_grad():
        z = enc(xn)
        x_hat = dec(z).numpy() * STD[None, :, None, None] + MEAN[None, :, None, None]
        z_vae = vae(torch.from_numpy(x))[0].numpy()
        x_hat_up = up(z).numpy() * STD[None, :, None, None] + MEAN[None, :, None, None]
    return xn.numpy(), z.numpy(), (x_hat, x_hat_up), z_vae


def ort_latents(node, model, name, x, workdir, batch):
    """ONNX Runtime Web under Node (tests/trainer/ort_run.mjs) on the N inputs x."""
    path = os.path.join(workdir, "ort_in.f32")
    x.astype("<f4").tofile(path)
    out = subprocess.run([node, os.path.join(HERE, "ort_run.mjs"), model, name, path, ",".join(map(str, x.shape)),
                          os.path.join(workdir, "ort_out"), str(batch)], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("own_model.py: ort_run.mjs failed: " + out.stderr)
    shapes = json.loads(out.stdout.strip().splitlines()[-1])
    return {k: np.fromfile(os.path.join(workdir, f"ort_out.{k}.f32"), "<f4").reshape(s) for k, s in shapes.items()}


def close(a, b, tol):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape or not (np.isfinite(a).all() and np.isfinite(b).all()):
        return False, float("inf")
    err = float(np.max(np.abs(a - b))) / max(1.0, float(np.max(np.abs(b))))
    return err <= tol, err


def psnr_mean(x_hat, x):
    mse = ((x_hat.astype(np.float64) - x.astype(np.float64)) ** 2).reshape(len(x), -1).mean(1)
    return float(np.mean(np.minimum(100.0, 10 * np.log10(1.0 / np.maximum(mse, 1e-300)))))


# 3, 4. Run and check ---------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--strata", required=True)
    ap.add_argument("--node", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    rng = np.random.default_rng(7)
    images = os.path.join(a.workdir, "images")
    x, broken = make_images(images, rng)
    models = os.path.join(a.workdir, "models")
    xn, z_torch, (x_hat_torch, x_hat_up_torch), z_vae_torch = make_models(models, x)

    latents = os.path.join(a.workdir, "latents")
    result = os.path.join(a.workdir, "result.json")
    run = subprocess.run([a.strata, "characterize", "--models", models, "--images", images, "--n", str(N),
                          "--sigmas", "0,0.1", "--vae-latent", "mean", "--out", result, "--dump-latents", latents,
                          "--quiet"], capture_output=True, text=True)
    check(run.returncode == 0, "strata characterize runs the models: " + run.stderr.strip()[-400:])
    if run.returncode != 0:
        return a, images
    check(f"{broken}: " in run.stderr and "1 file(s) skipped" in run.stderr,
          "the broken PNG is named on stderr and counted")
    r = json.load(open(result))
    src = r["settings"]["image_source"]
    check(src["skipped"] == 1 and src["skipped_files"][0]["path"].endswith(broken) and src["count"] == N,
          "image_source: one skipped file (the broken one), n usable images read")
    m, b8, v = r["models"]
    check(m["plan"] == {"input_name": "pixels", "input": [3, 32, 32], "batch": 1, "latent_output": "code",
                        "logvar_output": None, "latent_rule": "the only output"}, f"rgb32's plan: {m['plan']}")
    check(m["normalisation"] == {"kind": "ae", "mean": MEAN.tolist(), "std": STD.tolist()},
          "rgb32's normalisation is model.json's")
    check(v["plan"]["batch"] == "any" and v["plan"]["latent_output"] == "mean" and
          v["plan"]["logvar_output"] == "log_var" and v["variational"], f"rgb32_vae's plan: {v['plan']}")

    # Latents: ONNX Runtime and PyTorch on the same pixels.
    z_ours = np.load(os.path.join(latents, "rgb32_sigma0.npy"))
    z_ort = ort_latents(a.node, os.path.join(models, "rgb32", "encoder.onnx"), "pixels", xn, a.workdir, 1)["code"]
    zv_ours = np.load(os.path.join(latents, "rgb32_vae_mean_sigma0.npy"))
    zv_ort = ort_latents(a.node, os.path.join(models, "rgb32_vae", "encoder.onnx"), "img", x, a.workdir, 25)["mean"]
    for name, ours, ort, pt in (("rgb32", z_ours, z_ort, z_torch), ("rgb32_vae mean", zv_ours, zv_ort, z_vae_torch)):
        for who, want in (("ONNX Runtime", ort), ("PyTorch", pt)):
            ok, err = close(ours, want, 1e-4)
            check(ok, f"{name} latents equal {who}'s (relative error {err:.2e})")

    ok, err = close(np.load(os.path.join(latents, "rgb32_b8_sigma0.npy")), z_ours, 1e-5)
    check(ok and b8["plan"]["batch"] == 8, f"rgb32_b8 (fixed batch 8, last batch padded) gives rgb32's latents ({err:.1e})")

    # The clean set's geometry against numpy on ONNX Runtime's latents.
    for name, mod, z in (("rgb32", m, z_ort), ("rgb32_vae", v, zv_ort)):
        want = ref.analyse([(0.0, z.astype(np.float64))])["sets"][0]
        got = mod["sets"][0]
        check(got["shape"] == list(z.shape[1:]), f"{name}: latent shape {got['shape']}")
        check(got["ranks"] == want["ranks"], f"{name}: the clean set's ranks equal numpy's on ONNX Runtime's latents")
        check(got["strata"] == want["strata"], f"{name}: strata {[(s['ranks'], s['count']) for s in got['strata']]}")
        check(got["hilbert_dim"] == want["hilbert_dim"],
              f"{name}: Hilbert dimension {got['hilbert_dim']} (numpy: {want['hilbert_dim']})")

    # PSNR in [0, 1] pixel space, the normalisation undone; none without a decoder.
    for mod, x_hat in ((m, x_hat_torch), (b8, x_hat_up_torch)):
        want_psnr = psnr_mean(x_hat, x)
        got_psnr = mod["sets"][0]["psnr_mean"]
        check(got_psnr is not None and abs(got_psnr - want_psnr) < 1e-3,
              f"{mod['name']}: clean PSNR {got_psnr} dB, PyTorch {want_psnr:.4f} dB")
    check(all(s["psnr_mean"] is None for s in v["sets"]) and v["decoder"] is None, "rgb32_vae: no decoder, no PSNR")

    # A model the method cannot use: a clear message, nothing written.
    bad_out = os.path.join(a.workdir, "bad.json")
    bad = subprocess.run([a.strata, "characterize", "--models", os.path.join(a.workdir, "bad_models"), "--images",
                          images, "--n", "10", "--out", bad_out, "--quiet"], capture_output=True, text=True)
    want = (os.path.join(a.workdir, "bad_models", "flat", "encoder.onnx") + ": output 'z' is 1 x 128; the method "
            "needs a latent tensor N x C x H x W")
    check(bad.returncode != 0 and want in bad.stderr and not os.path.exists(bad_out),
          "a flat latent is refused naming the file and what the method needs: " + bad.stderr.strip()[-300:])
    return a, images


# 5. strata train on the same images ---------------------------------------------------------------------
def train_own(a, images):
    runs, models = os.path.join(a.workdir, "runs"), os.path.join(a.workdir, "trained")
    for kind, shape, latent in (("cae", "3x32x32", None), ("vae", "1x64x64", "16x8x8")):
        cmd = [a.strata, "train", "--kind", kind, "--data", images, "--input", shape, "--epochs", "1", "--batch", "32",
               "--quiet", "--out", os.path.join(runs, kind)] + (["--latent", latent] if latent else [])
        t = subprocess.run(cmd, capture_output=True, text=True)
        e = subprocess.run([a.strata, "export", os.path.join(runs, kind), "--out", os.path.join(models, kind)],
                           capture_output=True, text=True)
        check(t.returncode == 0 and e.returncode == 0, f"strata train --kind {kind} --input {shape} and export: " +
              (t.stderr + e.stderr).strip()[-300:])
    result = os.path.join(a.workdir, "trained.json")
    r = subprocess.run([a.strata, "characterize", "--models", models, "--images", images, "--n", "40", "--sigmas",
                        "0,0.1", "--out", result, "--quiet"], capture_output=True, text=True)
    check(r.returncode == 0, "strata characterize on the trained models: " + r.stderr.strip()[-300:])
    if r.returncode != 0:
        return
    cae, vae = json.load(open(result))["models"]
    check(cae["plan"]["input"] == [3, 32, 32] and cae["sets"][0]["shape"] == [64, 8, 8],
          f"trained cae: input {cae['plan']['input']}, latent {cae['sets'][0]['shape']}")
    check(vae["plan"]["input"] == [1, 64, 64] and vae["sets"][0]["shape"] == [16, 8, 8] and vae["variational"],
          f"trained vae: input {vae['plan']['input']}, latent {vae['sets'][0]['shape']}")
    check(all(np.isfinite(s["psnr_mean"]) for m in (cae, vae) for s in m["sets"]), "trained models: PSNR finite")
    bad = subprocess.run([a.strata, "train", "--data", images, "--input", "3x32x32", "--latent", "64x7x7", "--out",
                          os.path.join(runs, "bad")], capture_output=True, text=True)
    check(bad.returncode != 0 and "--latent 64x7x7: its H and W must be --input's (3x32x32) divided by the same "
          "power of two" in bad.stderr, "a latent that does not fit the input is refused: " + bad.stderr.strip())


# The files that make a folder a built page for strata publish (publish_cmd.cpp kPageFiles).
PAGE_FILES = ["index.html", "main.mjs", "worker.mjs", "strata_app.wasm", "strata_worker_st.wasm"]


# 6. strata publish's refusals (the site itself is checked in the page by tests/browser/publish.test.mjs) ----
def publish_refusals(a, images):
    def publish(*extra):
        return subprocess.run([a.strata, "publish", "--images", images, *extra], capture_output=True, text=True)
    models = os.path.join(a.workdir, "models")
    r = publish("--models", models, "--out", os.path.join(a.workdir, "site"), "--page", "/nonexistent")
    check(r.returncode != 0 and "--page /nonexistent: not a built page (no index.html)" in r.stderr,
          "publish without a built page says so: " + r.stderr.strip())
    r = publish("--models", os.path.join(a.workdir, "bad_models"), "--out", os.path.join(a.workdir, "site2"))
    check(r.returncode != 0 and "the method needs a latent tensor" in r.stderr and
          not os.path.exists(os.path.join(a.workdir, "site2")),
          "publish refuses a model the method cannot use, writing nothing: " + r.stderr.strip()[-200:])
    # A model the page runs (ONNX Runtime Web) but the native runner cannot (MaxPool): published with
    # a note; strata characterize refuses it, naming the operator.
    pool_root = os.path.join(a.workdir, "pool_models")
    os.makedirs(os.path.join(pool_root, "pool"), exist_ok=True)
    torch.onnx.export(nn.Sequential(nn.Conv2d(3, 8, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2)).eval(),
                      torch.zeros(1, 3, 32, 32), os.path.join(pool_root, "pool", "encoder.onnx"))
    page = os.path.join(a.workdir, "page")
    os.makedirs(page, exist_ok=True)
    for f in PAGE_FILES:
        with open(os.path.join(page, f), "w") as out:
            out.write("placeholder of a built page file\n")
    site = os.path.join(a.workdir, "pool_site")
    r = publish("--models", pool_root, "--out", site, "--page", page, "--n", "20")
    check(r.returncode == 0 and "note: pool: published" in r.stderr and "MaxPool" in r.stderr and
          os.path.isfile(os.path.join(site, "models", "pool", "encoder.onnx")),
          "publish writes a model only ONNX Runtime runs, with a note: " + r.stderr.strip()[-200:])
    r = subprocess.run([a.strata, "characterize", "--models", pool_root, "--images", images, "--n", "20", "--out",
                        os.path.join(a.workdir, "pool.json")], capture_output=True, text=True)
    check(r.returncode != 0 and "unsupported op 'MaxPool'" in r.stderr,
          "characterize refuses it, naming the operator: " + r.stderr.strip()[-200:])


if __name__ == "__main__":
    a, images = main()
    train_own(a, images)
    publish_refusals(a, images)
    if FAILS:
        print(f"own_model.py: {len(FAILS)} check(s) failed")
        sys.exit(1)
    print("own_model.py: all checks passed")
