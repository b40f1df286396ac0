// Looking inside a model, per atom, for colouring atoms in the viewer. Works with any Calculator.
//
// Energy decomposition: atomistic models are sums of atomic energies, E = Σ_i e_i (Behler &
// Parrinello, PRL 98, 146401 (2007)); a trained model's Calculator (models/calculator.ts) returns
// them as `energiesEv` (property 'energies', E0 included, summing to energyEv). e_i is not an
// observable (only the sum is), so we also return it relative to the mean of the same element in
// the structure, which is what a colour map should show, and relative to user E0s when given.
//
// Force sensitivity: how strongly atom i's force reacts to moving the atoms around it,
//   s_i = sqrt( Σ_j ||∂F_i/∂x_j||²_F )     (eV/Å²; the norm of row-block i of the Hessian),
// estimated without the full Hessian by random probes (Hutchinson-style, Bekas, Kokiopoulou & Saad,
// Appl. Numer. Math. 57, 1214 (2007)): for δ with independent ±1 components (Rademacher),
// E[|(H δ)_i|²] = Σ_j ||H_ij||²_F, and H δ ≈ -(F(x + hδ) - F(x - hδ)) / 2h, so m probes cost 2m
// force calls whatever N is. `exact: true` differentiates atom by atom instead (6N calls; small
// systems and tests). Large s_i marks stiff, crowded or badly extrapolated environments; with a
// committee, its per-atom force spread (committee.ts) is the other per-atom signal.
import type { AtomicSystem, Calculator } from '../../calculators/calculator';
import { createRng } from '../../space/rng';

export interface EnergyDecomposition {
  energyEv: number;
  /** [N] e_i, eV (sums to energyEv). */
  energiesEv: Float64Array;
  /** [N] e_i minus the mean e of the same element in this structure, eV. */
  relativeToElementMeanEv: Float64Array;
  /** [N] e_i - E0(Z_i), eV, when E0s were given (else null). */
  relativeToE0Ev: Float64Array | null;
}

/**
 * Per-atom energies of a structure. Throws when the calculator does not implement 'energies'.
 * @param e0ByZ optional reference energies by atomic number (eV), e.g. a model's E0s
 */
export function energyDecomposition(calc: Calculator, system: AtomicSystem, e0ByZ?: Record<number, number>): EnergyDecomposition {
  if (!calc.implementedProperties.includes('energies')) throw new Error(`${calc.name} does not provide per-atom energies`);
  const r = calc.compute(system, { energies: true });
  const e = Float64Array.from(r.energiesEv!);
  const n = e.length;
  const sum = new Map<number, { s: number; n: number }>();
  for (let i = 0; i < n; i++) {
    const z = system.numbers[i];
    const g = sum.get(z) ?? { s: 0, n: 0 };
    g.s += e[i];
    g.n++;
    sum.set(z, g);
  }
  const rel = Float64Array.from(e, (v, i) => {
    const g = sum.get(system.numbers[i])!;
    return v - g.s / g.n;
  });
  const e0 = e0ByZ ? Float64Array.from(e, (v, i) => v - (e0ByZ[system.numbers[i]] ?? 0)) : null;
  return { energyEv: r.energyEv, energiesEv: e, relativeToElementMeanEv: rel, relativeToE0Ev: e0 };
}

export interface ForceSensitivityOptions {
  /** Finite-difference step, Å (default 0.005). */
  stepA?: number;
  /** Random probes (default 16); ignored when exact. */
  probes?: number;
  /** Differentiate atom by atom (6N force calls). */
  exact?: boolean;
  seed?: number;
}

export interface ForceSensitivity {
  /** [N] sqrt(Σ_j ||∂F_i/∂x_j||²), eV/Å². */
  sensitivityEvPerA2: Float64Array;
  method: 'exact' | 'probes';
  forceCalls: number;
}

/** Per-atom force sensitivity (see the header). The system is not modified. */
export function forceSensitivity(calc: Calculator, system: AtomicSystem, opts: ForceSensitivityOptions = {}): ForceSensitivity {
  const n = system.numbers.length;
  const h = opts.stepA ?? 0.005;
  const x = Float64Array.from(system.positionsA);
  const moved: AtomicSystem = { ...system, positionsA: x };
  const acc = new Float64Array(n);
  const forcesAt = (): Float64Array => {
    calc.reset?.();
    return Float64Array.from(calc.compute(moved, { forces: true }).forcesEvPerA!);
  };
  let calls = 0;
  if (opts.exact) {
    for (let q = 0; q < 3 * n; q++) {
      x[q] = system.positionsA[q] + h;
      const fp = forcesAt();
      x[q] = system.positionsA[q] - h;
      const fm = forcesAt();
      x[q] = system.positionsA[q];
      calls += 2;
      for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) acc[i] += ((fp[3 * i + c] - fm[3 * i + c]) / (2 * h)) ** 2;
    }
  } else {
    const m = Math.max(1, opts.probes ?? 16);
    const rng = createRng(opts.seed ?? 0);
    const d = new Float64Array(3 * n);
    for (let p = 0; p < m; p++) {
      for (let q = 0; q < 3 * n; q++) d[q] = rng.next() < 0.5 ? -1 : 1;
      for (let q = 0; q < 3 * n; q++) x[q] = system.positionsA[q] + h * d[q];
      const fp = forcesAt();
      for (let q = 0; q < 3 * n; q++) x[q] = system.positionsA[q] - h * d[q];
      const fm = forcesAt();
      calls += 2;
      for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) acc[i] += ((fp[3 * i + c] - fm[3 * i + c]) / (2 * h)) ** 2 / m;
    }
  }
  calc.reset?.();
  return { sensitivityEvPerA2: acc.map(Math.sqrt), method: opts.exact ? 'exact' : 'probes', forceCalls: calls };
}
