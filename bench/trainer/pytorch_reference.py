"""pytorch_reference.py: the Strata default autoencoder in PyTorch eager (Python), as a reference.

Index: 1. data  2. model (same layers as native_trainer/model.cpp)  3. losses  4. train / bench

Used two ways:
  * benchmark: `python3 pytorch_reference.py bench --kind cae --batch 128 --threads 2 --images 6400`
    trains on the first IMAGES training images and prints images/s (bench/trainer/run.sh runs it
    next to `strata train` in one go, same model, batch and thread count);
  * pilot: `... train --kind vae --epochs 1` prints the clean test PSNR after each epoch.
Needs Debian's python3-torch: run it with /usr/bin/python3, not a pyenv python.
"""
import argparse, gzip, math, struct, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"

# 1. data ------------------------------------------------------------------------------------------
def read_idx_images(path):
    with gzip.open(path, "rb") as f:
        magic, n, h, w = struct.unpack(">IIII", f.read(16))
        assert magic == 2051
        buf = f.read(n * h * w)
    return torch.frombuffer(bytearray(buf), dtype=torch.uint8).float().div_(255.0).view(n, 1, h, w)

# 2. model -----------------------------------------------------------------------------------------
def block(cin, cout, k, s, p, transposed=False):
    conv = (nn.ConvTranspose2d if transposed else nn.Conv2d)(cin, cout, k, s, p, bias=False)
    return nn.Sequential(conv, nn.BatchNorm2d(cout), nn.ReLU())

class AE(nn.Module):
    def __init__(self, variational):
        super().__init__()
        self.variational = variational
        self.enc = nn.Sequential(block(1, 32, 4, 2, 1), block(32, 64, 4, 2, 1), block(64, 64, 3, 1, 1))
        if variational:
            self.mu = nn.Conv2d(64, 64, 1)
            self.logvar = nn.Conv2d(64, 64, 1)
        self.dec = nn.Sequential(block(64, 64, 4, 2, 1, True), block(64, 32, 4, 2, 1, True),
                                 nn.ConvTranspose2d(32, 1, 3, 1, 1), nn.Sigmoid())

    def forward(self, x):
        h = self.enc(x)
        if not self.variational:
            return self.dec(h), h, None, None
        mu, lv = self.mu(h), self.logvar(h)
        z = mu + torch.exp(0.5 * lv) * torch.randn_like(mu)
        return self.dec(z), z, mu, lv

# 3. losses ----------------------------------------------------------------------------------------
def loss_fn(kind, x, out, kl_weight, l1=1e-3):
    x_hat, z, mu, lv = out
    if kind in ("vae", "beta-vae"):
        n = x.shape[0]
        rec = F.binary_cross_entropy(x_hat, x, reduction="sum") / n
        kl = 0.5 * (mu.pow(2) + lv.exp() - 1 - lv).sum() / n
        return rec + kl_weight * kl, rec, kl
    rec = F.mse_loss(x_hat, x)
    if kind == "sparse":
        return rec + l1 * z.abs().mean(), rec, None
    return rec, rec, None

# 4. train / bench ---------------------------------------------------------------------------------
def psnr(model, x):
    model.eval()
    with torch.no_grad():
        h = model.enc(x)
        z = model.mu(h) if model.variational else h
        mse = (model.dec(z) - x).pow(2).flatten(1).mean(1)
    model.train()
    return (10 * torch.log10(1 / mse)).mean().item()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["train", "bench"])
    ap.add_argument("--kind", default="cae")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--images", type=int, default=60000)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--beta", type=float, default=1.0)
    ap.add_argument("--warmup-epochs", type=float, default=1.0)
    ap.add_argument("--sigma-train", type=float, default=0.1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    x_train = read_idx_images(f"{DATA}/train-images-idx3-ubyte.gz")[: a.images]
    x_test = read_idx_images(f"{DATA}/t10k-images-idx3-ubyte.gz")[:1000]
    model = AE(a.kind in ("vae", "beta-vae"))
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    steps_per_epoch = (len(x_train) + a.batch - 1) // a.batch
    step = 0
    for epoch in range(a.epochs):
        perm = torch.randperm(len(x_train))
        t0 = time.perf_counter()
        for b in range(steps_per_epoch):
            x = x_train[perm[b * a.batch:(b + 1) * a.batch]]
            inp = x
            if a.kind == "dae":
                inp = (x + a.sigma_train * torch.randn_like(x)).clamp(0, 1)
            w = a.beta * min(1.0, step / max(1.0, a.warmup_epochs * steps_per_epoch))
            out = model(inp)
            loss, rec, kl = loss_fn(a.kind, x, out, w)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if a.mode == "train" and b % 50 == 0:
                print(f"epoch {epoch} batch {b}/{steps_per_epoch} loss {loss.item():.4f} "
                      f"kl {kl.item() if kl is not None else 0:.1f}", file=sys.stderr, flush=True)
        dt = time.perf_counter() - t0
        print(f"epoch {epoch + 1}: {len(x_train) / dt:.1f} img/s, clean test PSNR {psnr(model, x_test):.2f} dB",
              flush=True)

if __name__ == "__main__":
    main()
