// Physics checks every machine-learned potential must pass (after e3nn's assert_equivariant and
// the MACE test suite), usable from any model's spec:
//  - assertEquivariant: E invariant, F -> F·Q, σ -> Qᵀ σ Q under a random rotation or reflection Q
//    (r -> r·Q for positions and cell rows), and E, F, σ unchanged under a random translation and a
//    random permutation of like atoms (forces permuted along).
//  - checkDerivatives: forces and stress against central finite differences of an energy (the
//    model's own float32 energy, or its float64 twin when it has one, for a sharp test).
//  - checkExtensivity: two far-apart copies (free space) or a 2x1x1 supercell (periodic) give twice
//    the energy, the same forces per atom, and the same stress.
// Each throws an Error naming the property and the deviation when it fails, and returns the
// measured deviations (relative to the largest component) for reports.
import type { AtomicSystem, Calculator, CalcResult } from '../../calculators/calculator';
import { numericForces, numericStress } from '../../calculators/finiteDifference';
import { rotateSystem, rotateTensor, supercell } from '../../potentials/testing';
import { createRng } from '../../space/rng';
import { randomRotation } from '../../space/testing';
import { modelCalculator } from '../models/calculator';
import type { AtomisticModel } from '../models/model';

export interface CheckTolerance {
  /** Energy, eV per atom. Default 2e-6 (float32 sums). */
  energyEvPerAtom?: number;
  /** Forces / stress: max |Δ| / max |reference component|, default 1e-4. */
  relative?: number;
  /** Absolute floor for forces (eV/Å) and stress (eV/Å³), default 1e-5 / 1e-6. */
  forceEvPerA?: number;
  stressEvPerA3?: number;
}

export interface Deviation {
  /** |ΔE| per atom, eV. */
  energyEvPerAtom: number;
  /** max |ΔF| / max |F|. */
  forces: number;
  /** max |Δσ| / max |σ| (0 without a cell). */
  stress: number;
}

const asCalc = (m: AtomisticModel | Calculator): Calculator => ('compute' in m ? m : modelCalculator(m));

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k]));
  return m;
}

function compare(what: string, got: CalcResult, want: { energyEv: number; forcesEvPerA?: ArrayLike<number>; stressEvPerA3?: ArrayLike<number> }, n: number, tol: CheckTolerance): Deviation {
  const rel = tol.relative ?? 1e-4;
  const dE = Math.abs(got.energyEv - want.energyEv) / Math.max(1, n);
  let dF = 0, dS = 0;
  if (want.forcesEvPerA && got.forcesEvPerA) {
    const scale = maxAbs(want.forcesEvPerA);
    let m = 0;
    for (let k = 0; k < want.forcesEvPerA.length; k++) m = Math.max(m, Math.abs(got.forcesEvPerA[k] - want.forcesEvPerA[k]));
    dF = m / Math.max(scale, 1e-12);
    if (m > rel * scale + (tol.forceEvPerA ?? 1e-5)) throw new Error(`${what}: forces deviate by ${m.toExponential(3)} eV/Å (max |F| ${scale.toExponential(3)})`);
  }
  if (want.stressEvPerA3 && got.stressEvPerA3) {
    const scale = maxAbs(want.stressEvPerA3);
    let m = 0;
    for (let k = 0; k < 9; k++) m = Math.max(m, Math.abs(got.stressEvPerA3[k] - want.stressEvPerA3[k]));
    dS = m / Math.max(scale, 1e-12);
    if (m > rel * scale + (tol.stressEvPerA3 ?? 1e-6)) throw new Error(`${what}: stress deviates by ${m.toExponential(3)} eV/Å³ (max |σ| ${scale.toExponential(3)})`);
  }
  if (dE > (tol.energyEvPerAtom ?? 2e-6)) throw new Error(`${what}: energy changes by ${dE.toExponential(3)} eV/atom`);
  return { energyEvPerAtom: dE, forces: dF, stress: dS };
}

function worst(ds: Deviation[]): Deviation {
  return {
    energyEvPerAtom: Math.max(...ds.map((d) => d.energyEvPerAtom)),
    forces: Math.max(...ds.map((d) => d.forces)),
    stress: Math.max(...ds.map((d) => d.stress)),
  };
}

function evaluate(calc: Calculator, sys: AtomicSystem): CalcResult {
  calc.reset?.();
  const periodic = !!sys.cellA && sys.pbc.every(Boolean);
  const r = calc.compute(sys, { forces: true, stress: periodic });
  return { energyEv: r.energyEv, forcesEvPerA: r.forcesEvPerA?.slice(), stressEvPerA3: r.stressEvPerA3?.slice() };
}

