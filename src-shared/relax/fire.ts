// FIRE, the Fast Inertial Relaxation Engine (Bitzek, Koskinen, Gähler, Moseler & Gumbsch, Phys.
// Rev. Lett. 97, 170201 (2006)), exactly as ASE 3.22 ase/optimize/fire.py with its defaults:
// MD with unit masses whose velocity is mixed towards the force direction,
//   v ← (1 − α) v + α |v| f/|f|        when P = f·v > 0,
// the time step grows (× f_inc, up to dt_max) and α shrinks (× f_α) after N_min downhill steps;
// when P <= 0 the velocity is zeroed, dt × f_dec and α reset. Then v += dt f, Δx = dt v, with the
// whole step |Δx| capped at maxStepA. dt = 0.1, dt_max = 1.0, N_min = 5, f_inc = 1.1,
// f_dec = 0.5, α_start = 0.1, f_α = 0.99, maxstep = 0.2 Å (ASE's units: Å and eV, unit mass).
import type { OptimizerStepper } from './stepper';

export interface FireOptions {
  dt?: number;
  maxStepA?: number;
  dtMax?: number;
  nMin?: number;
  fInc?: number;
  fDec?: number;
  alphaStart?: number;
  fAlpha?: number;
}

export function fire(options: FireOptions = {}): OptimizerStepper {
  const dt0 = options.dt ?? 0.1;
  const maxStep = options.maxStepA ?? 0.2;
  const dtMax = options.dtMax ?? 1.0;
  const nMin = options.nMin ?? 5;
  const fInc = options.fInc ?? 1.1;
  const fDec = options.fDec ?? 0.5;
  const aStart = options.alphaStart ?? 0.1;
  const fA = options.fAlpha ?? 0.99;
  let v: Float64Array | null = null;
  let dt = dt0;
  let a = aStart;
  let nSteps = 0;
  return {
    name: 'FIRE',
    reset() {
      v = null;
      dt = dt0;
      a = aStart;
      nSteps = 0;
    },
    step(_x, f, dx) {
      const m = f.length;
      if (!v || v.length !== m) {
        v = new Float64Array(m);
      } else {
        let vf = 0, ff = 0, vv = 0;
        for (let q = 0; q < m; q++) {
          vf += v[q] * f[q];
          ff += f[q] * f[q];
          vv += v[q] * v[q];
        }
        if (vf > 0) {
          const c = ff > 0 ? (a * Math.sqrt(vv)) / Math.sqrt(ff) : 0;
          for (let q = 0; q < m; q++) v[q] = (1 - a) * v[q] + c * f[q];
          if (nSteps > nMin) {
            dt = Math.min(dt * fInc, dtMax);
            a *= fA;
          }
          nSteps++;
        } else {
          v.fill(0);
          a = aStart;
          dt *= fDec;
          nSteps = 0;
        }
      }
      let norm2 = 0;
      for (let q = 0; q < m; q++) {
        v[q] += dt * f[q];
        dx[q] = dt * v[q];
        norm2 += dx[q] * dx[q];
      }
      const norm = Math.sqrt(norm2);
      if (norm > maxStep) for (let q = 0; q < m; q++) dx[q] *= maxStep / norm;
    },
  };
}
