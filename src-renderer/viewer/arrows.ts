// Force-arrow geometry: each arrow starts at the atom's surface and points along F with length
// |F| * aPerEvPerA (Å per eV/Å), drawn as a shaft (cylinder) and a head (cone) instance.
// The automatic scale maps the largest force to `targetMaxLengthA`, so the legend reads
// "L Å = L / aPerEvPerA eV/Å".
import { writeSegmentMatrix } from './instanceMath';

export interface ArrowStyle {
  /** Shaft radius, Å. */
  shaftRadiusA: number;
  /** Head radius / shaft radius. */
  headRadiusRatio: number;
  /** Head length at most this many shaft radii ... */
  headLengthRadii: number;
  /** ... and at most this fraction of the arrow. */
  headLengthFraction: number;
  /** Arrows shorter than this are not drawn, Å. */
  minLengthA: number;
}

export const DEFAULT_ARROW_STYLE: ArrowStyle = {
  shaftRadiusA: 0.07,
  headRadiusRatio: 2.2,
  headLengthRadii: 4,
  headLengthFraction: 0.45,
  minLengthA: 0.05,
};

/** Largest |F| over n atoms, eV/Å (0 when none or not finite). */
export function maxForceNorm(forcesEvPerA: ArrayLike<number>, n: number): number {
  let m2 = 0;
  for (let a = 0; a < n; a++) {
    const fx = forcesEvPerA[3 * a];
    const fy = forcesEvPerA[3 * a + 1];
    const fz = forcesEvPerA[3 * a + 2];
    const f2 = fx * fx + fy * fy + fz * fz;
    if (f2 > m2 && Number.isFinite(f2)) m2 = f2;
  }
  return Math.sqrt(m2);
}

/** Å per eV/Å such that the largest force gives an arrow of targetMaxLengthA (1 when no force). */
export function autoArrowScale(maxForceEvPerA: number, targetMaxLengthA = 1.5): number {
  return maxForceEvPerA > 1e-12 ? targetMaxLengthA / maxForceEvPerA : 1;
}

/**
 * Writes shaft and head matrices of the arrows for n atoms; arrows below style.minLengthA are
 * skipped, so instance k of both buffers belongs to the k-th drawn arrow.
 * @param centersA [3N] drawn atom centres, Å
 * @param radiiA [N] drawn atom radii, Å (arrows start at the surface)
 * @returns number of arrows written
 */
export function writeArrowMatrices(
  shafts: Float32Array,
  heads: Float32Array,
  centersA: ArrayLike<number>,
  radiiA: ArrayLike<number>,
  forcesEvPerA: ArrayLike<number>,
  n: number,
  aPerEvPerA: number,
  style: ArrowStyle = DEFAULT_ARROW_STYLE,
): number {
  let k = 0;
  const rs = style.shaftRadiusA;
  const rh = rs * style.headRadiusRatio;
  for (let a = 0; a < n; a++) {
    const fx = forcesEvPerA[3 * a];
    const fy = forcesEvPerA[3 * a + 1];
    const fz = forcesEvPerA[3 * a + 2];
    const f = Math.sqrt(fx * fx + fy * fy + fz * fz);
    const len = f * aPerEvPerA;
    if (!(len >= style.minLengthA)) continue;
    const ux = fx / f;
    const uy = fy / f;
    const uz = fz / f;
    const r0 = radiiA[a];
    const sx = centersA[3 * a] + ux * r0;
    const sy = centersA[3 * a + 1] + uy * r0;
    const sz = centersA[3 * a + 2] + uz * r0;
    const head = Math.min(style.headLengthRadii * rs, style.headLengthFraction * len);
    const rHead = Math.min(rh, 0.5 * head); // short arrows get slimmer heads, not flat discs
    const mx = sx + ux * (len - head);
    const my = sy + uy * (len - head);
    const mz = sz + uz * (len - head);
    writeSegmentMatrix(shafts, 16 * k, sx, sy, sz, mx, my, mz, rs);
    writeSegmentMatrix(heads, 16 * k, mx, my, mz, sx + ux * len, sy + uy * len, sz + uz * len, rHead);
    k++;
  }
  return k;
}
