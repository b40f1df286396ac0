// Test structures for the exporters: perturbed periodic fcc cells with a LAMMPS-shaped (lower
// triangular) triclinic cell and a seeded mix of elements, plus the deviation measures the export
// tests report. Pure (no I/O).
import type { AtomicSystem, CalcResult } from '../calculators/calculator';
import { atomicNumber } from '../atoms/elements';
import { createRng } from '../space/rng';

export interface FccOptions {
  latticeA: number;
  repeat: number;
  /** Elements drawn at random per site. */
  elements: readonly string[];
  /** Gaussian displacement std, Å. */
  rattleA: number;
  /** Tilt factors xy, xz, yz as fractions of the box length. */
  tilt?: [number, number, number];
  seed: number;
}

/** fcc supercell, rattled and sheared into a triclinic LAMMPS box. */
export function perturbedFcc(o: FccOptions): AtomicSystem {
  const rng = createRng(o.seed);
  const L = o.latticeA * o.repeat;
  const [txy, txz, tyz] = o.tilt ?? [0, 0, 0];
  const cell = Float64Array.of(L, 0, 0, txy * L, L, 0, txz * L, tyz * L, L);
  const basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
  const pos: number[] = [], numbers: number[] = [];
  for (let i = 0; i < o.repeat; i++) for (let j = 0; j < o.repeat; j++) for (let k = 0; k < o.repeat; k++) {
    for (const b of basis) {
      const f = [(i + b[0]) / o.repeat, (j + b[1]) / o.repeat, (k + b[2]) / o.repeat];
      for (let c = 0; c < 3; c++) pos.push(f[0] * cell[c] + f[1] * cell[3 + c] + f[2] * cell[6 + c] + o.rattleA * rng.normal());
      numbers.push(atomicNumber(o.elements[Math.min(o.elements.length - 1, Math.floor(rng.uniform(0, o.elements.length)))]));
    }
  }
  return { numbers: Int32Array.from(numbers), positionsA: Float64Array.from(pos), cellA: cell, pbc: [true, true, true] };
}

const rms = (a: ArrayLike<number>) => {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * a[k];
  return Math.sqrt(s / Math.max(1, a.length));
};

export interface Agreement {
  /** |ΔE| / |E_ref| */
  energy: number;
  /** max |ΔF_k| / RMS(F_ref) */
  forces: number;
  /** max |Δσ_k| / max |σ_ref| (ASE-sign stress) */
  stress: number;
  /** max |Δe_i| / RMS(e_ref) */
  energies: number;
}

/** Relative deviations of `ours` from `ref` (see Agreement). */
export function agreement(ours: CalcResult, ref: CalcResult): Agreement {
  const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let m = 0;
    for (let k = 0; k < b.length; k++) m = Math.max(m, Math.abs(a[k] - b[k]));
    return m;
  };
  const maxAbs = (a: ArrayLike<number>) => {
    let m = 0;
    for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k]));
    return m;
  };
  return {
    energy: Math.abs(ours.energyEv - ref.energyEv) / Math.abs(ref.energyEv),
    forces: maxDiff(ours.forcesEvPerA!, ref.forcesEvPerA!) / rms(ref.forcesEvPerA!),
    stress: ref.stressEvPerA3 && ours.stressEvPerA3 ? maxDiff(ours.stressEvPerA3, ref.stressEvPerA3) / maxAbs(ref.stressEvPerA3) : NaN,
    energies: ref.energiesEv && ours.energiesEv ? maxDiff(ours.energiesEv, ref.energiesEv) / rms(ref.energiesEv) : NaN,
  };
}
