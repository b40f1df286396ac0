// Colour scales for per-atom scalars: the value range shown in the legend and the per-atom
// colours written into the instance colour buffer. Magnitudes (|F|) use viridis from 0 to max;
// columns that change sign use coolwarm on a range symmetric about 0, so white means zero.
import type { ColormapName } from './colormaps';
import { sampleColormapLinear } from './colormaps';

export interface ScalarScale {
  min: number;
  max: number;
  colormap: ColormapName;
}

/** Finite min and max of values[0..n), or null when there is none. */
export function finiteRange(values: ArrayLike<number>, n: number): { min: number; max: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < n; k++) {
    const v = values[k];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : null;
}

/** out[a] = |F_a| for n atoms. */
export function forceMagnitudes(out: Float32Array, forcesEvPerA: ArrayLike<number>, n: number): void {
  for (let a = 0; a < n; a++) {
    const fx = forcesEvPerA[3 * a];
    const fy = forcesEvPerA[3 * a + 1];
    const fz = forcesEvPerA[3 * a + 2];
    out[a] = Math.sqrt(fx * fx + fy * fy + fz * fz);
  }
}

/**
 * Scale for a set of values. kind 'magnitude': [0, max] viridis. kind 'signed': coolwarm on
 * [-m, m] (m = max |v|) when values change sign, otherwise viridis on [min, max]. A degenerate
 * range is widened so that every value maps to the middle of the map.
 */
export function scalarScale(
  values: ArrayLike<number>,
  n: number,
  kind: 'magnitude' | 'signed',
): ScalarScale | null {
  const r = finiteRange(values, n);
  if (!r) return null;
  if (kind === 'magnitude') {
    const max = r.max > 0 ? r.max : 1;
    return { min: 0, max, colormap: 'viridis' };
  }
  if (r.min < 0 && r.max > 0) {
    const m = Math.max(-r.min, r.max);
    return { min: -m, max: m, colormap: 'coolwarm' };
  }
  if (r.max - r.min <= 1e-12 * Math.max(1, Math.abs(r.max))) {
    const h = Math.abs(r.max) > 0 ? Math.abs(r.max) * 0.5 : 0.5;
    return { min: r.min - h, max: r.max + h, colormap: 'viridis' };
  }
  return { min: r.min, max: r.max, colormap: 'viridis' };
}

/** Writes linear RGB of each value under the scale into out [3N]; non-finite -> grey. */
export function colorizeScalars(
  out: Float32Array,
  values: ArrayLike<number>,
  n: number,
  scale: ScalarScale,
): void {
  const span = scale.max - scale.min;
  const inv = span > 0 ? 1 / span : 0;
  for (let a = 0; a < n; a++) {
    const v = values[a];
    if (Number.isFinite(v)) {
      sampleColormapLinear(scale.colormap, (v - scale.min) * inv, out, 3 * a);
    } else {
      out[3 * a] = out[3 * a + 1] = out[3 * a + 2] = 0.2;
    }
  }
}
