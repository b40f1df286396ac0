// The species table of a model: which elements it knows, in a fixed order (ascending atomic
// number), so that species index s selects the element's network, E0 and descriptor block.
// Stored in every model file; a structure with an element outside the table is an error, never a
// silent zero (the LAMMPS "element ordering" trap of GUIDE §6.8).
import { atomicNumber, symbolOf } from '../../atoms/elements';

export interface SpeciesTable {
  /** [S] atomic numbers, ascending. */
  readonly numbers: readonly number[];
  /** [S] element symbols in the same order. */
  readonly symbols: readonly string[];
}

/** Table of the given atomic numbers or symbols (deduplicated, sorted by Z). */
export function speciesTable(elements: readonly (number | string)[]): SpeciesTable {
  const zs = new Set<number>();
  for (const e of elements) {
    const z = typeof e === 'number' ? e : atomicNumber(e);
    if (!(z > 0)) throw new Error(`unknown element "${e}"`);
    zs.add(z);
  }
  const numbers = [...zs].sort((a, b) => a - b);
  return { numbers, symbols: numbers.map(symbolOf) };
}

/** Table of every element that occurs in the frames. */
export function speciesOfFrames(frames: readonly { numbers: Int32Array }[]): SpeciesTable {
  const zs = new Set<number>();
  for (const f of frames) for (const z of f.numbers) zs.add(z);
  return speciesTable([...zs]);
}

/** [N] species indices of atomic numbers; throws naming the first element not in the table. */
export function speciesIndices(table: SpeciesTable, numbers: Int32Array, out = new Int32Array(numbers.length)): Int32Array {
  const map = new Map<number, number>();
  table.numbers.forEach((z, s) => map.set(z, s));
  for (let a = 0; a < numbers.length; a++) {
    const s = map.get(numbers[a]);
    if (s === undefined) throw new Error(`element ${symbolOf(numbers[a])} (Z=${numbers[a]}) is not one of the model's species ${table.symbols.join(', ')}`);
    out[a] = s;
  }
  return out;
}

/** Index of the unordered species pair {s, t} among S(S+1)/2 pairs (s, t < S). */
export function pairIndex(s: number, t: number, nSpecies: number): number {
  const a = Math.min(s, t), b = Math.max(s, t);
  return a * nSpecies - (a * (a - 1)) / 2 + (b - a);
}
