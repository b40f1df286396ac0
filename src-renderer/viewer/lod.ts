// Level of detail by atom count: how finely spheres and cylinders are tessellated so that a
// 10,000-atom structure stays interactive while a small molecule still looks round.
// IcosahedronGeometry(1, d) has 20 (d + 1)^2 triangles (three.js >= r125 subdivision).

export interface MeshDetail {
  /** IcosahedronGeometry detail for atoms. */
  sphereDetail: number;
  /** Radial segments of bond cylinders and force arrows. */
  cylinderSegments: number;
}

export function meshDetail(atomCount: number): MeshDetail {
  if (atomCount <= 500) return { sphereDetail: 5, cylinderSegments: 16 };
  if (atomCount <= 2000) return { sphereDetail: 3, cylinderSegments: 10 };
  if (atomCount <= 20000) return { sphereDetail: 2, cylinderSegments: 7 };
  if (atomCount <= 50000) return { sphereDetail: 1, cylinderSegments: 5 };
  return { sphereDetail: 0, cylinderSegments: 5 };
}

/**
 * Above this many atoms bonds are not drawn (the viewer shows a note saying so): at 100,000 atoms
 * a crystal has ~600,000 bond halves, more triangles than the atoms themselves, and at that size
 * single bonds are not visible anyway. The cell-list bond search itself is O(N).
 */
export const BONDS_MAX_ATOMS = 20000;

/** The note shown over the view when level of detail drops something, or null. */
export function lodNote(atomCount: number, bondsWanted: boolean): string | null {
  const parts: string[] = [];
  if (bondsWanted && atomCount > BONDS_MAX_ATOMS) parts.push(`bonds hidden above ${BONDS_MAX_ATOMS.toLocaleString('en-US')} atoms`);
  if (meshDetail(atomCount).sphereDetail <= 1) parts.push('coarse spheres');
  return parts.length ? `${atomCount.toLocaleString('en-US')} atoms: ${parts.join(', ')} (level of detail)` : null;
}

/** Triangles of IcosahedronGeometry(r, detail). */
export function icosahedronTriangles(detail: number): number {
  return 20 * (detail + 1) * (detail + 1);
}
