"""PyTorch twins of the Behler-Parrinello model (src-shared/ml/models/behlerParrinello.ts) and of
PaiNN (src-shared/ml/models/painn.ts) for bench/mlmd.ts: the saved weights, energy + autograd
forces, velocity-Verlet NVE, one thread. The way such models are usually run in PyTorch: per step,
pair vectors from a Verlet list (built in numpy with a skin, rebuilt when an atom has moved
skin/2; its time is EXCLUDED from the timing, to PyTorch's advantage), the pairs (and triplets)
inside the cutoffs selected with index ops, then
  bpnn/linear  n2p2 symmetry functions by index_add, one MLP per element;
  painn        Bessel basis x cutoff filters, messages gathered per edge and summed by index_add
               (schnetpack-style, [N, 3, F] vector features), update block, energy head;
and forces = -dE/dx by torch.autograd.grad.

Protocol: reads one JSON document from the file named by argv[1]:
  {"model": SavedModel with weights/buffers as plain lists, "runs": [{"name", "symbols", "positions",
   "cell", "masses", "velocities", "maxSteps", "minSeconds", "warmup", "dtFs", "skinA", "dtype"}]}
and prints one JSON line per run: {"name", "dtype", "atoms", "steps", "loop_s", "cpu_s",
"atom_steps_per_s", "e0_ev" (energy at the start), "drift_ev_per_atom", "rebuilds", "torch", "threads"}.
Each run integrates `warmup` untimed steps, then timed steps until maxSteps or minSeconds.
"""
import json
import math
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)
torch.set_num_interop_threads(1)
AMU_EV_FS2_PER_A2 = 103.642697  # 1 amu Å²/fs² in eV (units.ts)


def pair_index(s, t, n):
    a, b = min(s, t), max(s, t)
    return a * n - a * (a - 1) // 2 + (b - a)


