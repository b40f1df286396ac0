// Limited-memory BFGS (Nocedal, Math. Comp. 35, 773 (1980); Liu & Nocedal, Math. Prog. 45, 503
// (1989)), line-search free, as ASE 3.22 ase/optimize/lbfgs.py LBFGS with its defaults: the
// two-loop recursion builds p = −H g from the last `memory` pairs s_k = x_{k+1} − x_k,
// y_k = g_{k+1} − g_k (g = −f) with ρ_k = 1/(y_k·s_k) and the initial inverse Hessian H₀ = 1/α
// (α = 70 eV/Å²); the step is p scaled so that no row of 3 (an atom, or a cell row) moves more
// than maxStepA (0.2 Å), times `damping` (1).
//
// Two safeguards ASE does not have (documented deviations): a pair with y·s <= 0 (negative
// curvature along the step, which would make H indefinite) is not stored, and when the resulting
// direction is not downhill (p·f <= 0) the memory is cleared and the step is steepest descent H₀f.
import type { OptimizerStepper } from './stepper';

export interface LbfgsOptions {
  maxStepA?: number;
  memory?: number;
  /** Initial Hessian guess α, eV/Å² (H₀ = 1/α). */
  alpha?: number;
  damping?: number;
}

export function lbfgs(options: LbfgsOptions = {}): OptimizerStepper {
  const maxStep = options.maxStepA ?? 0.2;
  const memory = options.memory ?? 100;
  const h0 = 1 / (options.alpha ?? 70);
  const damping = options.damping ?? 1;
  if (!(maxStep > 0 && maxStep <= 1)) throw new Error(`lbfgs: maxStepA must be in (0, 1] Å, got ${maxStep}`);
  let size = -1;
  let S: Float64Array[] = [];
  let Y: Float64Array[] = [];
  const rho = new Float64Array(memory);
  const alphaK = new Float64Array(memory);
  let count = 0; // stored pairs
  let head = 0; // ring index of the oldest pair
  let x0: Float64Array | null = null;
  let f0: Float64Array | null = null;
  let q = new Float64Array(0);

  function allocate(m: number): void {
    size = m;
    S = Array.from({ length: memory }, () => new Float64Array(m));
    Y = Array.from({ length: memory }, () => new Float64Array(m));
    x0 = new Float64Array(m);
    f0 = new Float64Array(m);
    q = new Float64Array(m);
    count = 0;
    head = 0;
  }

  const dot = (a: Float64Array, b: Float64Array): number => {
    let s = 0;
    for (let k = 0; k < a.length; k++) s += a[k] * b[k];
    return s;
  };

  let started = false;
  return {
    name: 'L-BFGS',
    reset() {
      started = false;
      count = 0;
      head = 0;
    },
    step(x, f, dx) {
      const m = x.length;
      if (m !== size) {
        allocate(m);
        started = false;
      }
      if (started) {
        // new pair from the last step: s = x − x0, y = g − g0 = f0 − f
        const slot = (head + count) % memory;
        const s = S[slot], y = Y[slot];
        for (let k = 0; k < m; k++) {
          s[k] = x[k] - x0![k];
          y[k] = f0![k] - f[k];
        }
        const ys = dot(y, s);
        if (ys > 0) {
          rho[slot] = 1 / ys;
          if (count < memory) count++;
          else head = (head + 1) % memory;
        }
      }
      // two-loop recursion: q = g = −f
      for (let k = 0; k < m; k++) q[k] = -f[k];
      for (let j = count - 1; j >= 0; j--) {
        const i = (head + j) % memory;
        alphaK[i] = rho[i] * dot(S[i], q);
        const y = Y[i];
        for (let k = 0; k < m; k++) q[k] -= alphaK[i] * y[k];
      }
      for (let k = 0; k < m; k++) q[k] *= h0;
      for (let j = 0; j < count; j++) {
        const i = (head + j) % memory;
        const b = rho[i] * dot(Y[i], q);
        const s = S[i];
        for (let k = 0; k < m; k++) q[k] += s[k] * (alphaK[i] - b);
      }
      // p = −z; require a downhill direction
      let pf = 0;
      for (let k = 0; k < m; k++) {
        dx[k] = -q[k];
        pf += dx[k] * f[k];
      }
      if (!(pf > 0) && count > 0) {
        count = 0;
        head = 0;
        for (let k = 0; k < m; k++) dx[k] = h0 * f[k];
      }
      // cap the longest row of 3 at maxStep
      let longest = 0;
      for (let r = 0; r < m; r += 3) {
        const l = Math.hypot(dx[r], dx[r + 1], dx[r + 2]);
        if (l > longest) longest = l;
      }
      const scale = (longest >= maxStep ? maxStep / longest : 1) * damping;
      for (let k = 0; k < m; k++) dx[k] *= scale;
      x0!.set(x);
      f0!.set(f);
      started = true;
    },
  };
}
