// Eigenvalues of small real symmetric matrices by the cyclic Jacobi method (Golub & Van Loan,
// "Matrix Computations", 4th ed., §8.5.2, Alg. 8.5.3; rotations as in Rutishauser's "jacobi",
// Numerische Mathematik 9, 1 (1966), with the tan(θ) formula that keeps |θ| <= π/4). Each sweep
// zeroes every off-diagonal element once; convergence is quadratic, so 6-10 sweeps reach machine
// precision for the n <= ~50 matrices used here (Coulomb matrices of molecules, 3×3 tensors).
// Cost O(n³) per sweep. Accurate to a few ulps of the largest eigenvalue and needs no pivoting.

/**
 * Eigenvalues of the symmetric n×n matrix `a` ([n·n] row-major; only its lower triangle is read).
 * Returned unsorted (in diagonal order). `a` is not modified.
 */
export function symmetricEigenvalues(a: ArrayLike<number>, n: number, maxSweeps = 50): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      m[i * n + j] = a[i * n + j];
      m[j * n + i] = a[i * n + j];
    }
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(m[i]));
  if (scale === 0) return new Float64Array(n);
  const tol = 1e-15 * scale;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off = Math.max(off, Math.abs(m[p * n + q]));
    if (off <= tol) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (Math.abs(apq) <= 1e-300) continue;
        const app = m[p * n + p], aqq = m[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A' = Jᵀ A J on rows/columns p and q.
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p], akq = m[k * n + q];
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k], aqk = m[q * n + k];
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
        m[p * n + q] = 0;
        m[q * n + p] = 0;
      }
    }
  }
  const ev = new Float64Array(n);
  for (let i = 0; i < n; i++) ev[i] = m[i * n + i];
  return ev;
}

/** Sort descending by value (in place). */
export function sortDescending(v: Float64Array): Float64Array {
  return v.sort((x, y) => y - x);
}

/** Sort by decreasing absolute value (in place), ties broken by value (larger first). */
export function sortByDecreasingMagnitude(v: Float64Array): Float64Array {
  return v.sort((x, y) => Math.abs(y) - Math.abs(x) || y - x);
}