class BP:
    def __init__(self, saved, dtype):
        self.dt = dtype
        c = saved["config"]
        self.sf = c["symmetryFunctions"]
        self.S = len(saved["species"])
        self.species = saved["species"]
        buf = {b["name"]: b for b in saved["buffers"]}
        F = buf["feature_mean"]["shape"][1]
        self.F = F
        t = lambda a: torch.tensor(np.asarray(a, dtype=np.float64), dtype=dtype)
        mean = np.asarray(buf["feature_mean"]["data"]).reshape(self.S, F)
        std = np.asarray(buf["feature_std"]["data"]).reshape(self.S, F)
        self.mean = [t(mean[s]) for s in range(self.S)]
        self.inv_std = [t(1 / std[s]) for s in range(self.S)]
        w = {x["name"]: x for x in saved["weights"]}
        self.type = saved["type"]
        self.layers = []
        for sym in saved["species"]:
            if self.type == "bpnn":
                names = [(f"{sym}/dense{l}/kernel", f"{sym}/dense{l}/bias") for l in range(len(c["hidden"]) + 1)]
            else:
                names = [(f"{sym}/linear/kernel", f"{sym}/linear/bias")]
            self.layers.append([(t(w[k]["data"]).reshape(w[k]["shape"]), t(w[b]["data"])) for k, b in names])
        self.act = {"tanh": torch.tanh, "silu": torch.nn.functional.silu, "sigmoid": torch.sigmoid}.get(c.get("activation", "tanh"))
        sc = saved["scales"]
        self.sE, self.shift = (sc["energyEvPerAtom"], sc["energyMeanEvPerAtom"]) if self.type == "bpnn" else (1.0, 0.0)
        self.e0 = saved["e0"]["valuesEv"]
        self.rad_eta = t([r["etaPerA2"] for r in self.sf["radial"]]).reshape(1, -1)
        self.rad_rs = t([r["rsA"] for r in self.sf["radial"]]).reshape(1, -1)
        self.ang = self.sf["angular"]
        if self.ang:
            self.ang_eta = t(self.ang["etaPerA2"]).reshape(1, -1)
            self.lam = t(self.ang["lambda"]).reshape(1, -1)

    def set_species(self, species):
        self.sp = torch.tensor(species, dtype=torch.long)
        self.order = [torch.nonzero(self.sp == s).reshape(-1) for s in range(self.S)]
        self.e0_sum = float(sum(self.e0[s] for s in species))

    def energy(self, x, ei, ej, shift):
        N, S = x.shape[0], self.S
        rc = self.sf["cutoffA"]
        v = x[ej] + shift - x[ei]
        r2 = (v * v).sum(1)
        with torch.no_grad():
            keep = torch.nonzero(r2 < rc * rc).reshape(-1)
        ei, ej, v, r2 = ei[keep], ej[keep], v[keep], r2[keep]
        r = torch.sqrt(r2)
        P = r.shape[0]
        fc = 0.5 * (torch.cos(r * (math.pi / rc)) + 1)
        d = r.reshape(P, 1) - self.rad_rs
        terms = torch.exp(-self.rad_eta * d * d) * fc.reshape(P, 1)
        Kr = terms.shape[1]
        g2 = torch.zeros(N * S, Kr, dtype=self.dt).index_add(0, ei * S + self.sp[ej], terms).reshape(N, S * Kr)
        parts = [g2]
        a = self.ang
        if a:
            rca = a["cutoffA"]
            with torch.no_grad():
                sub = torch.nonzero(r2 < rca * rca).reshape(-1)  # edges within the angular cutoff, still sorted by centre
                c = ei[sub]
                counts = torch.bincount(c, minlength=N)
                starts = torch.cumsum(counts, 0) - counts
                pos = torch.arange(sub.shape[0]) - starts[c]
                m = counts[c] - pos - 1  # partners after this edge in its group
                ta = torch.repeat_interleave(torch.arange(sub.shape[0]), m)
                off = torch.arange(ta.shape[0]) - torch.repeat_interleave(torch.cumsum(m, 0) - m, m)
                tb = ta + 1 + off
                ta, tb = sub[ta], sub[tb]
                if a["kind"] == "G4":
                    ok = torch.nonzero(((v[tb] - v[ta]) ** 2).sum(1) < rca * rca).reshape(-1)
                    ta, tb = ta[ok], tb[ok]
                n_pairs = S * (S + 1) // 2
                pi = torch.tensor([[pair_index(s, t, S) for t in range(S)] for s in range(S)], dtype=torch.long)
                seg = ei[ta] * n_pairs + pi[self.sp[ej[ta]], self.sp[ej[tb]]]
            T = ta.shape[0]
            fca = 0.5 * (torch.cos(r * (math.pi / rca)) + 1)
            va, vb = v[ta], v[tb]
            ra2, rb2 = r2[ta], r2[tb]
            cos = (va * vb).sum(1) / (r[ta] * r[tb])
            f3 = fca[ta] * fca[tb]
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

            angp = torch.cat([power(z) * 2 ** (1 - z) for z in a["zeta"]], 1)
            Ka = angp.shape[1] * n_eta
            t4 = (radial.reshape(T, n_eta, 1) * angp.reshape(T, 1, -1)).reshape(T, Ka)
            parts.append(torch.zeros(N * n_pairs, Ka, dtype=self.dt).index_add(0, seg, t4).reshape(N, n_pairs * Ka))
        G = torch.cat(parts, 1)
        e = 0
        for sp in range(S):
            idx = self.order[sp]
            if idx.shape[0] == 0:
                continue
            h = (G[idx] - self.mean[sp]) * self.inv_std[sp]
            L = self.layers[sp]
            for l, (W, b) in enumerate(L):
                h = h @ W + b
                if l + 1 < len(L):
                    h = self.act(h)
            e = e + h.sum() * self.sE + idx.shape[0] * self.shift
        return e + self.e0_sum


ACTS = {
    "tanh": torch.tanh,
    "silu": torch.nn.functional.silu,
    "sigmoid": torch.sigmoid,
    "softplus": torch.nn.functional.softplus,
    "shifted_softplus": lambda x: torch.nn.functional.softplus(x) - math.log(2.0),
    "linear": lambda x: x,
}


