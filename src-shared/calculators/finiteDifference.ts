// Finite-difference derivatives of any calculator's energy, the independent reference that
// analytic (or autodiff) forces and stresses are tested against. Central differences in float64.
import type { AtomicSystem, Calculator } from './calculator';

function energyOf(calc: Calculator, sys: AtomicSystem): number {
  calc.reset?.();
  return calc.compute(sys, {}).energyEv;
}

/** F_i = -dE/dx_i by central differences with step hA (Å). [3N] eV/Å. */
export function numericForces(calc: Calculator, sys: AtomicSystem, hA = 1e-5): Float64Array {
  const n3 = sys.positionsA.length;
  const f = new Float64Array(n3);
  const pos = sys.positionsA.slice();
  const s = { ...sys, positionsA: pos };
  for (let k = 0; k < n3; k++) {
    const x0 = pos[k];
    pos[k] = x0 + hA;
    const ep = energyOf(calc, s);
    pos[k] = x0 - hA;
    const em = energyOf(calc, s);
    pos[k] = x0;
    f[k] = -(ep - em) / (2 * hA);
  }
  return f;
}

/** Directional derivative of E along a unit-free displacement d ([3N], Å per unit step). */
export function numericDirectionalDerivative(calc: Calculator, sys: AtomicSystem, d: Float64Array, h = 1e-5): number {
  const n3 = sys.positionsA.length;
  const plus = new Float64Array(n3);
  const minus = new Float64Array(n3);
  for (let k = 0; k < n3; k++) {
    plus[k] = sys.positionsA[k] + h * d[k];
    minus[k] = sys.positionsA[k] - h * d[k];
  }
  return (energyOf(calc, { ...sys, positionsA: plus }) - energyOf(calc, { ...sys, positionsA: minus })) / (2 * h);
}

/**
 * Stress = (1/V) dE/dε by central differences of a homogeneous strain applied to the cell and the
 * positions (x' = x (I + ε), symmetric ε), ASE sign. [9] eV/Å³.
 */
export function numericStress(calc: Calculator, sys: AtomicSystem, h = 1e-6): Float64Array {
  if (!sys.cellA) throw new Error('numericStress needs a cell');
  const cell = sys.cellA;
  const vol = Math.abs(
    cell[0] * (cell[4] * cell[8] - cell[5] * cell[7]) - cell[1] * (cell[3] * cell[8] - cell[5] * cell[6]) + cell[2] * (cell[3] * cell[7] - cell[4] * cell[6]),
  );
  const n = sys.numbers.length;
  const stress = new Float64Array(9);
  const strained = (eps: Float64Array) => {
    const m = [1 + eps[0], eps[1], eps[2], eps[3], 1 + eps[4], eps[5], eps[6], eps[7], 1 + eps[8]];
    const apply = (src: Float64Array, count: number) => {
      const out = new Float64Array(3 * count);
      for (let i = 0; i < count; i++) {
        const x = src[3 * i], y = src[3 * i + 1], z = src[3 * i + 2];
        out[3 * i] = x * m[0] + y * m[3] + z * m[6];
        out[3 * i + 1] = x * m[1] + y * m[4] + z * m[7];
        out[3 * i + 2] = x * m[2] + y * m[5] + z * m[8];
      }
      return out;
    };
    return { ...sys, positionsA: apply(sys.positionsA, n), cellA: apply(cell, 3) };
  };
  for (let a = 0; a < 3; a++) {
    for (let b = a; b < 3; b++) {
      const eps = new Float64Array(9);
      if (a === b) eps[3 * a + b] = h;
      else {
        eps[3 * a + b] = h / 2;
        eps[3 * b + a] = h / 2;
      }
      const ep = energyOf(calc, strained(eps));
      for (let k = 0; k < 9; k++) eps[k] = -eps[k];
      const em = energyOf(calc, strained(eps));
      const v = (ep - em) / (2 * h) / vol;
      stress[3 * a + b] = v;
      stress[3 * b + a] = v;
    }
  }
  return stress;
}
