// Tabulated PaiNN filters (issue 5), as LAMMPS tabulates pair styles: each block's filter
//   W(r) = Σ_n fk[n, :] sin(nπr/rc)/r · f_c(r) + f_c(r) fb      [3F outputs]
// depends on the pair distance r alone, so it is tabulated once per model on a uniform grid
// r_m = m h (m = 0..M, h = rc/M, from r = 0: sin(kr)/r → k there, so no pair falls below the grid)
// as the exact float64 W(r_m), W'(r_m) and W''(r_m), and evaluated per pair by the quintic Hermite
// interpolant on [r_m, r_m+1] (6 multiply-adds per output instead of a K-term sum). The reverse pass
// uses the derivative of the SAME interpolant, so forces remain the exact gradient of the energy the
// interpolated model computes (NVE conservation is unaffected). The interpolant differs from the
// exact filter by O(h⁶ max|W⁽⁶⁾|) in value and O(h⁵ max|W⁽⁶⁾|) in slope, |W⁽⁶⁾| ~ (Kπ/rc)⁶ |W| for
// the highest Bessel term: quintic rather than cubic Hermite because it reaches a 1e-10 slope error
// with a table ~7x smaller (measured in painnFilterTable.spec.ts).
//
// Layout of one block's table: node m at offset 3·F3·m holds [W(r_m) | h W'(r_m) | h² W''(r_m)]
// (F3 each), so the interval [r_m, r_m+1] is 6·F3 contiguous values T0..T5 and, with t = r/h - m,
//   W(r)     = H0 T0 + H1 T1 + H2 T2 + H5 T3 + H4 T4 + H3 T5        (Hq = Hq(t), quintic Hermite basis)
//   dW/dr(r) = (H0' T0 + H1' T1 + H2' T2 + H5' T3 + H4' T4 + H3' T5) / h
// (kernels/painn.ts tableFilters / messageBackward and the TypeScript loops of painnFast.ts).

/**
 * Default intervals on [0, rc]: M = max(512, 32 K), so the highest harmonic sin(Kπr/rc) advances at
 * most π/32 per interval (the error scales as that step to the 6th power in value, 5th in slope;
 * the floor keeps small-K models, where the cutoff's own frequency weighs in, as accurate). For the
 * default model (K = 16, F = 32, rc = 5 Å) M = 512: 1.18 MB per block; filter slope error ~1.3e-10
 * of its maximum, forces ~3e-10 relative to the exact path (painnFilterTable.spec.ts, painnFast.spec.ts).
 * 768 intervals were slower (1.77 MB per block: more cache misses), 256 no faster.
 */
export function defaultFilterTableIntervals(K: number): number {
  return Math.max(512, 32 * K);
}

export interface FilterCutoff {
  /** Cutoff radius rc, Å. */
  rcA: number;
  /** Polynomial envelope of degree p (DimeNet) instead of the cosine cutoff. */
  poly: boolean;
  p: number;
}

/** f_c(r), df_c/dr (per Å) and d²f_c/dr² (per Å²) of painn.ts's cutoff functions. */
export function cutoffDerivatives(r: number, c: FilterCutoff): [number, number, number] {
  const rc = c.rcA;
  if (!c.poly) {
    const k = Math.PI / rc, x = k * r;
    return [0.5 * (Math.cos(x) + 1), -0.5 * k * Math.sin(x), -0.5 * k * k * Math.cos(x)];
  }
  const p = c.p, pa = ((p + 1) * (p + 2)) / 2, pb = p * (p + 2), pc = (p * (p + 1)) / 2;
  const u = r / rc, up2 = u ** (p - 2), up1 = up2 * u, up = up1 * u;
  return [
    1 - pa * up + pb * up * u - pc * up * u * u,
    (-pa * p * up1 + pb * (p + 1) * up - pc * (p + 2) * up * u) / rc,
    (-pa * p * (p - 1) * up2 + pb * (p + 1) * p * up1 - pc * (p + 2) * (p + 1) * up) / (rc * rc),
  ];
}

/** sin(kr)/r and its first two r-derivatives; the Taylor series below kr = 0.5 (no cancellation, finite at r = 0). */
export function besselDerivatives(k: number, r: number): [number, number, number] {
  const x = k * r;
  if (x < 0.5) {
    // sin(x)/x = Σ_j (-1)^j x^2j / (2j+1)!, j ≤ 7 (next term < 1e-18)
    let b = 0, db = 0, ddb = 0, fact = 1;
    for (let j = 0; j <= 7; j++) {
      if (j > 0) fact *= 2 * j * (2 * j + 1);
      const sgn = j % 2 ? -1 : 1, m = 2 * j;
      b += (sgn * x ** m) / fact;
      if (j > 0) db += (sgn * m * x ** (m - 1)) / fact;
      if (j > 0) ddb += (sgn * m * (m - 1) * x ** (m - 2)) / fact;
    }
    return [k * b, k * k * db, k * k * k * ddb];
  }
  const b = Math.sin(x) / r, db = (k * Math.cos(x) - b) / r;
  return [b, db, -k * k * b - (2 * db) / r];
}