class PaiNN:
    """PaiNN (Schuett et al. 2021) with the weights and conventions of painn.ts."""

    def __init__(self, saved, dtype):
        self.dt = dtype
        c = saved["config"]
        self.c = c
        self.F, self.K, self.L, self.rc = c["features"], c["radialBasis"], c["layers"], c["cutoffA"]
        w = {x["name"]: x for x in saved["weights"]}
        self.w = {k: torch.tensor(np.asarray(x["data"], dtype=np.float64), dtype=dtype).reshape(x["shape"]) for k, x in w.items()}
        self.act = ACTS[c["activation"]]
        sc = saved["scales"]
        self.sE, self.shift = sc["energyEvPerAtom"], sc["energyMeanEvPerAtom"]
        self.e0 = saved["e0"]["valuesEv"]
        self.freq = torch.arange(1, self.K + 1, dtype=dtype).reshape(1, -1) * (math.pi / self.rc)

    def set_species(self, species):
        self.sp = torch.tensor(species, dtype=torch.long)
        self.e0_sum = float(sum(self.e0[s] for s in species))

    def cutoff(self, r):
        if self.c["cutoffFunction"] == "cosine":
            return 0.5 * (torch.cos(r * (math.pi / self.rc)) + 1)
        p, u = 6, r / self.rc
        return 1 - (p + 1) * (p + 2) / 2 * u**p + p * (p + 2) * u ** (p + 1) - p * (p + 1) / 2 * u ** (p + 2)

    def energy(self, x, ei, ej, shift):
        w, F, N = self.w, self.F, x.shape[0]
        v = x[ej] + shift - x[ei]
        r2 = (v * v).sum(1)
        with torch.no_grad():
            keep = torch.nonzero(r2 < self.rc * self.rc).reshape(-1)
        ei, ej, v, r2 = ei[keep], ej[keep], v[keep], r2[keep]
        r = torch.sqrt(r2).reshape(-1, 1)
        d = v / r  # [P, 3]
        fc = self.cutoff(r)  # [P, 1]
        rbfc = torch.sin(r * self.freq) / r * fc  # [P, K]
        s = w["embedding"][self.sp]  # [N, F]
        vec = None  # [N, 3, F]
        for l in range(self.L):
            p = f"layer{l}/"
            phi = self.act(s @ w[p + "phi0/kernel"] + w[p + "phi0/bias"]) @ w[p + "phi1/kernel"] + w[p + "phi1/bias"]
            filt = rbfc @ w[p + "filter/kernel"] + fc * w[p + "filter/bias"]
            m = phi[ej] * filt  # [P, 3F]
            mss, mvv, mvs = m[:, :F], m[:, F : 2 * F], m[:, 2 * F :]
            s = s + torch.zeros(N, F, dtype=self.dt).index_add(0, ei, mss)
            dv = mvs.unsqueeze(1) * d.unsqueeze(2)  # [P, 3, F]
            if vec is not None:
                dv = dv + vec[ej] * mvv.unsqueeze(1)
            dvs = torch.zeros(N, 3, F, dtype=self.dt).index_add(0, ei, dv)
            vec = dvs if vec is None else vec + dvs
            Uv, Vv = vec @ w[p + "U"], vec @ w[p + "V"]
            nrm = torch.sqrt((Vv * Vv).sum(1) + 1e-8)
            a = self.act(torch.cat([s, nrm], 1) @ w[p + "update0/kernel"] + w[p + "update0/bias"]) @ w[p + "update1/kernel"] + w[p + "update1/bias"]
            avv, asv, ass = a[:, :F], a[:, F : 2 * F], a[:, 2 * F :]
            s = s + ass + asv * (Uv * Vv).sum(1)
            if l + 1 < self.L:
                vec = vec + avv.unsqueeze(1) * Uv
        h = s
        n_head = len(self.c["headHidden"]) + 1
        for k in range(n_head):
            h = h @ w[f"head/dense{k}/kernel"] + w[f"head/dense{k}/bias"]
            if k + 1 < n_head:
                h = self.act(h)
        return h.sum() * self.sE + N * self.shift + self.e0_sum


