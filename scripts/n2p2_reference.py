#!/usr/bin/env python3
"""Independent evaluator of n2p2 potential files (input.nn, scaling.data, weights.ZZZ.data).

Reads an n2p2 directory the way n2p2 does (src/libnnp: Mode.cpp, ElementMap.cpp, SymFnc*.cpp,
NeuralNetwork.cpp; docs at compphysvienna.github.io/n2p2) and evaluates short-range HDNNP energies
with numpy, so that Atomforge's exporter (src-shared/export/n2p2.ts) can be checked without n2p2 or
a LAMMPS built with ML-HDNNP:
  - elements sorted by atomic number; symmetry functions of each element sorted as n2p2 does
    (type, cutoff type, alpha, rc, eta, rs[, zeta, lambda], e1[, e2]; e1 <= e2 for angular ones);
  - cutoff_type 1 (cosine, f = (cos(pi x) + 1)/2, x = (r - alpha rc)/(rc - alpha rc));
  - type 2: sum_j exp(-eta (r_ij - rs)^2) fc(r_ij)
    type 3: 2^(1-zeta) sum_{j<k} (1 + lambda cos)^zeta exp(-eta((r_ij-rs)^2+(r_ik-rs)^2+(r_jk-rs)^2))
            fc(r_ij) fc(r_ik) fc(r_jk)        (all three distances < rc)
    type 9: as 3 without the r_jk terms and fc(r_jk);
  - scaling: none, scale, center, scalecenter or sigma (Gs = Smin + (Smax-Smin)(G-Gmean)/Gsigma);
  - networks: global_hidden_layers_short / global_nodes_short / global_activation_short
    (l, t, s, p), linear output; weights file: first column of non-comment lines, per layer the
    weights (previous neuron outer, neuron inner) then the biases;
  - atomic energy offsets (atom_energy) added (to each atom's energy; n2p2 adds them to the total);
    data-set normalisation (mean_energy, conv_energy, conv_length) is refused.
Forces are central finite differences of the energy (step --h, default 1e-4 A).

Usage: n2p2_reference.py DIR STRUCTURES.json [--forces] [--h 1e-4] [--atoms 0,5,9]
(--atoms: finite-difference forces only on these atoms; the other rows are zero)
STRUCTURES.json: [{"symbols": [...], "positions": [[x,y,z],...], "cell": [[..],[..],[..]]}, ...]
(periodic in all directions, Angstrom). Prints JSON: [{"energy": E, "energies": [...],
"forces": [[...]...] or null}, ...] in eV and eV/A.
"""
import json
import math
import sys

import numpy as np

SYMBOLS = ('H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se '
           'Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb '
           'Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm '
           'Bk Cf Es Fm Md No').split()


def z_of(symbol):
    return SYMBOLS.index(symbol) + 1


def read_settings(path):
    settings = {}
    for line in open(path):
        line = line.split('#', 1)[0].strip()
        if not line:
            continue
        words = line.split()
        settings.setdefault(words[0], []).append(words[1:])
    return settings


