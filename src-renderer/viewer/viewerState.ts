// The viewer's plain state: display options and the per-atom work buffers (drawn positions,
// integer wraps, radii, colours) sized once per topology, so that trajectory frames reuse them.
import { covalentRadiusA } from '../../src-shared/atoms/elements';
import type { NeighborList } from '../../src-shared/partition/neighborList';
import { autoArrowScale } from './arrows';
import { BOND_FACTOR } from './bonds';
import { elementLinear } from './coloring';
import { hexToLinear } from './colormaps';
import type { ColorLegend, ColorMode, ForceArrowLegend, ViewStructure } from './types';

/** Arrow scale in Å per eV/Å: the fixed one, or automatic from the largest force. */
export function arrowScaleFor(fixed: number | null, maxForceEvPerA: number): number {
  return fixed !== null && fixed > 0 ? fixed : autoArrowScale(maxForceEvPerA);
}

export class ViewerState {
  s: ViewStructure | null = null;
  n = 0;
  numbers: Int32Array = new Int32Array(0);
  /** [3N] drawn positions (wrapped when wrap is on), Å. */
  drawnA: Float32Array = new Float32Array(0);
  /** [3N] integer wraps: raw = drawn + shift·C (all 0 without wrapping). */
  shifts: Int32Array = new Int32Array(0);
  /** [N] drawn radii (atomScale x covalent radius), Å. */
  radiiA: Float32Array = new Float32Array(0);
  /** [N] bond reach (factor x covalent radius), Å: bonded when d < reach_i + reach_j. */
  reachA: Float32Array = new Float32Array(0);
  /** [3N] linear RGB of each atom's element, and a uniform grey (bonds under a colormap). */
  elementColors: Float32Array = new Float32Array(0);
  greyColors: Float32Array = new Float32Array(0);
  /** [N] scratch for scalar values (force magnitudes). */
  scalars: Float32Array = new Float32Array(0);
  /** [9] cell as float64 (zeros without a cell) and scratch for its inverse. */
  readonly cellA: Float64Array = new Float64Array(9);
  readonly inv: Float64Array = new Float64Array(9);
  /** The frame has a non-zero cell (cellA; possibly with zero rows, e.g. a slab with c = 0). */
  hasCell = false;
  maxRadiusA = 0;
  minRadiusA = 0;
  /** Verlet list of candidate bonds on the raw positions (null until bonds are first shown). */
  bondList: NeighborList | null = null;

  colorMode: ColorMode = { kind: 'element' };
  colorRange: { min: number; max: number } | null = null;
  showBonds = true;
  showCell = true;
  showForces = false;
  wrap = false;
  atomScale = 0.5;
  arrowScale: number | null = null;
  legend: ColorLegend | null = null;
  arrowLegend: ForceArrowLegend | null = null;
  selected = -1;

  /** Sizes the buffers for a new topology (reuses them when N is unchanged) and takes the frame. */
  allocate(s: ViewStructure, greyHex: number): void {
    const n = s.numbers.length;
    if (n !== this.radiiA.length) {
      this.drawnA = new Float32Array(3 * n);
      this.shifts = new Int32Array(3 * n);
      this.radiiA = new Float32Array(n);
      this.reachA = new Float32Array(n);
      this.elementColors = new Float32Array(3 * n);
      this.greyColors = new Float32Array(3 * n);
      this.scalars = new Float32Array(n);
    }
    this.n = n;
    hexToLinear(greyHex, this.greyColors, 0);
    for (let a = 1; a < n; a++) this.greyColors.copyWithin(3 * a, 0, 3);
    this.bondList = null;
    this.setFrame(s);
  }

  /** Takes a frame's arrays (not copied) and cell. */
  setFrame(s: ViewStructure): void {
    this.s = s;
    this.hasCell = false;
    this.cellA.fill(0);
    if (s.cellA && s.cellA.length >= 9) {
      for (let k = 0; k < 9; k++) {
        this.cellA[k] = s.cellA[k];
        if (s.cellA[k] !== 0 && Number.isFinite(s.cellA[k])) this.hasCell = true;
      }
    }
  }

  /** Radii, bond reach and element colours from the atomic numbers and the atom scale. */
  setElements(numbers: Int32Array): void {
    this.numbers = numbers;
    let mn = Infinity;
    let mx = 0;
    for (let a = 0; a < this.n; a++) {
      const cov = covalentRadiusA(numbers[a]);
      const r = cov * this.atomScale;
      this.radiiA[a] = r;
      this.reachA[a] = BOND_FACTOR * cov;
      if (r < mn) mn = r;
      if (r > mx) mx = r;
      elementLinear(numbers[a], this.elementColors, 3 * a);
    }
    this.maxRadiusA = mx;
    this.minRadiusA = Number.isFinite(mn) ? mn : 0;
  }
}
