// Cholesky factorisation A = L Lᵀ of a symmetric positive-definite matrix in float64, and the
// solves that kernel ridge regression needs ((K + λI) α = y, Rasmussen & Williams, "Gaussian
// Processes for Machine Learning" (2006), Algorithm 2.1).
//
// Storage: a dense row-major n×n Float64Array; only the lower triangle (j <= i) is read, and L
// overwrites it in place (the strict upper triangle is left untouched), so a 7000×7000 kernel
// needs its 392 MB once, not twice.
//
// Speed: the left-looking blocked ("Crout") variant of LAPACK's dpotrf (Golub & Van Loan,
// "Matrix Computations", 4th ed., Alg. 4.2.2 and §4.2.9 (blocked)): for each block column
// J = [j0, j1), first the whole panel A[j0:, J] -= L[j0:, :j0] L[J, :j0]ᵀ (n³/3 of the n³/3
// flops, done as dot products of row segments packed into contiguous k-chunks that stay in cache,
// with a 4×4 register-blocked micro-kernel: 8 loads per 16 multiply-adds), then the small
// diagonal block is factored unblocked and the rows below are solved against it. About 2-3.5
// GFLOP/s in V8 on one core (n = 3000: ~3 s; n = 5732: ~20 s); an unpacked version of the same
// loop fell to ~1.9 GFLOP/s at n = 3000 as rows 24 KB apart thrash the cache.

/** Block width (columns per panel) and k-chunk length (doubles per packed row segment). */
const NB = 64;
const KC = 128;

export class NotPositiveDefiniteError extends Error {
  constructor(
    readonly pivotIndex: number,
    readonly pivot: number,
  ) {
    super(`matrix is not positive definite: pivot ${pivotIndex} is ${pivot.toExponential(3)} (increase the regulariser λ)`);
  }
}

/**
 * In-place Cholesky: on return the lower triangle of `a` ([n·n], row-major) holds L with A = L Lᵀ.
 * Throws NotPositiveDefiniteError when a pivot is <= 0 or not finite.
 */
export function choleskyInPlace(a: Float64Array, n: number): void {
  if (a.length < n * n) throw new Error(`cholesky: array holds ${a.length} values, need ${n}×${n}`);
  const bPack = new Float64Array(NB * KC); // [NB, KC] rows j of L, columns k0..k1
  const aPack = new Float64Array(4 * KC); // [4, KC] four rows i of L, columns k0..k1
  for (let j0 = 0; j0 < n; j0 += NB) {
    const j1 = Math.min(j0 + NB, n);
    for (let k0 = 0; k0 < j0; k0 += KC) panelUpdate(a, n, j0, j1, k0, Math.min(k0 + KC, j0), bPack, aPack);
    // Unblocked factorisation of the diagonal block and solve of the rows below, using only
    // columns j0..j1 (the earlier columns were folded in by panelUpdate).
    for (let j = j0; j < j1; j++) {
      const rj = j * n;
      let d = a[rj + j];
      for (let k = j0; k < j; k++) d -= a[rj + k] * a[rj + k];
      if (!(d > 0) || !Number.isFinite(d)) throw new NotPositiveDefiniteError(j, d);
      const ljj = Math.sqrt(d);
      a[rj + j] = ljj;
      const inv = 1 / ljj;
      for (let i = j + 1; i < n; i++) {
        const ri = i * n;
        let s = a[ri + j];
        for (let k = j0; k < j; k++) s -= a[ri + k] * a[rj + k];
        a[ri + j] = s * inv;
      }
    }
  }
}

/**
 * A[i, j] -= Σ_{k0 <= k < k1} L[i,k] L[j,k] for rows i >= j0 and columns j in [j0, j1), j <= i.
 * The panel rows j and each group of four rows i are first copied into contiguous buffers
 * (GEMM "packing"), so the micro-kernel reads unit-stride memory that stays in L1/L2.
 */
