// The viewer's instanced meshes (atoms, bond halves, arrow shafts and heads) and their shared
// geometries, sized by capacity: a new structure reuses meshes that are big enough (and not
// grossly oversized), geometries follow the level of detail for the atom count, and the bond
// mesh grows with headroom when a frame has more bonds. Everything lives in one Group.
import { Group, InstancedMesh } from 'three';
import { meshDetail } from './lod';
import { disposeGeometries, type Geometries, makeGeometries, makeInstanced, type Materials } from './sceneParts';

const KEYS = ['atoms', 'bonds', 'shafts', 'heads'] as const;
type Key = (typeof KEYS)[number];

export class MeshSet {
  readonly group = new Group();
  atoms: InstancedMesh | null = null;
  bonds: InstancedMesh | null = null;
  shafts: InstancedMesh | null = null;
  heads: InstancedMesh | null = null;
  private geometries: Geometries | null = null;

  constructor(private readonly materials: Materials) {}

  /** Meshes for n atoms at the level of detail for n (reused when they fit). */
  prepare(n: number): void {
    const detail = meshDetail(n);
    let g = this.geometries;
    if (!g || g.sphereDetail !== detail.sphereDetail || g.cylinderSegments !== detail.cylinderSegments) {
      const old = g;
      g = this.geometries = makeGeometries(detail.sphereDetail, detail.cylinderSegments);
      for (const key of KEYS) this.replace(key, null);
      if (old) disposeGeometries(old);
    }
    const m = this.materials;
    if (!fits(this.atoms, n)) this.replace('atoms', makeInstanced(g.sphere, m.atoms, n, true));
    if (!fits(this.shafts, n)) this.replace('shafts', makeInstanced(g.cylinder, m.arrows, n, false));
    if (!fits(this.heads, n)) this.replace('heads', makeInstanced(g.cone, m.arrows, n, false));
    if (!this.bonds) this.replace('bonds', makeInstanced(g.tube, m.bonds, 4 * n, true));
  }

  /** Bond mesh with room for `halves` instances (grows by 30 %). */
  bondMesh(halves: number): InstancedMesh {
    if (!this.bonds || this.bonds.instanceMatrix.count < halves) {
      const cap = Math.ceil(halves * 1.3) + 64;
      this.replace('bonds', makeInstanced(this.geometries!.tube, this.materials.bonds, cap, true));
    }
    return this.bonds!;
  }

  dispose(): void {
    for (const key of KEYS) this.replace(key, null);
    if (this.geometries) disposeGeometries(this.geometries);
    this.geometries = null;
  }

  private replace(key: Key, mesh: InstancedMesh | null): void {
    const old = this[key];
    if (old) {
      this.group.remove(old);
      old.dispose();
    }
    this[key] = mesh;
    if (mesh) this.group.add(mesh);
  }
}

/** Big enough for `need` instances and not more than 4x too big. */
function fits(m: InstancedMesh | null, need: number): boolean {
  return m !== null && m.instanceMatrix.count >= need && m.instanceMatrix.count <= 4 * need + 64;
}
