// Deliberately broken calculators: each violates exactly one physical property, so the audits can
// be shown to catch it (tests) and users can see what a failing report looks like (UI demos).
//   - absolutePositionToy: E gains ½k Σ x_i² (absolute x coordinates). Forces and stress are its
//     exact derivatives (conservative, extensive for molecules), but E is not invariant under
//     rotations, reflections or translations -> flagged by the symmetry audit only.
//   - nonConservativeToy: forces and stress multiplied by a factor ≠ 1 (a "direct force head" off
//     by a few per cent). Invariant and equivariant, but F ≠ -∇E -> conservation audit.
//   - nonExtensiveToy: E gains c·N² (a global term, like normalising by batch statistics).
//     Invariant and conservative, but E(A ∪ B) ≠ E(A) + E(B) -> extensivity audit.
//   - minimumImageToy: Lennard-Jones summed over the minimum image only, found by rounding
//     fractional coordinates (a classic bug when the cutoff exceeds half the cell or the cell is
//     skewed). Invariant under rotations, translations and permutations, but a different choice
//     of cell vectors for the same crystal changes E -> the cell re-choice check.
import type { AtomicSystem, CalcRequest, CalcResult, Calculator } from '../calculators/calculator';
import { cellVolumeA3 } from '../atoms/frame';
import { invert3 } from '../space/cell';

function ensure(a: Float64Array | undefined, n: number): Float64Array {
  return a && a.length === n ? a : new Float64Array(n);
}

/** Copy a base result into `out` (so wrappers never alias the base calculator's arrays). */
function baseInto(base: Calculator, sys: AtomicSystem, req: CalcRequest, out: CalcResult): CalcResult {
  const r = base.compute(sys, req);
  out.energyEv = r.energyEv;
  out.forcesEvPerA = r.forcesEvPerA ? ensure(out.forcesEvPerA, r.forcesEvPerA.length) : undefined;
  if (out.forcesEvPerA) out.forcesEvPerA.set(r.forcesEvPerA!);
  out.stressEvPerA3 = r.stressEvPerA3 ? ensure(out.stressEvPerA3, 9) : undefined;
  if (out.stressEvPerA3) out.stressEvPerA3.set(r.stressEvPerA3!);
  out.energiesEv = r.energiesEv ? ensure(out.energiesEv, r.energiesEv.length) : undefined;
  if (out.energiesEv) out.energiesEv.set(r.energiesEv!);
  return out;
}

/** base + ½k Σ_i x_i² (x = first Cartesian coordinate), with exact forces and stress. */
export function absolutePositionToy(base: Calculator, kEvPerA2 = 0.01): Calculator {
  return {
    name: `${base.name} + absolute-x toy (k=${kEvPerA2} eV/Å²)`,
    implementedProperties: base.implementedProperties,
    cutoffA: base.cutoffA,
    compute(sys, req = {}, out = { energyEv: 0 }) {
      baseInto(base, sys, req, out);
      const x = sys.positionsA;
      const n = sys.numbers.length;
      let sxx = 0, sxy = 0, sxz = 0;
      for (let i = 0; i < n; i++) {
        const xi = x[3 * i];
        out.energyEv += 0.5 * kEvPerA2 * xi * xi;
        if (out.forcesEvPerA && req.forces) out.forcesEvPerA[3 * i] -= kEvPerA2 * xi;
        if (out.energiesEv && req.energies) out.energiesEv[i] += 0.5 * kEvPerA2 * xi * xi;
        sxx += xi * xi;
        sxy += xi * x[3 * i + 1];
        sxz += xi * x[3 * i + 2];
      }
      if (out.stressEvPerA3 && req.stress) {
        // x' = r·(I + ε) -> ∂E/∂ε_a0 = k Σ x_i r_ia; symmetric strain splits the shear evenly
        const v = cellVolumeA3(sys.cellA);
        const s = out.stressEvPerA3;
        s[0] += (kEvPerA2 * sxx) / v;
        s[1] += (0.5 * kEvPerA2 * sxy) / v;
        s[3] += (0.5 * kEvPerA2 * sxy) / v;
        s[2] += (0.5 * kEvPerA2 * sxz) / v;
        s[6] += (0.5 * kEvPerA2 * sxz) / v;
      }
      return out;
    },
    reset: () => base.reset?.(),
  };
}

