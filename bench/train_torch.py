"""The Behler-Parrinello model of src-shared/ml/models (symmetry functions computed in the graph
from edge vectors, one MLP per element, forces and stress by autograd, force loss by double
backward) written in PyTorch, for bench/train.ts. Reads the batches, weights and configuration that
bench/train.ts exported (JSON + binary, src-shared/ml/train/checkpoint.ts encoding), checks that the
loss at the initial weights equals the tfjs one, then times training epochs over the same fixed
batches with Adam and gradient clipping, one thread. Prints one JSON object on stdout.

Run by bench/train.ts (which alternates its epochs with ours over stdin); by hand:
python3 bench/train_torch.py DIR [EPOCHS]
"""
import json
import math
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)
torch.set_num_interop_threads(1)


def load(directory):
    doc = json.load(open(f"{directory}/bench.json"))
    blob = open(f"{directory}/bench.bin", "rb").read()

    def walk(x):
        if isinstance(x, list):
            return [walk(v) for v in x]
        if isinstance(x, dict):
            if "$array" in x:
                dt = {"float32": np.float32, "float64": np.float64, "int32": np.int32}[x["dtype"]]
                return np.frombuffer(blob, dtype=dt, count=x["length"], offset=x["byteOffset"]).copy()
            if "$number" in x and len(x) == 1:
                return float(x["$number"])
            return {k: walk(v) for k, v in x.items()}
        return x

    return walk(doc)


def t32(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float32))


def tint(a):
    return torch.from_numpy(np.asarray(a, dtype=np.int64))


def pair_index(s, t, n):
    a, b = min(s, t), max(s, t)
    return a * n - a * (a - 1) // 2 + (b - a)


class Batch:
    def __init__(self, h, sf, n_species):
        self.B = int(h["nFrames"])
        self.N = int(h["nAtoms"])
        self.S = n_species
        self.counts = [int(c) for c in h["speciesCounts"]]
        P = len(h["edgeI"])
        self.P = P
        self.v = t32(h["edgeVectorsA"]).reshape(P, 3)
        edge_i, edge_j, species = h["edgeI"], h["edgeJ"], h["species"]
        self.radial_seg = tint(edge_i * n_species + species[edge_j])
        ta, tb = h["tripletA"], h["tripletB"]
        self.T = len(ta)
        self.ta, self.tb = tint(ta), tint(tb)
        n_pairs = n_species * (n_species + 1) // 2
        self.angular_seg = tint(np.array([edge_i[a] * n_pairs + pair_index(species[edge_j[a]], species[edge_j[b]], n_species) for a, b in zip(ta, tb)], dtype=np.int64))
        self.force_seg = tint(np.concatenate([edge_i, edge_j]))
        self.atom_frame = tint(h["atomFrame"])
        self.edge_frame = tint(h["edgeFrame"])
        vol = np.asarray(h["volumeA3"], dtype=np.float64)
        self.inv_vol = t32(np.where(vol > 0, 0.5 / np.where(vol > 0, vol, 1), 0)).reshape(self.B, 1)
        self.atoms_per_frame = t32(np.maximum(1, h["atomsPerFrame"]))
        self.e_target = t32(h["energyPerAtomEv"])
        self.e_weight = t32(h["energyWeight"])
        self.f_target = t32(h["forcesEvPerA"]).reshape(self.N, 3)
        self.f_weight = t32(h["forceWeight"]).reshape(self.N, 1)
        self.s_target = t32(h["stressEvPerA3"]).reshape(self.B, 9)
        self.s_weight = t32(h["stressWeight"]).reshape(self.B, 1)
        self.e_count, self.f_count, self.s_count = h["energyCount"], h["forceCount"], h["stressCount"]


