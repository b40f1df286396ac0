// StructureViewer: a plain three.js viewer for atomic structures (no Vue inside).
// Atoms are one InstancedMesh of low-poly spheres, bonds one InstancedMesh of half-cylinders
// (found with a cell list), force arrows two InstancedMeshes (shafts, heads), the cell a
// LineSegments. Rendering happens on demand (a change schedules one animation frame), so an
// idle viewer uses no CPU. updateFrame() rewrites typed-array attributes in place for
// trajectory playback. Picking is an exact ray-sphere test over the drawn atoms.
import {
  Color,
  LineSegments,
  Mesh,
  PerspectiveCamera,
  Raycaster,
  Scene,
  Vector2,
  WebGLRenderer,
} from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { arrowScaleFor, ViewerState } from './viewerState';
import { BOND_MIN_DISTANCE_A, createBondList, updateBondList } from './bonds';
import { layoutBonds } from './bondLayout';
import { boundingSphere, DEFAULT_VIEW_DIR, fitDistance } from './camera';
import { cellEdgeVertices, wrapPositions } from './cell';
import { writeAtomColors } from './coloring';
import { writeSphereMatrix } from './instanceMath';
import { maxForceNorm, writeArrowMatrices } from './arrows';
import { MeshSet } from './meshSet';
import { BONDS_MAX_ATOMS, lodNote } from './lod';
import { pickInfoOf, pickSphere } from './picking';
import {
  addLights,
  disposeMaterials,
  makeCellLines,
  makeHighlight,
  makeMaterials,
  markInstancesDirty,
  type Materials,
} from './sceneParts';
import type {
  ColorLegend,
  ColorMode,
  ForceArrowLegend,
  PickInfo,
  ViewerOptions,
  ViewerStats,
  ViewStructure,
} from './types';

const BOND_RADIUS_A = 0.14;
const BOND_GREY = 0x9aa0a8;
const CELL_EDGE = 0x3a3f47;
const CLICK_SLOP_PX = 5;

export class StructureViewer {
  private readonly container: HTMLElement;
  private readonly renderer: WebGLRenderer;
  private readonly scene = new Scene();
  private readonly camera = new PerspectiveCamera(35, 1, 0.1, 1000);
  private readonly controls: OrbitControls;
  private readonly materials: Materials = makeMaterials();
  private readonly meshes = new MeshSet(this.materials);
  private readonly cellLines: LineSegments;
  private readonly highlight: Mesh;
  private readonly st = new ViewerState();
  private bondsRebuilt = false;
  private bondsWarned = false;
  private readonly listeners = new Set<(p: PickInfo | null) => void>();
  private readonly resizeObserver: ResizeObserver | null;
  private readonly raycaster = new Raycaster();
  private readonly ndc = new Vector2();
  private frameHandle = 0;
  private disposed = false;
  private downX = 0;
  private downY = 0;
  private downId = -1;
  private drawnBonds = 0;
  private lastFrameMs = 0;
  private lastUpdateMs = 0;
  private lastBondsMs = 0;
  /** Level-of-detail note over the view (data-testid="viewer-lod-note"), hidden when empty. */
  private readonly lodNote: HTMLDivElement;

