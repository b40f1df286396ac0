// Camera framing: the bounding sphere of the atoms (with their radii) and the cell corners,
// and the distance at which a perspective camera with a given field of view sees all of it.

export interface BoundingSphere {
  center: [number, number, number];
  radius: number;
}

/**
 * Sphere around the bounding box of the atoms (padded by padA) and the 8 cell corners.
 * @param positionsA [3N] Å
 */
export function boundingSphere(
  positionsA: ArrayLike<number>,
  n: number,
  cellA: ArrayLike<number> | null,
  padA = 0,
): BoundingSphere {
  let x0 = Infinity, y0 = Infinity, z0 = Infinity;
  let x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
  const add = (x: number, y: number, z: number, pad: number) => {
    if (!Number.isFinite(x + y + z)) return;
    x0 = Math.min(x0, x - pad); y0 = Math.min(y0, y - pad); z0 = Math.min(z0, z - pad);
    x1 = Math.max(x1, x + pad); y1 = Math.max(y1, y + pad); z1 = Math.max(z1, z + pad);
  };
  for (let a = 0; a < n; a++) add(positionsA[3 * a], positionsA[3 * a + 1], positionsA[3 * a + 2], padA);
  if (cellA) {
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++)
        for (let k = 0; k < 2; k++)
          add(
            i * cellA[0] + j * cellA[3] + k * cellA[6],
            i * cellA[1] + j * cellA[4] + k * cellA[7],
            i * cellA[2] + j * cellA[5] + k * cellA[8],
            0,
          );
  }
  if (!(x0 <= x1)) return { center: [0, 0, 0], radius: 1 };
  const center: [number, number, number] = [(x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2];
  const radius = Math.max(0.5, 0.5 * Math.hypot(x1 - x0, y1 - y0, z1 - z0));
  return { center, radius };
}

/**
 * Camera distance from the sphere centre at which the sphere fits the view (margin < 1 crops
 * slightly: the bounding sphere of a box is loose, the box itself still fits).
 * @param fovDeg vertical field of view, degrees
 * @param aspect width / height
 */
export function fitDistance(radius: number, fovDeg: number, aspect: number, margin = 0.95): number {
  const vHalf = (fovDeg * Math.PI) / 360;
  const hHalf = Math.atan(Math.tan(vHalf) * Math.max(aspect, 1e-3));
  const half = Math.min(vHalf, hHalf);
  return (margin * radius) / Math.sin(half);
}

/** Default viewing direction (unit vector from the centre towards the camera). */
export const DEFAULT_VIEW_DIR: readonly [number, number, number] = (() => {
  const v = [0.42, 0.3, 1];
  const l = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / l, v[1] / l, v[2] / l] as const;
})();
