// Small statistics for time series from simulations: ordinary least-squares lines with standard
// errors, and the standard error of a mean of correlated data by block averaging.
//
// Least squares (e.g. Draper & Smith, "Applied Regression Analysis", ch. 1): for y = a + b x,
// b = Sxy / Sxx, a = ȳ − b x̄, residual variance s² = Σ r² / (n − 2), SE(b) = s / √Sxx,
// SE(a) = s √(1/n + x̄²/Sxx). These assume independent residuals; MD series are autocorrelated,
// which makes the true uncertainty larger by about √g, g the statistical inefficiency of the
// residuals (Allen & Tildesley, "Computer Simulation of Liquids", 2nd ed., §8.4).
//
// Block averaging (Flyvbjerg & Petersen, J. Chem. Phys. 91, 461 (1989)): repeatedly average
// neighbouring pairs; the naive standard error of the mean of the blocked series grows with the
// block length until blocks are longer than the correlation time, then plateaus at the true
// standard error. We take the largest estimate over levels that still have >= minBlocks blocks
// (a conservative reading of the plateau).

export interface LinearFit {
  slope: number;
  intercept: number;
  /** OLS standard error of the slope (independent residuals assumed). */
  slopeStdErr: number;
  interceptStdErr: number;
  /** √(Σ r² / n): RMS of the residuals about the line. */
  residualRms: number;
  n: number;
}

/** Ordinary least-squares line through (x, y). Needs n >= 3 and x not all equal. */
export function linearFit(x: ArrayLike<number>, y: ArrayLike<number>, from = 0, to = x.length): LinearFit {
  const n = to - from;
  if (n < 3) throw new Error(`linearFit: need at least 3 points, got ${n}`);
  if (y.length < to) throw new Error('linearFit: y is shorter than x');
  let mx = 0, my = 0;
  for (let k = from; k < to; k++) {
    mx += x[k];
    my += y[k];
  }
  mx /= n;
  my /= n;
  let sxx = 0, sxy = 0;
  for (let k = from; k < to; k++) {
    const dx = x[k] - mx;
    sxx += dx * dx;
    sxy += dx * (y[k] - my);
  }
  if (!(sxx > 0)) throw new Error('linearFit: x values are all equal');
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let ss = 0;
  for (let k = from; k < to; k++) {
    const r = y[k] - intercept - slope * x[k];
    ss += r * r;
  }
  const s2 = ss / (n - 2);
  return {
    slope,
    intercept,
    slopeStdErr: Math.sqrt(s2 / sxx),
    interceptStdErr: Math.sqrt(s2 * (1 / n + (mx * mx) / sxx)),
    residualRms: Math.sqrt(ss / n),
    n,
  };
}

export interface MeanEstimate {
  mean: number;
  /** Sample variance (n − 1 denominator). */
  variance: number;
  /** Standard error of the mean from block averaging (>= the naive √(var/n)). */
  stdErr: number;
  /** Statistical inefficiency g = n SE² / var (1 for uncorrelated data). */
  inefficiency: number;
  n: number;
}

/**
 * Mean of a correlated series with its block-averaged standard error (Flyvbjerg-Petersen).
 * `minBlocks` (default 16) bounds the coarsest level used.
 */
export function blockAverage(values: ArrayLike<number>, minBlocks = 16): MeanEstimate {
  const n = values.length;
  if (n < 2) throw new Error('blockAverage: need at least 2 values');
  let mean = 0;
  for (let k = 0; k < n; k++) mean += values[k];
  mean /= n;
  let variance = 0;
  for (let k = 0; k < n; k++) variance += (values[k] - mean) ** 2;
  variance /= n - 1;
  let b = Float64Array.from(values as ArrayLike<number>);
  let m = n;
  let se2 = variance / n;
  while (m >= 2 * minBlocks) {
    const h = m >> 1;
    const next = new Float64Array(h);
    for (let k = 0; k < h; k++) next[k] = 0.5 * (b[2 * k] + b[2 * k + 1]);
    b = next;
    m = h;
    let bm = 0;
    for (let k = 0; k < m; k++) bm += b[k];
    bm /= m;
    let v = 0;
    for (let k = 0; k < m; k++) v += (b[k] - bm) ** 2;
    const est = v / (m - 1) / m;
    if (est > se2) se2 = est;
  }
  return {
    mean,
    variance,
    stdErr: Math.sqrt(se2),
    inefficiency: variance > 0 ? (n * se2) / variance : 1,
    n,
  };
}
