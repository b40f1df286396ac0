// The one calculator contract (after ASE's Calculator with `implemented_properties`): classical
// potentials, trained models, Δ-models (baseline + learned) and committees all implement it, and
// MD, relaxation, elastic constants and audits see only it.
//
// Conventions: energy eV; forces eV/Å = -dE/dR; stress eV/Å³ with ASE's sign,
// stress = (1/V) dE/dε (positive = tensile), row-major [9]; per-atom energies eV summing to the
// energy. Calculators may keep state between calls (neighbour lists with a Verlet skin), so one
// instance serves one system at a time; `reset()` forgets that state.

export type CalcProperty = 'energy' | 'forces' | 'stress' | 'energies';

export interface AtomicSystem {
  /** [N] atomic numbers. */
  numbers: Int32Array;
  /** [3N] Å. */
  positionsA: Float64Array;
  /** [9] cell rows a, b, c (Å), or null for free space. */
  cellA: Float64Array | null;
  pbc: readonly [boolean, boolean, boolean];
}

export interface CalcRequest {
  forces?: boolean;
  stress?: boolean;
  energies?: boolean;
}

export interface CalcResult {
  energyEv: number;
  /** [3N] eV/Å, when requested. */
  forcesEvPerA?: Float64Array;
  /** [9] eV/Å³, ASE sign, when requested (periodic systems). */
  stressEvPerA3?: Float64Array;
  /** [N] eV, when requested. */
  energiesEv?: Float64Array;
}

export interface Calculator {
  /** Short description, e.g. "lj(epsilon=0.0104 eV, sigma=3.4 Å, cutoff=8.5 Å)". */
  readonly name: string;
  readonly implementedProperties: readonly CalcProperty[];
  /** Interaction range in Å (largest cutoff), Infinity when unbounded. */
  readonly cutoffA: number;
  /**
   * Energy and the requested derivatives. `out` (optional) supplies arrays to write into, so MD
   * loops allocate nothing; the returned object may be `out`.
   */
  compute(system: AtomicSystem, request?: CalcRequest, out?: CalcResult): CalcResult;
  /** Forget cached state (neighbour lists); the next call starts fresh. */
  reset?(): void;
}

function ensure(a: Float64Array | undefined, n: number): Float64Array {
  return a && a.length === n ? a : new Float64Array(n);
}

/**
 * A + B + ... : energies, forces, stresses and per-atom energies add. The basis of Δ-models
 * (baseline + learned correction). Only properties every part implements are implemented.
 */
export function sumCalculator(parts: Calculator[], name?: string): Calculator {
  if (parts.length === 0) throw new Error('sumCalculator needs at least one calculator');
  const props = (['energy', 'forces', 'stress', 'energies'] as const).filter((p) => parts.every((c) => c.implementedProperties.includes(p)));
  const scratch: CalcResult[] = parts.map(() => ({ energyEv: 0 }));
  return {
    name: name ?? parts.map((p) => p.name).join(' + '),
    implementedProperties: props,
    cutoffA: Math.max(...parts.map((p) => p.cutoffA)),
    compute(sys, req = {}, out = { energyEv: 0 }) {
      const n = sys.numbers.length;
      let e = 0;
      const f = req.forces ? ensure(out.forcesEvPerA, 3 * n).fill(0) : undefined;
      const s = req.stress ? ensure(out.stressEvPerA3, 9).fill(0) : undefined;
      const ea = req.energies ? ensure(out.energiesEv, n).fill(0) : undefined;
      parts.forEach((c, k) => {
        const r = c.compute(sys, req, scratch[k]);
        scratch[k] = r;
        e += r.energyEv;
        if (f) for (let i = 0; i < 3 * n; i++) f[i] += r.forcesEvPerA![i];
        if (s) for (let i = 0; i < 9; i++) s[i] += r.stressEvPerA3![i];
        if (ea) for (let i = 0; i < n; i++) ea[i] += r.energiesEv![i];
      });
      out.energyEv = e;
      out.forcesEvPerA = f;
      out.stressEvPerA3 = s;
      out.energiesEv = ea;
      return out;
    },
    reset() {
      for (const p of parts) p.reset?.();
    },
  };
}