  constructor(container: HTMLElement, options: ViewerOptions = {}) {
    this.container = container;
    this.renderer = new WebGLRenderer({
      antialias: options.antialias ?? true,
      preserveDrawingBuffer: options.preserveDrawingBuffer ?? false,
      powerPreference: 'high-performance',
    });
    this.renderer.setPixelRatio(Math.min(globalThis.devicePixelRatio || 1, 2));
    const canvas = this.renderer.domElement;
    canvas.style.display = 'block';
    canvas.style.width = '100%';
    canvas.style.height = '100%';
    canvas.style.touchAction = 'none';
    container.appendChild(canvas);
    this.lodNote = document.createElement('div');
    this.lodNote.dataset.testid = 'viewer-lod-note';
    this.lodNote.style.cssText =
      'position:absolute;left:8px;bottom:8px;padding:2px 6px;font:12px sans-serif;color:#3a3f47;' +
      'background:rgba(255,255,255,0.8);border-radius:3px;pointer-events:none;display:none';
    container.appendChild(this.lodNote);
    this.scene.background = new Color(options.background ?? 0xf4f5f7);
    this.scene.add(this.camera);
    addLights(this.scene, this.camera);
    this.cellLines = makeCellLines(this.materials.cell, CELL_EDGE);
    this.cellLines.visible = false;
    this.highlight = makeHighlight(this.materials.highlight);
    this.scene.add(this.meshes.group, this.cellLines, this.highlight);
    this.camera.position.set(0, 0, 20);

    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.enableDamping = true;
    this.controls.dampingFactor = 0.2;
    this.controls.addEventListener('change', this.requestRender);
    canvas.addEventListener('pointerdown', this.onPointerDown);
    canvas.addEventListener('pointerup', this.onPointerUp);
    this.resizeObserver =
      typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => this.resize());
    this.resizeObserver?.observe(container);
    this.resize();
  }

  // ---- structure -------------------------------------------------------------------------

  /** New topology: rebuilds buffers, clears the selection, by default refits the camera. */
  setStructure(s: ViewStructure, opts: { resetCamera?: boolean } = {}): void {
    const t0 = performance.now();
    const st = this.st;
    const n = s.numbers.length;
    st.allocate(s, BOND_GREY);
    this.bondsWarned = false;
    this.meshes.prepare(n);
    st.setElements(s.numbers);
    if (st.selected >= 0) {
      st.selected = -1;
      this.emitPick();
    }
    this.refresh();
    if (opts.resetCamera !== false) this.resetCamera();
    this.lastUpdateMs = performance.now() - t0;
  }

  /** Same atoms, new positions / forces / columns / cell (trajectory playback). */
  updateFrame(s: ViewStructure): void {
    if (!this.st.s || s.numbers.length !== this.st.n) {
      this.setStructure(s, { resetCamera: !this.st.s });
      return;
    }
    const t0 = performance.now();
    const prev = this.st.s;
    const pbcChanged = s.pbc[0] !== prev.pbc[0] || s.pbc[1] !== prev.pbc[1] || s.pbc[2] !== prev.pbc[2];
    const elementsChanged = s.numbers !== prev.numbers && !sameNumbers(s.numbers, prev.numbers);
    this.st.setFrame(s);
    this.st.numbers = s.numbers;
    if (elementsChanged) this.st.setElements(s.numbers);
    if (pbcChanged || elementsChanged) this.st.bondList = null; // new pair cutoffs / periodicity
    this.refresh();
    if (this.st.selected >= 0) this.emitPick();
    this.lastUpdateMs = performance.now() - t0;
  }

  // ---- display options -------------------------------------------------------------------

  setColorMode(m: ColorMode): void {
    this.st.colorMode = m;
    this.updateColors();
    this.layoutBonds();
    this.requestRender();
  }

  /** Current colour legend, or null in element mode (or when the data is missing). */
  getColorLegend(): ColorLegend | null {
    return this.st.legend;
  }

  /** Fixes the colour range (e.g. over a whole trajectory); null = range of the current frame. */
  setColorRange(range: { min: number; max: number } | null): void {
    this.st.colorRange = range;
    this.updateColors();
    this.requestRender();
  }

  setShowBonds(b: boolean): void {
    this.st.showBonds = b;
    this.updateBonds();
    this.requestRender();
  }

  setShowCell(b: boolean): void {
    this.st.showCell = b;
    this.updateCell();
    this.requestRender();
  }

  setShowForces(b: boolean): void {
    this.st.showForces = b;
    this.updateArrows();
    this.requestRender();
  }

  /** Å of arrow per eV/Å; null = automatic (longest arrow 1.5 Å). */
  setForceArrowScale(aPerEvPerA: number | null): void {
    this.st.arrowScale = aPerEvPerA;
    this.updateArrows();
    this.requestRender();
  }

  getForceArrowLegend(): ForceArrowLegend | null {
    return this.st.arrowLegend;
  }

  /** Wrap atoms into the cell along periodic axes (display only; PickInfo keeps raw positions). */
  setWrap(b: boolean): void {
    this.st.wrap = b;
    this.refresh();
  }

  /** Drawn radius = scale x covalent radius (default 0.5, ball-and-stick). */
  setAtomScale(x: number): void {
    if (!(x > 0)) return;
    this.st.atomScale = x;
    if (this.st.s) this.st.setElements(this.st.numbers);
    this.updateAtoms();
    this.layoutBonds();
    this.updateArrows();
    this.updateHighlight();
    this.requestRender();
  }

  setBackground(hex: number): void {
    (this.scene.background as Color).setHex(hex);
    this.requestRender();
  }

  // ---- picking ---------------------------------------------------------------------------

  onPick(cb: (p: PickInfo | null) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Atom under the client (CSS px) point, or -1. */
  atomAt(clientX: number, clientY: number): number {
    const st = this.st;
    if (!st.s || st.n === 0) return -1;
    const rect = this.renderer.domElement.getBoundingClientRect();
    this.ndc.set(((clientX - rect.left) / rect.width) * 2 - 1, -((clientY - rect.top) / rect.height) * 2 + 1);
    this.camera.updateMatrixWorld();
    this.raycaster.setFromCamera(this.ndc, this.camera);
    const { origin: o, direction: d } = this.raycaster.ray;
    return pickSphere(o.x, o.y, o.z, d.x, d.y, d.z, st.drawnA, st.radiiA, st.n);
  }

  /** Selects (highlights) an atom and notifies onPick listeners; null or -1 clears. */
  select(index: number | null): void {
    const i = index === null || index < 0 || index >= this.st.n ? -1 : index;
    this.st.selected = i;
    this.updateHighlight();
    this.emitPick();
    this.requestRender();
  }

  /** PickInfo of atom `index` in the current frame (null when out of range). */
  getPickInfo(index: number): PickInfo | null {
    return this.st.s && index < this.st.n ? pickInfoOf(this.st.s, index) : null;
  }

  // ---- camera, size, lifecycle -----------------------------------------------------------

  resetCamera(): void {
    const st = this.st;
    const bs = boundingSphere(st.drawnA, st.n, st.hasCell ? st.cellA : null, st.maxRadiusA);
    const dist = fitDistance(bs.radius, this.camera.fov, this.camera.aspect);
    const [cx, cy, cz] = bs.center;
    this.camera.position.set(cx + DEFAULT_VIEW_DIR[0] * dist, cy + DEFAULT_VIEW_DIR[1] * dist, cz + DEFAULT_VIEW_DIR[2] * dist);
    this.camera.up.set(0, 1, 0);
    this.camera.near = Math.max(0.01, dist / 200);
    this.camera.far = dist * 20 + bs.radius * 4;
    this.camera.updateProjectionMatrix();
    this.controls.target.set(cx, cy, cz);
    this.controls.maxDistance = dist * 10;
    this.controls.update();
    this.requestRender();
  }

  /** Matches the canvas to the container (called by the ResizeObserver; call after layout changes). */
  resize(): void {
    const w = this.container.clientWidth;
    const h = this.container.clientHeight;
    if (w === 0 || h === 0 || this.disposed) return;
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  /** Renders synchronously now (tests, snapshots); normally rendering is scheduled on demand. */
  renderNow(): void {
    if (this.disposed) return;
    if (this.frameHandle) {
      cancelAnimationFrame(this.frameHandle);
      this.frameHandle = 0;
    }
    this.controls.update();
    const t0 = performance.now();
    this.renderer.render(this.scene, this.camera);
    this.lastFrameMs = performance.now() - t0;
  }

  /** PNG data URL of the current view. */
  snapshot(): string {
    this.renderNow();
    return this.renderer.domElement.toDataURL('image/png');
  }

  stats(): ViewerStats {
    return {
      atoms: this.st.n,
      bonds: this.drawnBonds,
      drawCalls: this.renderer.info.render.calls,
      lastFrameMs: this.lastFrameMs,
      lastUpdateMs: this.lastUpdateMs,
      lastBondsMs: this.lastBondsMs,
      bondListRebuilt: this.bondsRebuilt,
    };
  }

  /** Releases GPU resources, listeners and the canvas. The viewer is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.frameHandle) cancelAnimationFrame(this.frameHandle);
    this.frameHandle = 0;
    this.resizeObserver?.disconnect();
    const canvas = this.renderer.domElement;
    canvas.removeEventListener('pointerdown', this.onPointerDown);
    canvas.removeEventListener('pointerup', this.onPointerUp);
    this.controls.removeEventListener('change', this.requestRender);
    this.controls.dispose();
    this.listeners.clear();
    this.meshes.dispose();
    this.cellLines.geometry.dispose();
    this.highlight.geometry.dispose();
    disposeMaterials(this.materials);
    this.renderer.dispose();
    this.renderer.forceContextLoss();
    canvas.remove();
    this.lodNote.remove();
    this.st.s = null;
  }

  // ---- internals -------------------------------------------------------------------------

  private readonly requestRender = (): void => {
    if (this.frameHandle === 0 && !this.disposed) this.frameHandle = requestAnimationFrame(this.renderFrame);
  };

  private readonly renderFrame = (): void => {
    this.frameHandle = 0;
    if (this.disposed) return;
    this.controls.update(); // with damping this emits 'change' and so schedules the next frame
    const t0 = performance.now();
    this.renderer.render(this.scene, this.camera);
    this.lastFrameMs = performance.now() - t0;
  };

  private readonly onPointerDown = (e: PointerEvent): void => {
    this.downX = e.clientX;
    this.downY = e.clientY;
    this.downId = e.button === 0 ? e.pointerId : -1;
  };

  private readonly onPointerUp = (e: PointerEvent): void => {
    if (e.pointerId !== this.downId || e.button !== 0) return;
    this.downId = -1;
    if (Math.hypot(e.clientX - this.downX, e.clientY - this.downY) > CLICK_SLOP_PX) return;
    this.select(this.atomAt(e.clientX, e.clientY));
  };

  private emitPick(): void {
    const info = this.st.selected >= 0 ? this.getPickInfo(this.st.selected) : null;
    for (const cb of this.listeners) cb(info);
  }

  /** Positions changed: everything that depends on them. */
  private refresh(): void {
    const st = this.st;
    if (!st.s) return;
    const cell = st.wrap && st.hasCell ? st.cellA : null;
    wrapPositions(st.drawnA, st.s.positionsA, st.n, cell, st.s.pbc, st.inv, st.shifts);
    this.updateColors();
    this.updateAtoms();
    this.updateBonds();
    this.updateArrows();
    this.updateCell();
    this.updateHighlight();
    this.requestRender();
  }

  private updateAtoms(): void {
    const mesh = this.meshes.atoms;
    const st = this.st;
    if (!mesh) return;
    const m = mesh.instanceMatrix.array as Float32Array;
    const p = st.drawnA;
    for (let a = 0; a < st.n; a++) writeSphereMatrix(m, 16 * a, p[3 * a], p[3 * a + 1], p[3 * a + 2], st.radiiA[a]);
    markInstancesDirty(mesh, st.n, false);
  }

  private updateColors(): void {
    const st = this.st;
    const mesh = this.meshes.atoms;
    if (!mesh || !st.s) return;
    const out = mesh.instanceColor!.array as Float32Array;
    st.legend = writeAtomColors(out, st.s, st.n, st.colorMode, st.elementColors, st.scalars, st.colorRange);
    markInstancesDirty(mesh, st.n, true);
  }

  /** Updates the Verlet list of candidate bonds (raw positions), then lays the bonds out. */
  private updateBonds(): void {
    const st = this.st;
    if (!this.meshes.bonds || !st.s) return;
    const note = lodNote(st.n, st.showBonds);
    this.lodNote.textContent = note ?? '';
    this.lodNote.style.display = note ? 'block' : 'none';
    if (!st.showBonds || st.n > BONDS_MAX_ATOMS) {
      this.meshes.bonds.count = 0;
      this.drawnBonds = 0;
      return;
    }
    const t0 = performance.now();
    const cell = st.hasCell ? st.cellA : null;
    try {
      if (!st.bondList) {
        st.bondList = createBondList(st.numbers, st.s.positionsA, cell, st.s.pbc);
        this.bondsRebuilt = true;
      } else {
        this.bondsRebuilt = updateBondList(st.bondList, st.s.positionsA, cell);
      }
    } catch (err) {
      // bad input (non-finite positions, periodic axis with a zero cell vector): no bonds, no crash
      if (!this.bondsWarned) console.warn('StructureViewer: bonds skipped:', err);
      this.bondsWarned = true;
      st.bondList = null;
      this.meshes.bonds.count = 0;
      this.drawnBonds = 0;
      return;
    }
    this.lastBondsMs = performance.now() - t0;
    this.layoutBonds();
  }

  private layoutBonds(): void {
    const st = this.st;
    const list = st.bondList;
    if (!this.meshes.bonds || !list || !st.showBonds || st.n > BONDS_MAX_ATOMS) return;
    const mesh = this.meshes.bondMesh(2 * list.count);
    const wrapped = st.wrap && st.hasCell;
    const r = layoutBonds(
      mesh.instanceMatrix.array as Float32Array,
      mesh.instanceColor!.array as Float32Array,
      list,
      st.drawnA,
      st.radiiA,
      st.reachA,
      st.hasCell ? st.cellA : null,
      wrapped ? st.shifts : null,
      Math.min(BOND_RADIUS_A, 0.8 * st.minRadiusA),
      st.legend === null ? st.elementColors : st.greyColors, // grey under a colormap
      BOND_MIN_DISTANCE_A,
    );
    this.drawnBonds = r.bonds;
    markInstancesDirty(mesh, r.halves, true);
  }

  private updateArrows(): void {
    const st = this.st;
    if (!this.meshes.shafts || !this.meshes.heads) return;
    const f = st.s?.forcesEvPerA;
    st.arrowLegend = null;
    if (!st.showForces || !f) {
      this.meshes.shafts.count = 0;
      this.meshes.heads.count = 0;
      return;
    }
    const maxF = maxForceNorm(f, st.n);
    const scale = arrowScaleFor(st.arrowScale, maxF);
    const k = writeArrowMatrices(
      this.meshes.shafts.instanceMatrix.array as Float32Array,
      this.meshes.heads.instanceMatrix.array as Float32Array,
      st.drawnA,
      st.radiiA,
      f,
      st.n,
      scale,
    );
    markInstancesDirty(this.meshes.shafts, k, false);
    markInstancesDirty(this.meshes.heads, k, false);
    st.arrowLegend = { aPerEvPerA: scale, maxForceEvPerA: maxF, maxLengthA: maxF * scale };
  }

  private updateCell(): void {
    const st = this.st;
    const show = st.showCell && st.hasCell;
    this.cellLines.visible = show;
    if (!show) return;
    const attr = this.cellLines.geometry.getAttribute('position');
    cellEdgeVertices(st.cellA, attr.array as Float32Array);
    attr.needsUpdate = true;
  }

  private updateHighlight(): void {
    const st = this.st;
    const i = st.selected;
    this.highlight.visible = i >= 0 && i < st.n;
    if (!this.highlight.visible) return;
    const r = st.radiiA[i] * 1.35 + 0.08;
    this.highlight.position.set(st.drawnA[3 * i], st.drawnA[3 * i + 1], st.drawnA[3 * i + 2]);
    this.highlight.scale.set(r, r, r);
  }
}

function sameNumbers(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}
