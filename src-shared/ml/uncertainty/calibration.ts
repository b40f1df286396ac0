// Calibration of uncertainty scores against observed errors (GUIDE §6.10: "uncertainty thresholds
// that do not transfer: calibrate on validation data and show the curve").
//
// A score (committee spread, descriptor distance) only means something next to the errors it goes
// with. On held-out validation atoms we record
//   - thresholds: the 95th / 99th percentiles of the score (so "above p99" flags about 1 % of
//     in-distribution atoms by construction, whatever the score's units);
//   - the calibration curve: atoms binned by score into equal-count bins, with the mean and RMS of
//     the error in each bin (errors should grow with the score; Tran et al., Mach. Learn.: Sci.
//     Technol. 1, 025006 (2020) and Musil et al., J. Chem. Theory Comput. 15, 906 (2019) use the
//     same binned view);
//   - Spearman's rank correlation between score and error (1 = perfectly ordered).
// Shared histograms put two sets (reference, new data) on one set of bin edges for side-by-side plots.

/** Value at quantile p in [0, 1] of an ascending array (linear interpolation, numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const x = Math.min(Math.max(p, 0), 1) * (n - 1);
  const lo = Math.floor(x), hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (x - lo) * (sorted[hi] - sorted[lo]);
}

/** Ascending Float64Array copy of the finite values. */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let k = 0; k < values.length; k++) if (Number.isFinite(values[k])) out.push(values[k]);
  return Float64Array.from(out).sort();
}

export interface Thresholds {
  /** Values the thresholds were computed from. */
  count: number;
  median: number;
  p95: number;
  p99: number;
}

export function percentileThresholds(values: ArrayLike<number>): Thresholds {
  const s = sortedFinite(values);
  return { count: s.length, median: quantileSorted(s, 0.5), p95: quantileSorted(s, 0.95), p99: quantileSorted(s, 0.99) };
}

/** Fraction of finite values strictly above `threshold` (0 when empty). */
export function fractionAbove(values: ArrayLike<number>, threshold: number): number {
  let n = 0, above = 0;
  for (let k = 0; k < values.length; k++) {
    if (!Number.isFinite(values[k])) continue;
    n++;
    if (values[k] > threshold) above++;
  }
  return n ? above / n : 0;
}

/** Average ranks (ties share their mean rank), 0-based. */
function ranks(v: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: v.length }, (_, k) => k).sort((a, b) => v[a] - v[b]);
  const r = new Float64Array(v.length);
  for (let s = 0; s < idx.length; ) {
    let e = s;
    while (e + 1 < idx.length && v[idx[e + 1]] === v[idx[s]]) e++;
    for (let q = s; q <= e; q++) r[idx[q]] = (s + e) / 2;
    s = e + 1;
  }
  return r;
}

/** Spearman's rank correlation of two equally long arrays (NaN when fewer than 3 pairs or constant). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  if (n < 3) return NaN;
  const ra = ranks(Array.prototype.slice.call(a, 0, n) as number[]), rb = ranks(Array.prototype.slice.call(b, 0, n) as number[]);
  let ma = 0, mb = 0;
  for (let k = 0; k < n; k++) {
    ma += ra[k];
    mb += rb[k];
  }
  ma /= n;
  mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let k = 0; k < n; k++) {
    const x = ra[k] - ma, y = rb[k] - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

export interface CalibrationCurve {
  /** [bins + 1] score bin edges (equal-count bins over the validation atoms). */
  scoreEdges: number[];
  /** [bins] mean score, mean error, RMS error and count per bin. */
  scoreMean: number[];
  errorMean: number[];
  errorRmse: number[];
  count: number[];
  /** Spearman rank correlation between score and error over all pairs. */
  spearman: number;
  /** Mean error of the top-score bin over the bottom-score bin (> 1 when errors grow with the score). */
  topOverBottom: number;
}

/**
 * Bin (score, error) pairs into `bins` equal-count bins by score; mean and RMS error per bin.
 * Pairs with a non-finite score or error are skipped.
 */
