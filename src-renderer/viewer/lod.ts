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
  return { sphereDetail: 1, cylinderSegments: 5 };
}

/** Triangles of IcosahedronGeometry(r, detail). */
export function icosahedronTriangles(detail: number): number {
  return 20 * (detail + 1) * (detail + 1);
}
