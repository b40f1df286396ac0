// Frame and Dataset: the in-memory form of an atomic structure and a collection of them.
// Follows ASE's Atoms (ase/atoms.py): positions [N,3] Å, cell rows a, b, c (Å), pbc per axis,
// per-frame `info` and per-atom `arrays`; labels (energy, forces, stress) are first-class fields
// so that what a file carried is never silently lost. Flat Float64Array storage, shapes in comments.
import { atomicNumber, symbolOf } from './elements';

/** Per-atom column: `width` values per atom, row-major ([N, width]). */
export type PerAtomArray =
  | { kind: 'real'; width: number; data: Float64Array }
  | { kind: 'int'; width: number; data: Int32Array }
  | { kind: 'bool'; width: number; data: Uint8Array }
  | { kind: 'string'; width: number; data: string[] };

export type InfoValue = number | string | boolean | number[] | string[] | boolean[];

export interface Frame {
  /** [N] canonical element symbols ("X" when unknown). */
  symbols: string[];
  /** [N] atomic numbers (0 when unknown). */
  numbers: Int32Array;
  /** [3N] Cartesian positions, Å. */
  positionsA: Float64Array;
  /** [9] cell row vectors a, b, c in Å, or null when the file had no cell. */
  cellA: Float64Array | null;
  pbc: [boolean, boolean, boolean];
  /** Total energy, eV. */
  energyEv?: number;
  /** [3N] forces, eV/Å. */
  forcesEvPerA?: Float64Array;
  /** [9] stress, eV/Å³, ASE sign (positive = tensile), row-major 3x3. */
  stressEvPerA3?: Float64Array;
  /** Per-frame values that are not labels (config_type, temperature, ...). */
  info: Record<string, InfoValue>;
  /**
   * Per-atom columns other than species, positions and forces. Names shared by all formats:
   * `velocities` (Å/fs, width 3), `masses` (amu), `initial_charges` (e), `image` (integer periodic
   * image flags, width 3), `type` (LAMMPS atom type), `id` (atom id), `selective_dynamics` (bool,
   * width 3, VASP meaning: true = free). The cell origin of LAMMPS boxes is `info.cell_origin_A`.
   */
  arrays: Record<string, PerAtomArray>;
}

export function atomCount(frame: Frame): number {
  return frame.symbols.length;
}

/** Volume of the cell in Å³ (|det|), or 0 without a cell. */
export function cellVolumeA3(cellA: Float64Array | null): number {
  if (!cellA) return 0;
  const [a0, a1, a2, b0, b1, b2, c0, c1, c2] = cellA;
  return Math.abs(a0 * (b1 * c2 - b2 * c1) - a1 * (b0 * c2 - b2 * c0) + a2 * (b0 * c1 - b1 * c0));
}

/** A new frame with fresh arrays (deep copy). */
export function cloneFrame(f: Frame): Frame {
  const arrays: Record<string, PerAtomArray> = {};
  for (const [k, a] of Object.entries(f.arrays)) {
    arrays[k] = a.kind === 'string' ? { ...a, data: a.data.slice() } : ({ ...a, data: a.data.slice() } as PerAtomArray);
  }
  return {
    symbols: f.symbols.slice(),
    numbers: f.numbers.slice(),
    positionsA: f.positionsA.slice(),
    cellA: f.cellA ? f.cellA.slice() : null,
    pbc: [...f.pbc] as [boolean, boolean, boolean],
    energyEv: f.energyEv,
    forcesEvPerA: f.forcesEvPerA?.slice(),
    stressEvPerA3: f.stressEvPerA3?.slice(),
    info: structuredClone(f.info),
    arrays,
  };
}

/** Build a frame from symbols and positions; atomic numbers are derived, unknown symbols become X. */
export function makeFrame(init: {
  symbols: string[];
  positionsA: Float64Array | number[];
  cellA?: Float64Array | number[] | null;
  pbc?: [boolean, boolean, boolean];
  energyEv?: number;
  forcesEvPerA?: Float64Array;
  stressEvPerA3?: Float64Array;
  info?: Record<string, InfoValue>;
  arrays?: Record<string, PerAtomArray>;
}): Frame {
  const n = init.symbols.length;
  const numbers = new Int32Array(n);
  const symbols = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const z = atomicNumber(init.symbols[i]);
    numbers[i] = z < 0 ? 0 : z;
    symbols[i] = z < 0 ? 'X' : symbolOf(z);
  }
  const cell = init.cellA ? Float64Array.from(init.cellA) : null;
  return {
    symbols,
    numbers,
    positionsA: Float64Array.from(init.positionsA),
    cellA: cell,
    pbc: init.pbc ?? (cell ? [true, true, true] : [false, false, false]),
    energyEv: init.energyEv,
    forcesEvPerA: init.forcesEvPerA,
    stressEvPerA3: init.stressEvPerA3,
    info: init.info ?? {},
    arrays: init.arrays ?? {},
  };
}