export function calibrationCurve(scores: ArrayLike<number>, errors: ArrayLike<number>, bins = 10): CalibrationCurve {
  const idx: number[] = [];
  for (let k = 0; k < Math.min(scores.length, errors.length); k++) if (Number.isFinite(scores[k]) && Number.isFinite(errors[k])) idx.push(k);
  idx.sort((a, b) => scores[a] - scores[b]);
  const n = idx.length;
  const nb = Math.max(1, Math.min(bins, n));
  const c: CalibrationCurve = { scoreEdges: [], scoreMean: [], errorMean: [], errorRmse: [], count: [], spearman: NaN, topOverBottom: NaN };
  if (n === 0) return c;
  for (let b = 0; b < nb; b++) {
    const s = Math.floor((b * n) / nb), e = Math.floor(((b + 1) * n) / nb);
    let ss = 0, se = 0, se2 = 0;
    for (let q = s; q < e; q++) {
      ss += scores[idx[q]];
      se += errors[idx[q]];
      se2 += errors[idx[q]] ** 2;
    }
    const m = Math.max(1, e - s);
    c.scoreEdges.push(scores[idx[s]]);
    c.scoreMean.push(ss / m);
    c.errorMean.push(se / m);
    c.errorRmse.push(Math.sqrt(se2 / m));
    c.count.push(e - s);
  }
  c.scoreEdges.push(scores[idx[n - 1]]);
  c.spearman = spearman(idx.map((k) => scores[k]), idx.map((k) => errors[k]));
  c.topOverBottom = c.errorMean[0] > 0 ? c.errorMean[nb - 1] / c.errorMean[0] : NaN;
  return c;
}

export interface SharedHistogram {
  /** [bins + 1] common edges. */
  edges: number[];
  /** Per set: [bins] counts (values beyond the edges go into the first / last bin). */
  counts: Record<string, number[]>;
  /** Per set: [bins] counts / total (sets of different size compare directly). */
  fractions: Record<string, number[]>;
  /** Per set: values clipped into the end bins. */
  clipped: Record<string, number>;
}

/**
 * Histograms of several sets on common edges: [lo, hi] from the union's `clip` and `1 - clip`
 * quantiles (default: min to max), `bins` equal bins; `symmetric` centres the range on 0 (signed errors).
 */
export function sharedHistogram(sets: Record<string, ArrayLike<number>>, opts: { bins?: number; clipQuantile?: number; symmetric?: boolean; lo?: number } = {}): SharedHistogram {
  const bins = Math.max(1, opts.bins ?? 30);
  const all: number[] = [];
  for (const v of Object.values(sets)) for (let k = 0; k < v.length; k++) if (Number.isFinite(v[k])) all.push(v[k]);
  const sorted = Float64Array.from(all).sort();
  const q = opts.clipQuantile ?? 0;
  let lo = sorted.length ? quantileSorted(sorted, q) : 0, hi = sorted.length ? quantileSorted(sorted, 1 - q) : 1;
  if (opts.symmetric) {
    const m = Math.max(Math.abs(lo), Math.abs(hi));
    lo = -m;
    hi = m;
  }
  if (opts.lo !== undefined) lo = opts.lo;
  if (!(hi > lo)) hi = lo + (Math.abs(lo) > 0 ? Math.abs(lo) * 1e-3 : 1);
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, k) => lo + k * width);
  const h: SharedHistogram = { edges, counts: {}, fractions: {}, clipped: {} };
  for (const [name, v] of Object.entries(sets)) {
    const counts = new Array<number>(bins).fill(0);
    let total = 0, clipped = 0;
    for (let k = 0; k < v.length; k++) {
      const x = v[k];
      if (!Number.isFinite(x)) continue;
      let b = Math.floor((x - lo) / width);
      if (b < 0 || b >= bins) {
        clipped += x === hi ? 0 : 1;
        b = b < 0 ? 0 : bins - 1;
      }
      counts[b]++;
      total++;
    }
    h.counts[name] = counts;
    h.fractions[name] = counts.map((c) => (total ? c / total : 0));
    h.clipped[name] = clipped;
  }
  return h;
}
