// Public types of the structure viewer: what the app hands in (ViewStructure), what a click
// hands back (PickInfo), colour modes and legend descriptions. No three.js types here, so the
// Vue wrapper and stores can import them without pulling in WebGL code.
import type { ColormapName } from './colormaps';

export interface ViewStructure {
  /** [N] atomic numbers (0 = unknown). */
  numbers: Int32Array;
  /** [3N] Cartesian positions, Å. */
  positionsA: Float32Array;
  /** [9] cell rows a, b, c in Å, or null (molecule). */
  cellA: Float32Array | null;
  pbc: [boolean, boolean, boolean];
  /** [3N] forces, eV/Å. */
  forcesEvPerA?: Float32Array | null;
  /** Per-atom scalar columns ([N] each) that can colour atoms, e.g. charges. */
  columns?: Record<string, Float32Array>;
  /** Optional unit per column name, shown in the legend ('e', 'eV', ...). */
  columnUnits?: Record<string, string>;
}

export interface PickInfo {
  index: number;
  symbol: string;
  /** Position as given in the structure (not wrapped), Å. */
  positionA: [number, number, number];
  forceEvPerA: [number, number, number] | null;
  /** Value of each per-atom column at this atom. */
  columns: Record<string, number>;
}

export type ColorMode = { kind: 'element' } | { kind: 'force' } | { kind: 'column'; name: string };

export interface ColorLegend {
  label: string;
  unit: string;
  min: number;
  max: number;
  colormap: ColormapName;
}

/** Force arrows: an arrow of length L Å stands for a force of L / aPerEvPerA eV/Å. */
export interface ForceArrowLegend {
  aPerEvPerA: number;
  maxForceEvPerA: number;
  /** Length of the longest arrow drawn, Å. */
  maxLengthA: number;
}

export interface ViewerOptions {
  /** Background colour 0xRRGGBB (default light grey 0xf4f5f7). */
  background?: number;
  antialias?: boolean;
  /** Keep the drawing buffer after compositing (slower; only needed to read pixels later). */
  preserveDrawingBuffer?: boolean;
}

export interface ViewerStats {
  atoms: number;
  /** Bond pairs drawn (a bond across the boundary drawn as two stubs counts once). */
  bonds: number;
  /** Draw calls of the last rendered frame. */
  drawCalls: number;
  /** CPU time of the last renderer.render call, ms. */
  lastFrameMs: number;
  /** Time of the last setStructure / updateFrame, ms. */
  lastUpdateMs: number;
  /** Time spent updating the bond list in the last update, ms. */
  lastBondsMs: number;
  /** Whether that update rebuilt the Verlet list (else it reused the pairs). */
  bondListRebuilt: boolean;
}
