// Picking by ray casting against the atoms as exact spheres (analytic ray-sphere test over
// the drawn centres and radii). O(N) with a few flops per atom: well under a millisecond for
// 10k atoms, and exact where a tessellated mesh would be approximate. No allocation.
// Bonds and arrows are not pickable (a click on a bond picks the atom behind it, if any).
import { symbolOf } from '../../src-shared/atoms/elements';
import type { PickInfo, ViewStructure } from './types';

/** What a click on atom `index` reports: raw (unwrapped) position, force and column values. */
export function pickInfoOf(s: ViewStructure, index: number): PickInfo | null {
  if (!(index >= 0 && index < s.numbers.length)) return null;
  const p = s.positionsA;
  const f = s.forcesEvPerA;
  const columns: Record<string, number> = {};
  for (const [name, col] of Object.entries(s.columns ?? {})) columns[name] = col[index];
  return {
    index,
    symbol: symbolOf(s.numbers[index]),
    positionA: [p[3 * index], p[3 * index + 1], p[3 * index + 2]],
    forceEvPerA: f && f.length >= 3 * (index + 1) ? [f[3 * index], f[3 * index + 1], f[3 * index + 2]] : null,
    columns,
  };
}

/**
 * Index of the sphere the ray hits first, or -1.
 * @param origin ray origin (x, y, z)
 * @param dir unit ray direction
 * @param centersA [3N] sphere centres, Å
 * @param radiiA [N] radii, Å
 */
export function pickSphere(
  ox: number,
  oy: number,
  oz: number,
  dx: number,
  dy: number,
  dz: number,
  centersA: ArrayLike<number>,
  radiiA: ArrayLike<number>,
  n: number,
): number {
  let best = -1;
  let bestT = Infinity;
  for (let a = 0; a < n; a++) {
    const cx = centersA[3 * a] - ox;
    const cy = centersA[3 * a + 1] - oy;
    const cz = centersA[3 * a + 2] - oz;
    const r = radiiA[a];
    const tca = cx * dx + cy * dy + cz * dz;
    if (tca + r < 0) continue; // entirely behind the origin
    const d2 = cx * cx + cy * cy + cz * cz - tca * tca;
    const r2 = r * r;
    if (d2 > r2) continue;
    const thc = Math.sqrt(r2 - d2);
    let t = tca - thc;
    if (t < 0) t = tca + thc; // origin inside the sphere
    if (t >= 0 && t < bestT) {
      bestT = t;
      best = a;
    }
  }
  return best;
}