/** Rotation/reflection, translation and permutation checks (several random draws). */
export function assertEquivariant(model: AtomisticModel | Calculator, sys: AtomicSystem, opts: { seed?: number; trials?: number; tolerance?: CheckTolerance } = {}): Deviation {
  const calc = asCalc(model);
  const rng = createRng(opts.seed ?? 7);
  const tol = opts.tolerance ?? {};
  const n = sys.numbers.length;
  const base = evaluate(calc, sys);
  const devs: Deviation[] = [];
  for (let t = 0; t < (opts.trials ?? 2); t++) {
    // rotation, and a reflection (det -1) on odd trials
    const Q = randomRotation(rng);
    if (t % 2 === 1) for (let k = 0; k < 9; k++) Q[k] = -Q[k];
    const rot = evaluate(calc, rotateSystem(sys, Q));
    const fq = new Float64Array(3 * n);
    const F = base.forcesEvPerA!;
    for (let a = 0; a < n; a++) for (let c = 0; c < 3; c++) fq[3 * a + c] = F[3 * a] * Q[c] + F[3 * a + 1] * Q[3 + c] + F[3 * a + 2] * Q[6 + c];
    devs.push(compare(t % 2 ? 'reflection' : 'rotation', rot, { energyEv: base.energyEv, forcesEvPerA: fq, stressEvPerA3: base.stressEvPerA3 ? rotateTensor(base.stressEvPerA3, Q) : undefined }, n, tol));
    // translation
    const shift = [rng.uniform(-3, 3), rng.uniform(-3, 3), rng.uniform(-3, 3)];
    const moved = sys.positionsA.map((x, k) => x + shift[k % 3]);
    devs.push(compare('translation', evaluate(calc, { ...sys, positionsA: moved }), base, n, tol));
    // permutation of like atoms
    const perm = Int32Array.from({ length: n }, (_, a) => a);
    const bySpecies = new Map<number, number[]>();
    for (let a = 0; a < n; a++) {
      const l = bySpecies.get(sys.numbers[a]) ?? [];
      l.push(a);
      bySpecies.set(sys.numbers[a], l);
    }
    for (const list of bySpecies.values()) {
      const sh = list.slice();
      for (let k = sh.length - 1; k > 0; k--) {
        const r = rng.int(k + 1);
        [sh[k], sh[r]] = [sh[r], sh[k]];
      }
      list.forEach((a, k) => (perm[a] = sh[k]));
    }
    const pPos = new Float64Array(3 * n), pF = new Float64Array(3 * n);
    for (let a = 0; a < n; a++) for (let c = 0; c < 3; c++) {
      pPos[3 * a + c] = sys.positionsA[3 * perm[a] + c];
      pF[3 * a + c] = base.forcesEvPerA![3 * perm[a] + c];
    }
    devs.push(compare('permutation', evaluate(calc, { ...sys, positionsA: pPos }), { ...base, forcesEvPerA: pF }, n, tol));
  }
  return worst(devs);
}

/**
 * Autodiff forces and stress of `model` against central differences of `reference`'s energy
 * (default: the model's own calculator). Steps hA (Å) and strain h.
 */
export function checkDerivatives(model: AtomisticModel | Calculator, sys: AtomicSystem, opts: { reference?: Calculator; hA?: number; hStrain?: number; tolerance?: CheckTolerance } = {}): Deviation {
  const calc = asCalc(model);
  const ref = opts.reference ?? calc;
  const got = evaluate(calc, sys);
  const want = {
    energyEv: got.energyEv,
    forcesEvPerA: numericForces(ref, sys, opts.hA ?? 1e-4),
    stressEvPerA3: got.stressEvPerA3 ? numericStress(ref, sys, opts.hStrain ?? 1e-5) : undefined,
  };
  return compare('finite differences', got, want, sys.numbers.length, opts.tolerance ?? {});
}

/** Energy doubles, forces repeat and stress stays for two non-interacting copies. */
export function checkExtensivity(model: AtomisticModel | Calculator, sys: AtomicSystem, opts: { tolerance?: CheckTolerance } = {}): Deviation {
  const calc = asCalc(model);
  const n = sys.numbers.length;
  const one = evaluate(calc, sys);
  let two: AtomicSystem;
  if (sys.cellA && sys.pbc.every(Boolean)) two = supercell(sys, 2, 1, 1);
  else {
    const gap = 2 * calc.cutoffA + 10;
    const pos = new Float64Array(6 * n);
    pos.set(sys.positionsA);
    for (let k = 0; k < 3 * n; k++) pos[3 * n + k] = sys.positionsA[k] + (k % 3 === 0 ? gap + maxExtent(sys.positionsA) : 0);
    two = { numbers: Int32Array.from([...sys.numbers, ...sys.numbers]), positionsA: pos, cellA: null, pbc: [false, false, false] };
  }
  const r = evaluate(calc, two);
  const want = { energyEv: 2 * one.energyEv, forcesEvPerA: Float64Array.from([...one.forcesEvPerA!, ...one.forcesEvPerA!]), stressEvPerA3: one.stressEvPerA3 };
  return compare('extensivity', r, want, 2 * n, opts.tolerance ?? {});
}

function maxExtent(pos: ArrayLike<number>): number {
  let lo = Infinity, hi = -Infinity;
  for (let k = 0; k < pos.length; k += 3) {
    lo = Math.min(lo, pos[k]);
    hi = Math.max(hi, pos[k]);
  }
  return hi - lo;
}