def neighbor_list(x, cell, radius):
    """Full list (i sorted) of pairs within radius: brute force over periodic images, numpy."""
    inv = np.linalg.inv(cell)
    heights = 1 / np.linalg.norm(inv, axis=0)
    reps = [int(math.ceil(radius / h)) for h in heights]
    shifts = np.array([(a, b, c) for a in range(-reps[0], reps[0] + 1) for b in range(-reps[1], reps[1] + 1) for c in range(-reps[2], reps[2] + 1)], dtype=np.float64) @ cell
    I, J, S = [], [], []
    n = x.shape[0]
    for i0 in range(0, n, 256):
        xi = x[i0:i0 + 256]
        for sh in shifts:
            d = x[None, :, :] + sh[None, None, :] - xi[:, None, :]
            r2 = (d * d).sum(2)
            ii, jj = np.nonzero(r2 < radius * radius)
            ok = (ii + i0 != jj) | (np.abs(sh).sum() > 0)
            I.append(ii[ok] + i0)
            J.append(jj[ok])
            S.append(np.repeat(sh[None, :], ok.sum(), 0))
    I, J, S = np.concatenate(I), np.concatenate(J), np.concatenate(S)
    o = np.argsort(I, kind="stable")
    return I[o], J[o], S[o]


def run(saved, job):
    dtype = torch.float64 if job["dtype"] == "float64" else torch.float32
    model = PaiNN(saved, dtype) if saved["type"] == "painn" else BP(saved, dtype)
    model.set_species([saved["species"].index(z) for z in job["symbols"]])
    n = len(job["symbols"])
    x = torch.tensor(np.asarray(job["positions"]).reshape(n, 3), dtype=torch.float64)
    v = torch.tensor(np.asarray(job["velocities"]).reshape(n, 3), dtype=torch.float64)
    cell = np.asarray(job["cell"]).reshape(3, 3)
    inv_m = torch.tensor(1 / (np.asarray(job["masses"]) * AMU_EV_FS2_PER_A2), dtype=torch.float64).reshape(n, 1)
    rc = saved["config"]["cutoffA"] if saved["type"] == "painn" else saved["config"]["symmetryFunctions"]["cutoffA"]
    skin, dt = job["skinA"], job["dtFs"]
    nl = {"x0": None}
    rebuild_s = [0.0]

    def refresh(xnow):
        xn = xnow.numpy()
        if nl["x0"] is not None:
            dmax = np.sqrt(((xn - nl["x0"]) ** 2).sum(1)).max()
            if 2 * dmax <= skin:
                return False
        t0 = time.perf_counter()
        I, J, S = neighbor_list(xn, cell, rc + skin)
        nl.update(x0=xn.copy(), i=torch.tensor(I), j=torch.tensor(J), s=torch.tensor(S, dtype=dtype))
        rebuild_s[0] += time.perf_counter() - t0
        return True

    def forces(xnow):
        xr = xnow.detach().to(dtype, copy=True).requires_grad_()
        e = model.energy(xr, nl["i"], nl["j"], nl["s"])
        (g,) = torch.autograd.grad(e, xr)
        return float(e), -g.to(torch.float64)

    refresh(x)
    e, f = forces(x)
    e0 = e
    ke = lambda: 0.5 * float((v * v / inv_m).sum())

    def step():
        nonlocal e, f
        v.add_(0.5 * dt * f * inv_m)
        x.add_(dt * v)
        built = refresh(x)
        e, f = forces(x)
        v.add_(0.5 * dt * f * inv_m)
        return built

    for _ in range(job.get("warmup", 1)):
        step()
    c0 = e + ke()
    builds, steps = 0, 0
    rebuild_s[0] = 0.0
    t0, p0 = time.perf_counter(), time.process_time()
    while steps < job["maxSteps"] and (steps < 2 or time.perf_counter() - t0 < job["minSeconds"]):
        builds += step()
        steps += 1
    loop = time.perf_counter() - t0 - rebuild_s[0]
    cpu = time.process_time() - p0 - rebuild_s[0]
    return {"name": job["name"], "dtype": job["dtype"], "atoms": n, "steps": steps, "loop_s": loop, "cpu_s": cpu, "rebuild_s": rebuild_s[0], "atom_steps_per_s": n * steps / loop, "e0_ev": e0, "drift_ev_per_atom": (e + ke() - c0) / n, "rebuilds": builds, "torch": torch.__version__, "threads": torch.get_num_threads()}


def main():
    doc = json.load(open(sys.argv[1]))
    for job in doc["runs"]:
        print(json.dumps(run(doc["model"], job)), flush=True)


if __name__ == "__main__":
    main()