function panelUpdate(a: Float64Array, n: number, j0: number, j1: number, k0: number, k1: number, bp: Float64Array, ap: Float64Array): void {
  const kc = k1 - k0;
  const nbw = j1 - j0;
  for (let j = j0; j < j1; j++) {
    const src = j * n + k0, dst = (j - j0) * kc;
    for (let k = 0; k < kc; k++) bp[dst + k] = a[src + k];
  }
  // Diagonal block rows (i in [j0, j1)): triangular, simple loop.
  for (let i = j0; i < j1; i++) {
    const ri = i * n;
    for (let j = j0; j <= i; j++) {
      const rj = (j - j0) * kc;
      let s = 0;
      for (let k = 0; k < kc; k++) s += a[ri + k0 + k] * bp[rj + k];
      a[ri + j] -= s;
    }
  }
  // Rows below the block: full rectangle, 4×4 micro-kernel.
  const q1 = kc, q2 = 2 * kc, q3 = 3 * kc;
  let i = j1;
  for (; i + 4 <= n; i += 4) {
    for (let r = 0; r < 4; r++) {
      const src = (i + r) * n + k0, dst = r * kc;
      for (let k = 0; k < kc; k++) ap[dst + k] = a[src + k];
    }
    const r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
    let j = 0;
    for (; j + 4 <= nbw; j += 4) {
      const c0 = j * kc, c1 = c0 + kc, c2 = c1 + kc, c3 = c2 + kc;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0;
      let s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0;
      let s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let k = 0; k < kc; k++) {
        const b0 = bp[c0 + k], b1 = bp[c1 + k], b2 = bp[c2 + k], b3 = bp[c3 + k];
        const x0 = ap[k];
        s00 += x0 * b0; s01 += x0 * b1; s02 += x0 * b2; s03 += x0 * b3;
        const x1 = ap[q1 + k];
        s10 += x1 * b0; s11 += x1 * b1; s12 += x1 * b2; s13 += x1 * b3;
        const x2 = ap[q2 + k];
        s20 += x2 * b0; s21 += x2 * b1; s22 += x2 * b2; s23 += x2 * b3;
        const x3 = ap[q3 + k];
        s30 += x3 * b0; s31 += x3 * b1; s32 += x3 * b2; s33 += x3 * b3;
      }
      const J = j0 + j;
      a[r0 + J] -= s00; a[r0 + J + 1] -= s01; a[r0 + J + 2] -= s02; a[r0 + J + 3] -= s03;
      a[r1 + J] -= s10; a[r1 + J + 1] -= s11; a[r1 + J + 2] -= s12; a[r1 + J + 3] -= s13;
      a[r2 + J] -= s20; a[r2 + J + 1] -= s21; a[r2 + J + 2] -= s22; a[r2 + J + 3] -= s23;
      a[r3 + J] -= s30; a[r3 + J + 1] -= s31; a[r3 + J + 2] -= s32; a[r3 + J + 3] -= s33;
    }
    for (; j < nbw; j++) {
      const c0 = j * kc;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < kc; k++) {
        const b = bp[c0 + k];
        s0 += ap[k] * b; s1 += ap[q1 + k] * b; s2 += ap[q2 + k] * b; s3 += ap[q3 + k] * b;
      }
      const J = j0 + j;
      a[r0 + J] -= s0; a[r1 + J] -= s1; a[r2 + J] -= s2; a[r3 + J] -= s3;
    }
  }
  for (; i < n; i++) {
    const ri = i * n;
    for (let j = j0; j < j1; j++) {
      const rj = (j - j0) * kc;
      let s = 0;
      for (let k = 0; k < kc; k++) s += a[ri + k0 + k] * bp[rj + k];
      a[ri + j] -= s;
    }
  }
}

/** Solve L Lᵀ x = b given the factor from choleskyInPlace; b is overwritten with x ([n]). */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): Float64Array {
  // Forward: L z = b.
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[ri + k] * b[k];
    b[i] = s / l[ri + i];
  }
  // Backward: Lᵀ x = z, column-oriented so L is still read row by row.
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const xi = b[i] / l[ri + i];
    b[i] = xi;
    for (let k = 0; k < i; k++) b[k] -= l[ri + k] * xi;
  }
  return b;
}

/** log det A = 2 Σ log L_ii (for marginal-likelihood style diagnostics). */
export function choleskyLogDet(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]);
  return 2 * s;
}

/**
 * Reference solver for tests: Gaussian elimination with partial pivoting on a copy of the full
 * matrix (not using symmetry), O(n³), no blocking. Returns x with A x = b.
 */
export function solveDenseNaive(a: Float64Array, n: number, b: Float64Array): Float64Array {
  const m = a.slice(0, n * n);
  const x = b.slice();
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[p * n + c])) p = r;
    if (m[p * n + c] === 0) throw new Error('solveDenseNaive: singular matrix');
    if (p !== c) {
      for (let k = 0; k < n; k++) {
        const t = m[c * n + k];
        m[c * n + k] = m[p * n + k];
        m[p * n + k] = t;
      }
      const t = x[c];
      x[c] = x[p];
      x[p] = t;
    }
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c] / m[c * n + c];
      if (f === 0) continue;
      for (let k = c; k < n; k++) m[r * n + k] -= f * m[c * n + k];
      x[r] -= f * x[c];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r];
    for (let k = r + 1; k < n; k++) s -= m[r * n + k] * x[k];
    x[r] = s / m[r * n + r];
  }
  return x;
}