class Potential:
    def __init__(self, directory):
        s = read_settings(f'{directory}/input.nn')
        self.elements = sorted(s['elements'][0], key=z_of)
        index = {e: i for i, e in enumerate(self.elements)}
        assert int(s['number_of_elements'][0][0]) == len(self.elements)
        ct = s['cutoff_type'][0]
        if int(ct[0]) != 1:
            raise SystemExit(f'cutoff_type {ct[0]} not implemented here (only 1, cosine)')
        self.alpha = float(ct[1]) if len(ct) > 1 else 0.0
        # symmetry functions per central element, sorted as n2p2
        self.sfs = [[] for _ in self.elements]
        for w in s['symfunction_short']:
            ec, t = index[w[0]], int(w[1])
            if t == 2:
                e1 = index[w[2]]
                eta, rs, rc = map(float, w[3:6])
                sf = dict(type=2, e1=e1, e2=e1, eta=eta, rs=rs, rc=rc, zeta=0.0, lam=0.0)
                key = (2, rc, eta, rs, e1)
            elif t in (3, 9):
                e1, e2 = sorted((index[w[2]], index[w[3]]))
                eta, lam, zeta, rc = map(float, w[4:8])
                rs = float(w[8]) if len(w) > 8 else 0.0
                sf = dict(type=t, e1=e1, e2=e2, eta=eta, rs=rs, rc=rc, zeta=zeta, lam=lam)
                key = (t, rc, eta, rs, zeta, lam, e1, e2)
            else:
                raise SystemExit(f'symmetry function type {t} not implemented here')
            sf['key'] = key
            self.sfs[ec].append(sf)
        for lst in self.sfs:
            lst.sort(key=lambda f: f['key'])
        self.rcut = max(f['rc'] for lst in self.sfs for f in lst)
        # scaling
        if 'scale_symmetry_functions_sigma' in s:
            self.scaling = 'sigma'
        elif 'scale_symmetry_functions' in s and 'center_symmetry_functions' in s:
            self.scaling = 'scalecenter'
        elif 'scale_symmetry_functions' in s:
            self.scaling = 'scale'
        elif 'center_symmetry_functions' in s:
            self.scaling = 'center'
        else:
            self.scaling = 'none'
        self.smin = float(s.get('scale_min_short', [['0']])[0][0])
        self.smax = float(s.get('scale_max_short', [['1']])[0][0])
        rows = [l.split() for l in open(f'{directory}/scaling.data') if l.strip() and not l.startswith('#')]
        self.stats = []
        for ec, lst in enumerate(self.sfs):
            block = rows[:len(lst)]
            rows = rows[len(lst):]
            for k, r in enumerate(block):
                assert int(r[0]) == ec + 1 and int(r[1]) == k + 1, f'scaling.data line {r} out of order'
            self.stats.append(np.array([[float(x) for x in r[2:6]] for r in block]))
        # networks
        nh = int(s['global_hidden_layers_short'][0][0])
        nodes = [int(x) for x in s['global_nodes_short'][0][:nh]]
        self.acts = s['global_activation_short'][0][:nh]
        self.nets = []
        for ec, e in enumerate(self.elements):
            vals = [float(l.split()[0]) for l in open(f'{directory}/weights.{z_of(e):03d}.data')
                    if l.strip() and not l.startswith('#')]
            sizes = [len(self.sfs[ec])] + nodes + [1]
            layers, c = [], 0
            for l in range(1, len(sizes)):
                W = np.array(vals[c:c + sizes[l - 1] * sizes[l]]).reshape(sizes[l - 1], sizes[l])
                c += sizes[l - 1] * sizes[l]
                b = np.array(vals[c:c + sizes[l]])
                c += sizes[l]
                layers.append((W, b))
            assert c == len(vals), f'weights.{z_of(e):03d}.data has {len(vals)} values, the network needs {c}'
            self.nets.append(layers)
        self.offsets = np.zeros(len(self.elements))
        for w in s.get('atom_energy', []):
            self.offsets[index[w[0]]] = float(w[1])
        if any(k in s for k in ('mean_energy', 'conv_energy', 'conv_length')):
            raise SystemExit('data-set normalisation (mean_energy, conv_energy, conv_length) is not implemented here')

    def fc(self, r, rc):
        rci = self.alpha * rc
        x = (r - rci) / (rc - rci)
        return np.where(r < rci, 1.0, np.where(r < rc, 0.5 * (np.cos(np.pi * x) + 1.0), 0.0))

    def scale(self, ec, G):
        gmin, gmax, gmean, gsigma = self.stats[ec].T
        if self.scaling == 'sigma':
            return self.smin + (self.smax - self.smin) * (G - gmean) / gsigma
        if self.scaling == 'scale':
            return self.smin + (self.smax - self.smin) * (G - gmin) / (gmax - gmin)
        if self.scaling == 'center':
            return G - gmean
        if self.scaling == 'scalecenter':
            return self.smin + (self.smax - self.smin) * (G - gmean) / (gmax - gmin)
        return G

    @staticmethod
    def activate(code, x):
        if code == 'l':
            return x
        if code == 't':
            return np.tanh(x)
        if code == 's':
            return np.where(x > 35, 1.0, np.where(x < -35, 0.0, 1.0 / (1.0 + np.exp(-np.clip(x, -35, 35)))))
        if code == 'p':
            return np.where(x > 35, x, np.where(x < -35, 0.0, np.log1p(np.exp(np.clip(x, -35, 35)))))
        raise SystemExit(f'activation {code} not implemented here')

    def symmetry_functions(self, ec, nel, d):
        """G of one atom: nel [M] neighbour elements, d [M, 3] vectors to them."""
        r = np.linalg.norm(d, axis=1)
        out = np.zeros(len(self.sfs[ec]))
        j, k = np.triu_indices(len(r), 1)
        rj, rk = r[j], r[k]
        cos = np.einsum('ij,ij->i', d[j], d[k]) / (rj * rk)
        rjk = np.linalg.norm(d[k] - d[j], axis=1)
        for q, f in enumerate(self.sfs[ec]):
            rc = f['rc']
            if f['type'] == 2:
                m = (nel == f['e1']) & (r < rc)
                out[q] = np.sum(np.exp(-f['eta'] * (r[m] - f['rs']) ** 2) * self.fc(r[m], rc))
                continue
            el = ((nel[j] == f['e1']) & (nel[k] == f['e2'])) | ((nel[j] == f['e2']) & (nel[k] == f['e1']))
            m = el & (rj < rc) & (rk < rc)
            if f['type'] == 3:
                m &= rjk < rc
            a, b, c, cs = rj[m], rk[m], rjk[m], cos[m]
            plam = 1.0 + f['lam'] * cs
            ang = np.where(plam <= 0.0, 0.0, np.abs(plam) ** f['zeta'])
            if f['type'] == 3:
                g = np.exp(-f['eta'] * ((a - f['rs']) ** 2 + (b - f['rs']) ** 2 + (c - f['rs']) ** 2)) \
                    * self.fc(a, rc) * self.fc(b, rc) * self.fc(c, rc)
            else:
                g = np.exp(-f['eta'] * ((a - f['rs']) ** 2 + (b - f['rs']) ** 2)) * self.fc(a, rc) * self.fc(b, rc)
            out[q] = 2.0 ** (1.0 - f['zeta']) * np.sum(ang * g)
        return out

    def network(self, ec, x):
        h = x
        layers = self.nets[ec]
        for l, (W, b) in enumerate(layers):
            h = h @ W + b
            if l < len(layers) - 1:
                h = self.activate(self.acts[l], h)
        return h[0]

    def energies(self, symbols, pos, cell):
        """Per-atom NN energies (physical units, offsets included) of a periodic structure."""
        el = np.array([self.elements.index(s) for s in symbols])
        n = len(pos)
        inv = np.linalg.inv(cell)
        heights = 1.0 / np.linalg.norm(inv, axis=0)  # distances between opposite faces
        reps = [int(math.ceil(self.rcut / h)) for h in heights]
        shifts = np.array([[a, b, c] for a in range(-reps[0], reps[0] + 1) for b in range(-reps[1], reps[1] + 1)
                           for c in range(-reps[2], reps[2] + 1)], dtype=float) @ cell
        e = np.zeros(n)
        for i in range(n):
            d = (pos[None, :, :] + shifts[:, None, :] - pos[i]).reshape(-1, 3)
            nel = np.tile(el, len(shifts))
            r = np.linalg.norm(d, axis=1)
            m = (r < self.rcut) & (r > 1e-10)
            G = self.symmetry_functions(el[i], nel[m], d[m])
            out = self.network(el[i], self.scale(el[i], G))
            e[i] = out + self.offsets[el[i]]
        return e


def main():
    args = sys.argv[1:]
    forces = '--forces' in args
    h = float(args[args.index('--h') + 1]) if '--h' in args else 1e-4
    only = [int(a) for a in args[args.index('--atoms') + 1].split(',')] if '--atoms' in args else None
    pot = Potential(args[0])
    results = []
    for s in json.load(open(args[1])):
        pos = np.array(s['positions'], dtype=float)
        cell = np.array(s['cell'], dtype=float)
        e = pot.energies(s['symbols'], pos, cell)
        f = None
        if forces:
            f = np.zeros_like(pos)
            for a in (range(len(pos)) if only is None else only):
                for c in range(3):
                    p = pos.copy()
                    p[a, c] += h
                    ep = pot.energies(s['symbols'], p, cell).sum()
                    p[a, c] -= 2 * h
                    em = pot.energies(s['symbols'], p, cell).sum()
                    f[a, c] = -(ep - em) / (2 * h)
        results.append({'energy': float(e.sum()), 'energies': e.tolist(), 'forces': None if f is None else f.tolist()})
    json.dump(results, sys.stdout)


if __name__ == '__main__':
    main()