/** base with forces × forceScale and stress × stressScale: not the derivatives of its energy. */
export function nonConservativeToy(base: Calculator, forceScale = 1.05, stressScale = 1.05): Calculator {
  return {
    name: `${base.name} with forces x${forceScale}, stress x${stressScale} (non-conservative toy)`,
    implementedProperties: base.implementedProperties,
    cutoffA: base.cutoffA,
    compute(sys, req = {}, out = { energyEv: 0 }) {
      baseInto(base, sys, req, out);
      if (out.forcesEvPerA && req.forces) for (let k = 0; k < out.forcesEvPerA.length; k++) out.forcesEvPerA[k] *= forceScale;
      if (out.stressEvPerA3 && req.stress) for (let k = 0; k < 9; k++) out.stressEvPerA3[k] *= stressScale;
      return out;
    },
    reset: () => base.reset?.(),
  };
}

/** base + c·N² (eV): a global, size-dependent term. Forces and stress unchanged. */
export function nonExtensiveToy(base: Calculator, cEv = 1e-3): Calculator {
  return {
    name: `${base.name} + ${cEv}·N² eV (non-extensive toy)`,
    implementedProperties: base.implementedProperties,
    cutoffA: base.cutoffA,
    compute(sys, req = {}, out = { energyEv: 0 }) {
      baseInto(base, sys, req, out);
      const n = sys.numbers.length;
      out.energyEv += cEv * n * n;
      if (out.energiesEv && req.energies) for (let i = 0; i < n; i++) out.energiesEv[i] += cEv * n;
      return out;
    },
    reset: () => base.reset?.(),
  };
}

/**
 * Lennard-Jones 12-6 (no shift) over minimum-image pairs only: each pair i<j once, displacement
 * from rounded fractional coordinates, counted if shorter than the cutoff. Periodic along all
 * axes. Consistent forces and stress for its own (wrong) energy.
 */
export function minimumImageToy(epsilonEv: number, sigmaA: number, cutoffA: number): Calculator {
  return {
    name: `minimum-image LJ toy (epsilon=${epsilonEv} eV, sigma=${sigmaA} Å, cutoff=${cutoffA} Å)`,
    implementedProperties: ['energy', 'forces', 'stress', 'energies'],
    cutoffA,
    compute(sys, req = {}, out = { energyEv: 0 }) {
      if (!sys.cellA) throw new Error('minimumImageToy: needs a cell');
      const n = sys.numbers.length;
      const c = sys.cellA;
      const inv = invert3(new Float64Array(9), c);
      const x = sys.positionsA;
      const f = req.forces ? ensure(out.forcesEvPerA, 3 * n).fill(0) : undefined;
      const s = req.stress ? ensure(out.stressEvPerA3, 9).fill(0) : undefined;
      const ea = req.energies ? ensure(out.energiesEv, n).fill(0) : undefined;
      let e = 0;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const d = [x[3 * j] - x[3 * i], x[3 * j + 1] - x[3 * i + 1], x[3 * j + 2] - x[3 * i + 2]];
          const fr = [0, 1, 2].map((k) => d[0] * inv[k] + d[1] * inv[3 + k] + d[2] * inv[6 + k]);
          for (let k = 0; k < 3; k++) if (sys.pbc[k]) fr[k] -= Math.round(fr[k]);
          const v = [0, 1, 2].map((q) => fr[0] * c[q] + fr[1] * c[3 + q] + fr[2] * c[6 + q]);
          const r2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
          if (r2 >= cutoffA * cutoffA) continue;
          const sr6 = (sigmaA * sigmaA / r2) ** 3;
          const u = 4 * epsilonEv * (sr6 * sr6 - sr6);
          e += u;
          if (ea) {
            ea[i] += 0.5 * u;
            ea[j] += 0.5 * u;
          }
          const g = (-24 * epsilonEv * (2 * sr6 * sr6 - sr6)) / r2; // (du/dr)/r
          for (let a = 0; a < 3; a++) {
            if (f) {
              f[3 * i + a] += g * v[a];
              f[3 * j + a] -= g * v[a];
            }
            if (s) for (let b = 0; b < 3; b++) s[3 * a + b] += g * v[a] * v[b];
          }
        }
      }
      if (s) {
        const vol = cellVolumeA3(c);
        for (let k = 0; k < 9; k++) s[k] /= vol;
      }
      out.energyEv = e;
      out.forcesEvPerA = f;
      out.stressEvPerA3 = s;
      out.energiesEv = ea;
      return out;
    },
  };
}
