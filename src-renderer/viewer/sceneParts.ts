// three.js building blocks of the viewer: shared geometries per level of detail, materials,
// lights (hemisphere + a key light that follows the camera), capacity-sized InstancedMeshes
// with per-instance colour, and the unit-cell line segments (a, b, c in axis colours).
import {
  BackSide,
  DoubleSide,
  BufferAttribute,
  BufferGeometry,
  ConeGeometry,
  CylinderGeometry,
  DirectionalLight,
  DynamicDrawUsage,
  HemisphereLight,
  IcosahedronGeometry,
  InstancedBufferAttribute,
  InstancedMesh,
  LineBasicMaterial,
  LineSegments,
  Material,
  Mesh,
  MeshBasicMaterial,
  MeshStandardMaterial,
  Object3D,
  PerspectiveCamera,
  SphereGeometry,
} from 'three';
import { hexToLinear } from './colormaps';

export interface Geometries {
  sphere: BufferGeometry;
  /** Open tube for bonds (its ends sit inside atoms or against the other half). */
  tube: BufferGeometry;
  /** Closed cylinder for arrow shafts. */
  cylinder: BufferGeometry;
  cone: BufferGeometry;
  sphereDetail: number;
  cylinderSegments: number;
}

/** Unit sphere, and unit tube / cylinder / cone with the axis from y = 0 to y = 1. */
export function makeGeometries(sphereDetail: number, cylinderSegments: number): Geometries {
  const tube = new CylinderGeometry(1, 1, 1, cylinderSegments, 1, true);
  tube.translate(0, 0.5, 0);
  const cylinder = new CylinderGeometry(1, 1, 1, cylinderSegments, 1, false);
  cylinder.translate(0, 0.5, 0);
  const cone = new ConeGeometry(1, 1, cylinderSegments, 1, false);
  cone.translate(0, 0.5, 0);
  return {
    sphere: new IcosahedronGeometry(1, sphereDetail),
    tube,
    cylinder,
    cone,
    sphereDetail,
    cylinderSegments,
  };
}

export function disposeGeometries(g: Geometries): void {
  g.sphere.dispose();
  g.tube.dispose();
  g.cylinder.dispose();
  g.cone.dispose();
}

export interface Materials {
  atoms: MeshStandardMaterial;
  bonds: MeshStandardMaterial;
  arrows: MeshStandardMaterial;
  cell: LineBasicMaterial;
  highlight: MeshBasicMaterial;
}

export function makeMaterials(): Materials {
  return {
    atoms: new MeshStandardMaterial({ color: 0xffffff, roughness: 0.42, metalness: 0.0 }),
    bonds: new MeshStandardMaterial({ color: 0xffffff, roughness: 0.5, metalness: 0.0, side: DoubleSide }),
    arrows: new MeshStandardMaterial({ color: 0xd7263d, roughness: 0.45, metalness: 0.0 }),
    cell: new LineBasicMaterial({ vertexColors: true }),
    highlight: new MeshBasicMaterial({
      color: 0xffb300,
      side: BackSide,
      transparent: true,
      opacity: 0.85,
      depthWrite: false,
    }),
  };
}

export function disposeMaterials(m: Materials): void {
  for (const mat of Object.values(m) as Material[]) mat.dispose();
}

/** Hemisphere fill in the scene and a key light that moves with the camera. */
export function addLights(scene: Object3D, camera: PerspectiveCamera): void {
  scene.add(new HemisphereLight(0xffffff, 0x8a8f99, 1.6));
  const key = new DirectionalLight(0xffffff, 1.9);
  key.position.set(0.6, 1.0, 1.2);
  const target = new Object3D();
  target.position.set(0, 0, -1);
  camera.add(key);
  camera.add(target);
  key.target = target;
}

/**
 * InstancedMesh with room for `capacity` instances, dynamic matrices, and (when `withColor`)
 * a per-instance colour attribute; count starts at 0. Frustum culling is off because the
 * instances move every frame and three caches the bounding sphere.
 */
export function makeInstanced(
  geometry: BufferGeometry,
  material: Material,
  capacity: number,
  withColor: boolean,
): InstancedMesh {
  const mesh = new InstancedMesh(geometry, material, Math.max(1, capacity));
  mesh.instanceMatrix.setUsage(DynamicDrawUsage);
  if (withColor) {
    mesh.instanceColor = new InstancedBufferAttribute(new Float32Array(3 * Math.max(1, capacity)), 3);
    mesh.instanceColor.setUsage(DynamicDrawUsage);
  }
  mesh.count = 0;
  mesh.frustumCulled = false;
  return mesh;
}

/** Marks the first `count` instances for upload (matrices and colours). */
export function markInstancesDirty(mesh: InstancedMesh, count: number, colors: boolean): void {
  mesh.count = count;
  const m = mesh.instanceMatrix;
  m.clearUpdateRanges();
  m.addUpdateRange(0, 16 * count);
  m.needsUpdate = true;
  if (colors && mesh.instanceColor) {
    const c = mesh.instanceColor;
    c.clearUpdateRanges();
    c.addUpdateRange(0, 3 * count);
    c.needsUpdate = true;
  }
}

const AXIS_COLORS = [0xd62728, 0x2ca02c, 0x1f77b4];

/** Cell outline: 12 segments (24 vertices), a/b/c from the origin in red/green/blue. */
export function makeCellLines(material: LineBasicMaterial, edgeHex: number): LineSegments {
  const geometry = new BufferGeometry();
  const pos = new BufferAttribute(new Float32Array(72), 3);
  pos.setUsage(DynamicDrawUsage);
  geometry.setAttribute('position', pos);
  const col = new Float32Array(72);
  for (let v = 0; v < 24; v++) hexToLinear(v < 6 ? AXIS_COLORS[v >> 1] : edgeHex, col, 3 * v);
  geometry.setAttribute('color', new BufferAttribute(col, 3));
  const lines = new LineSegments(geometry, material);
  lines.frustumCulled = false;
  return lines;
}

/** Halo drawn around the picked atom (back faces of a slightly larger sphere). */
export function makeHighlight(material: MeshBasicMaterial): Mesh {
  const mesh = new Mesh(new SphereGeometry(1, 32, 16), material);
  mesh.visible = false;
  mesh.renderOrder = 1;
  return mesh;
}
