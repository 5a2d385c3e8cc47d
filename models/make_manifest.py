#!/usr/bin/env python3
"""make_manifest.py: writes models/manifest.json and models/sample/ (Python standard library only).

    python3 models/make_manifest.py [--data /usr/share/datasets/fashion-mnist] [--sample 1000]

manifest.json lists every models/<name>/ folder holding encoder.onnx and decoder.onnx (as
`strata export` and models/train_defaults.sh leave them, with config.json and training_log.json):
name, kind, latent shape, input/output names, the training config, the architecture switches, epochs, final losses, clean
test PSNR (first 1000 test images, VAE decoded from mu), and path, size and sha256 of every file.
`strata characterize --models models` reads the same list.

models/sample/ gets the first SAMPLE test images and labels as plain (uncompressed) IDX files,
t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, byte for byte the head of the dataset's files
with the count in the header changed (models/README.md).
"""
import argparse, gzip, hashlib, json, os, struct

HERE = os.path.dirname(os.path.abspath(__file__))
PAPER = {"cae", "dae", "vae"}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def file_entry(rel):
    p = os.path.join(HERE, rel)
    return {"path": rel, "bytes": os.path.getsize(p), "sha256": sha256(p)}


def model_entry(name):
    d = os.path.join(HERE, name)
    cfg = json.load(open(os.path.join(d, "config.json")))
    log = json.load(open(os.path.join(d, "training_log.json")))["history"]
    last = log[-1]
    variational = cfg["variational"]
    e = {
        "name": name,
        "kind": cfg["kind"],
        "in_paper": cfg["kind"] in PAPER,
        "latent_shape": [64, 7, 7],
        "encoder": {"inputs": {"x": ["N", 1, 28, 28]},
                    "outputs": {"mu": ["N", 64, 7, 7], "logvar": ["N", 64, 7, 7]} if variational
                    else {"z": ["N", 64, 7, 7]}},
        "decoder": {"inputs": {"z": ["N", 64, 7, 7]}, "outputs": {"x_hat": ["N", 1, 28, 28]}},
        "training": cfg,
        # The architecture switches (docs/trainer.md): config.json's, defaults for a config written before them.
        "architecture": {"norm": cfg.get("norm", "batch"), "conv_bias": cfg.get("conv_bias", "on"),
                         "latent_activation": cfg.get("latent_activation", "relu"), "depth": cfg.get("depth", 2),
                         "width": cfg.get("width", 32)},
        "epochs": last["epoch"],
        "final_losses": {k: last[k] for k in ("loss", "recon", "kl", "l1")},
        "clean_test_psnr_db": last["test_psnr"],
        "psnr_images": "first %d test images; VAE kinds decoded from mu" % cfg["eval_images"],
        "files": {"encoder": file_entry(name + "/encoder.onnx"), "decoder": file_entry(name + "/decoder.onnx"),
                  "config": file_entry(name + "/config.json"), "training_log": file_entry(name + "/training_log.json")},
    }
    if "test_psnr_noisy" in last:
        e["noisy_test_psnr_db"] = {"sigma": cfg["sigma_train"], "psnr": last["test_psnr_noisy"]}
    if "kl_per_channel" in last:
        kl = last["kl_per_channel"]
        e["kl_per_channel"] = kl
        e["active_channels"] = sum(1 for v in kl if v > 0.1)
        e["active_channel_rule"] = "KL > 0.1 nats (summed over the 7x7 positions, mean over the eval images)"
    return e


FASHION_MNIST_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                         "Ankle boot"]


def write_sample(data, count):
    out = os.path.join(HERE, "sample")
    os.makedirs(out, exist_ok=True)
    for src, dst, header, item in (("t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte", 16, 784),
                                   ("t10k-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte", 8, 1)):
        raw = gzip.open(os.path.join(data, src), "rb").read()
        head = bytearray(raw[:header])
        assert struct.unpack(">I", head[4:8])[0] >= count
        head[4:8] = struct.pack(">I", count)
        with open(os.path.join(out, dst), "wb") as f:
            f.write(bytes(head) + raw[header:header + count * item])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--sample", type=int, default=1000)
    a = ap.parse_args()
    write_sample(a.data, a.sample)
    order = ["cae", "dae", "vae", "beta-vae", "sparse"]
    names = [n for n in sorted(os.listdir(HERE), key=lambda n: (order.index(n) if n in order else 99, n))
             if os.path.isfile(os.path.join(HERE, n, "encoder.onnx"))]
    manifest = {
        "format": "strata-models-1",
        "dataset": "Fashion-MNIST (Debian dataset-fashion-mnist), training split for training",
        "architecture": "docs/trainer.md and native_trainer/network.hpp; batch norm folded; opset 13; dynamic batch N",
        "sample": {"images": file_entry("sample/t10k-images-idx3-ubyte"),
                   "labels": file_entry("sample/t10k-labels-idx1-ubyte"),
                   "count": a.sample, "rule": "the first %d images of the test split" % a.sample,
                   "classes": FASHION_MNIST_CLASSES},
        "models": [model_entry(n) for n in names],
    }
    with open(os.path.join(HERE, "manifest.json.tmp"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    os.replace(os.path.join(HERE, "manifest.json.tmp"), os.path.join(HERE, "manifest.json"))
    print("models/manifest.json: %d models" % len(names))


if __name__ == "__main__":
    main()