class BehlerParrinello:
    def __init__(self, exp):
        cfg = exp["model"]["config"]
        self.sf = cfg["symmetryFunctions"]
        self.hidden = cfg["hidden"]
        assert cfg["activation"] == "tanh"
        species = exp["model"]["species"]
        self.S = len(species)
        buffers = {b["name"]: b for b in exp["model"]["buffers"]}
        F = buffers["feature_mean"]["shape"][1]
        self.F = F
        mean = buffers["feature_mean"]["data"].reshape(self.S, F)
        std = buffers["feature_std"]["data"].reshape(self.S, F)
        self.mean = [t32(mean[s]).reshape(1, F) for s in range(self.S)]
        self.inv_std = [t32(1 / std[s]).reshape(1, F) for s in range(self.S)]
        weights = {w["name"]: w for w in exp["model"]["weights"]}
        self.layers = []
        for sym in species:
            layers = []
            for l in range(len(self.hidden) + 1):
                k = weights[f"{sym}/dense{l}/kernel"]
                b = weights[f"{sym}/dense{l}/bias"]
                layers.append((t32(k["data"]).reshape(k["shape"]).requires_grad_(), t32(b["data"]).requires_grad_()))
            self.layers.append(layers)
        self.sE = exp["model"]["scales"]["energyEvPerAtom"]
        self.shift = exp["model"]["scales"]["energyMeanEvPerAtom"]
        self.rad_eta = t32([r["etaPerA2"] for r in self.sf["radial"]]).reshape(1, -1)
        self.rad_rs = t32([r["rsA"] for r in self.sf["radial"]]).reshape(1, -1)
        a = self.sf["angular"]
        self.ang_eta = t32(a["etaPerA2"]).reshape(1, -1)
        self.lam = t32(a["lambda"]).reshape(1, -1)

    def parameters(self):
        return [p for layers in self.layers for pair in layers for p in pair]

    def descriptors(self, b, v):
        N, S, P, T = b.N, self.S, b.P, b.T
        rc = self.sf["cutoffA"]
        r2 = (v * v).sum(1)
        r = torch.sqrt(r2)
        fc = 0.5 * (torch.cos(r * (math.pi / rc)) + 1)
        d = r.reshape(P, 1) - self.rad_rs
        terms = torch.exp(-self.rad_eta * d * d) * fc.reshape(P, 1)
        Kr = terms.shape[1]
        g2 = torch.zeros(N * S, Kr).index_add(0, b.radial_seg, terms).reshape(N, S * Kr)
        a = self.sf["angular"]
        rca = a["cutoffA"]
        fca = 0.5 * (torch.cos(r * (math.pi / rca)) + 1)
        va, vb = v[b.ta], v[b.tb]
        ra2, rb2 = r2[b.ta], r2[b.tb]
        cos = (va * vb).sum(1) / torch.sqrt(ra2 * rb2)
        f3 = fca[b.ta] * fca[b.tb]
        s = ra2 + rb2
        if a["kind"] == "G4":
            rjk2 = ((vb - va) ** 2).sum(1)
            f3 = f3 * (0.5 * (torch.cos(torch.sqrt(rjk2) * (math.pi / rca)) + 1))
            s = s + rjk2
        n_eta = len(a["etaPerA2"])
        radial = torch.exp(s.reshape(T, 1) * -self.ang_eta) * f3.reshape(T, 1)
        base = 1 + cos.reshape(T, 1) * self.lam
        powers = {1: base}

        def power(z):
            if z in powers:
                return powers[z]
            p = power(z // 2) ** 2 if z % 2 == 0 else power(z - 1) * base
            powers[z] = p
            return p

        ang = torch.cat([power(z) * 2 ** (1 - z) for z in a["zeta"]], 1)
        Ka = ang.shape[1] * n_eta
        terms = (radial.reshape(T, n_eta, 1) * ang.reshape(T, 1, -1)).reshape(T, Ka)
        n_pairs = S * (S + 1) // 2
        g4 = torch.zeros(N * n_pairs, Ka).index_add(0, b.angular_seg, terms).reshape(N, n_pairs * Ka)
        return torch.cat([g2, g4], 1)

    def atomic_energies(self, b, v):
        G = self.descriptors(b, v)
        outs, start = [], 0
        for s in range(self.S):
            n = b.counts[s]
            if n == 0:
                continue
            h = (G[start:start + n] - self.mean[s]) * self.inv_std[s]
            layers = self.layers[s]
            for l, (W, bias) in enumerate(layers):
                h = h @ W + bias
                if l + 1 < len(layers):
                    h = torch.tanh(h)
            outs.append(h)
            start += n
        return torch.cat(outs, 0).reshape(-1) * self.sE + self.shift


def batch_loss(model, b, w, scales):
    v = b.v.clone().requires_grad_()
    e_atom = model.atomic_energies(b, v)
    want_f = w["forces"] > 0 and b.f_count > 0
    want_s = w["stress"] > 0 and b.s_count > 0
    e = torch.zeros(b.B).index_add(0, b.atom_frame, e_atom)
    loss = w["energy"] * (b.e_weight * (e / b.atoms_per_frame - b.e_target) ** 2).sum() / (b.e_count * scales["energyEvPerAtom"] ** 2)
    if want_f or want_s:
        (g,) = torch.autograd.grad(e_atom.sum(), v, create_graph=True)
        if want_f:
            F = torch.zeros(b.N, 3).index_add(0, b.force_seg, torch.cat([g, -g], 0))
            loss = loss + w["forces"] * (b.f_weight * (F - b.f_target) ** 2).sum() / (b.f_count * scales["forceEvPerA"] ** 2)
        if want_s:
            outer = (v.detach().reshape(b.P, 3, 1) * g.reshape(b.P, 1, 3)).reshape(b.P, 9)
            W = torch.zeros(b.B, 9).index_add(0, b.edge_frame, outer)
            S = (W + W.reshape(b.B, 3, 3).transpose(1, 2).reshape(b.B, 9)) * b.inv_vol
            loss = loss + w["stress"] * (b.s_weight * (S - b.s_target) ** 2).sum() / (b.s_count * scales["stressEvPerA3"] ** 2)
    return loss


def main():
    directory = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    exp = load(directory)
    model = BehlerParrinello(exp)
    batches = [Batch(h, model.sf, model.S) for h in exp["batches"]]
    w, scales, opt_cfg = exp["loss"], exp["model"]["scales"], exp["optimizer"]
    first_loss = batch_loss(model, batches[0], w, scales).item()
    params = model.parameters()
    opt = torch.optim.Adam(params, lr=opt_cfg["lr"], betas=(0.9, 0.999), eps=1e-8)
    clip = opt_cfg.get("clipGradNorm", 0)

    def epoch():
        for b in batches:
            opt.zero_grad(set_to_none=True)
            loss = batch_loss(model, b, w, scales)
            loss.backward()
            if clip:
                torch.nn.utils.clip_grad_norm_(params, clip)
            opt.step()
        return loss.item()

    epoch()  # warm-up
    # Driven over stdin by bench/train.ts so that its epochs and ours alternate (fair under a
    # fluctuating machine load): "epoch" -> {"ms": ...}; "quit" ends. Without a driver (a tty), time
    # `epochs` epochs and print the summary.
    head = {"torch": torch.__version__, "threads": torch.get_num_threads(), "first_batch_loss": first_loss, "steps": len(batches)}
    if sys.stdin.isatty():
        times = []
        for _ in range(epochs):
            t0 = time.perf_counter()
            epoch()
            times.append(1000 * (time.perf_counter() - t0))
        print(json.dumps({**head, "ms_per_epoch": min(times)}))
        return
    print(json.dumps(head), flush=True)
    for line in sys.stdin:
        if line.strip() != "epoch":
            break
        t0, c0 = time.perf_counter(), time.process_time()
        last = epoch()
        print(json.dumps({"ms": 1000 * (time.perf_counter() - t0), "cpu_ms": 1000 * (time.process_time() - c0), "loss": last}), flush=True)


if __name__ == "__main__":
    main()