/** The exact filter W(r) [F3], dW/dr (per Å) and d²W/dr² (per Å²) into w, dw, ddw: fk [K, F3], fb [F3]. */
export function exactFilter(r: number, fk: Float64Array, fb: Float64Array, K: number, F3: number, c: FilterCutoff, w: Float64Array, dw: Float64Array, ddw: Float64Array): void {
  const [fc, dfc, ddfc] = cutoffDerivatives(r, c);
  for (let o = 0; o < F3; o++) {
    w[o] = fc * fb[o];
    dw[o] = dfc * fb[o];
    ddw[o] = ddfc * fb[o];
  }
  for (let n = 0; n < K; n++) {
    const [b, db, ddb] = besselDerivatives(((n + 1) * Math.PI) / c.rcA, r);
    const a = b * fc, da = db * fc + b * dfc, dda = ddb * fc + 2 * db * dfc + b * ddfc, row = n * F3;
    for (let o = 0; o < F3; o++) {
      const f = fk[row + o];
      w[o] += a * f;
      dw[o] += da * f;
      ddw[o] += dda * f;
    }
  }
}

/** One block's table [(M + 1) · 3 · F3] (layout above). */
export function buildFilterTable(fk: Float64Array, fb: Float64Array, K: number, F3: number, c: FilterCutoff, M: number = defaultFilterTableIntervals(K)): Float64Array {
  if (!Number.isInteger(M) || M < 1) throw new Error(`painn filter table: intervals must be a positive integer, got ${M}`);
  const h = c.rcA / M, tab = new Float64Array((M + 1) * 3 * F3);
  const w = new Float64Array(F3), dw = new Float64Array(F3), ddw = new Float64Array(F3);
  for (let m = 0; m <= M; m++) {
    exactFilter(m * h, fk, fb, K, F3, c, w, dw, ddw);
    const o0 = 3 * F3 * m;
    for (let o = 0; o < F3; o++) {
      tab[o0 + o] = w[o];
      tab[o0 + F3 + o] = h * dw[o];
      tab[o0 + 2 * F3 + o] = h * h * ddw[o];
    }
  }
  return tab;
}

/**
 * Interval m of r (clamped to [0, M-1], the same arithmetic as the kernels) and, into c, the Hermite
 * weights of t = r/h - m (hermiteWeights). Returns m.
 */
export function tableWeights(r: number, invH: number, M: number, c: Float64Array): number {
  const x = r * invH;
  const m = Math.min(Math.max(Math.floor(x), 0), M - 1);
  hermiteWeights(x - m, invH, c);
  return m;
}

/**
 * The weights of T0..T5 for t into c[0..5] (H0, H1, H2, H5, H4, H3) and their t-derivatives / h
 * into c[6..11]; the kernels use the same expressions.
 */
export function hermiteWeights(t: number, invH: number, c: Float64Array): void {
  const t2 = t * t, t3 = t2 * t;
  const u = t3 * (10 - 15 * t + 6 * t2); // H5 = 10t³ - 15t⁴ + 6t⁵
  c[0] = 1 - u;
  c[1] = t - t3 * (6 - 8 * t + 3 * t2);
  c[2] = 0.5 * t2 * (1 - 3 * t + 3 * t2 - t3);
  c[3] = u;
  c[4] = -t3 * (4 - 7 * t + 3 * t2);
  c[5] = 0.5 * t3 * (1 - 2 * t + t2);
  const du = 30 * t2 * (1 - 2 * t + t2) * invH; // H5'
  c[6] = -du;
  c[7] = (1 - t2 * (18 - 32 * t + 15 * t2)) * invH;
  c[8] = t * (1 - 4.5 * t + 6 * t2 - 2.5 * t3) * invH;
  c[9] = du;
  c[10] = -t2 * (12 - 28 * t + 15 * t2) * invH;
  c[11] = t2 * (1.5 - 4 * t + 2.5 * t2) * invH;
}

/** The interpolated W(r) into w [F3] and dW/dr into dw (null: not wanted), from `tab` of M intervals on [0, rc]. */
export function interpolateFilter(tab: Float64Array, F3: number, M: number, rcA: number, r: number, w: Float64Array, dw: Float64Array | null): void {
  const c = new Float64Array(12);
  const b = 3 * F3 * tableWeights(r, M / rcA, M, c);
  for (let o = 0; o < F3; o++) {
    let a = 0, d = 0;
    for (let q = 0; q < 6; q++) {
      const v = tab[b + q * F3 + o];
      a += c[q] * v;
      d += c[6 + q] * v;
    }
    w[o] = a;
    if (dw) dw[o] = d;
  }
}
