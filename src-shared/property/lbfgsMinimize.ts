// Unconstrained minimisation of a smooth function by limited-memory BFGS (Liu & Nocedal, Math.
// Prog. 45, 503 (1989); two-loop recursion: Nocedal & Wright, "Numerical Optimization", 2nd ed.,
// Alg. 7.4) with a backtracking Armijo line search (ibid. Alg. 3.1, c1 = 1e-4) and the initial
// Hessian scaling γ = sᵀy / yᵀy (Eq. 7.20). Pairs with sᵀy <= 0 are not stored, which keeps the
// implicit Hessian positive definite. Meant for convex problems such as the softmax classifier;
// the structure relaxer has its own (ASE-compatible) L-BFGS in src-shared/relax.

export interface MinimizeResult {
  x: Float64Array;
  f: number;
  iterations: number;
  converged: boolean;
  /** ‖∇f‖∞ at the end. */
  gradNorm: number;
}

/**
 * Minimise f from x0. `fg(x, grad)` returns f(x) and writes ∇f(x) into grad.
 * Stops when ‖∇f‖∞ < gradTol or the relative decrease of f over an iteration is below fTol.
 */
export function minimizeLbfgs(fg: (x: Float64Array, grad: Float64Array) => number, x0: Float64Array, opts: { maxIterations?: number; memory?: number; gradTol?: number; fTol?: number } = {}): MinimizeResult {
  const n = x0.length;
  const maxIt = opts.maxIterations ?? 500, mem = opts.memory ?? 10, gTol = opts.gradTol ?? 1e-6, fTol = opts.fTol ?? 1e-12;
  let x = x0.slice();
  let g = new Float64Array(n);
  let f = fg(x, g);
  const S: Float64Array[] = [], Y: Float64Array[] = [], rho: number[] = [];
  const d = new Float64Array(n), alpha = new Float64Array(mem);
  const xn = new Float64Array(n), gn = new Float64Array(n);
  const normInf = (v: Float64Array) => v.reduce((m, t) => Math.max(m, Math.abs(t)), 0);
  let it = 0;
  for (; it < maxIt; it++) {
    if (normInf(g) < gTol) return { x, f, iterations: it, converged: true, gradNorm: normInf(g) };
    // d = -H g by the two-loop recursion.
    for (let i = 0; i < n; i++) d[i] = -g[i];
    for (let k = S.length - 1; k >= 0; k--) {
      let a = 0;
      for (let i = 0; i < n; i++) a += S[k][i] * d[i];
      a *= rho[k];
      alpha[k] = a;
      for (let i = 0; i < n; i++) d[i] -= a * Y[k][i];
    }
    if (S.length) {
      const k = S.length - 1;
      let sy = 0, yy = 0;
      for (let i = 0; i < n; i++) {
        sy += S[k][i] * Y[k][i];
        yy += Y[k][i] * Y[k][i];
      }
      const gamma = sy / yy;
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let k = 0; k < S.length; k++) {
      let b = 0;
      for (let i = 0; i < n; i++) b += Y[k][i] * d[i];
      b *= rho[k];
      for (let i = 0; i < n; i++) d[i] += S[k][i] * (alpha[k] - b);
    }
    let slope = 0;
    for (let i = 0; i < n; i++) slope += g[i] * d[i];
    if (!(slope < 0)) {
      // Not a descent direction: restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      slope = -g.reduce((s, t) => s + t * t, 0);
    }
    let step = S.length ? 1 : Math.min(1, 1 / Math.max(1e-12, normInf(g)));
    let fn = Infinity;
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < n; i++) xn[i] = x[i] + step * d[i];
      fn = fg(xn, gn);
      if (fn <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fn <= f)) return { x, f, iterations: it, converged: false, gradNorm: normInf(g) };
    const s = new Float64Array(n), y = new Float64Array(n);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xn[i] - x[i];
      y[i] = gn[i] - g[i];
      sy += s[i] * y[i];
    }
    if (sy > 1e-12) {
      if (S.length === mem) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    const decrease = f - fn;
    x = xn.slice();
    g = gn.slice();
    f = fn;
    if (decrease <= fTol * Math.max(1, Math.abs(f))) return { x, f, iterations: it + 1, converged: true, gradNorm: normInf(g) };
  }
  return { x, f, iterations: it, converged: normInf(g) < gTol, gradNorm: normInf(g) };
}
