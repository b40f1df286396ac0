// Bag of bonds (Hansen, Biegler, Ramakrishnan, Pronobis, von Lilienfeld, Müller & Tkatchenko,
// J. Phys. Chem. Lett. 6, 2326 (2015)): the Coulomb-matrix entries regrouped into "bags", one per
// element pair, so that the comparison of two molecules matches C–H terms with C–H terms:
//
//   bag {A, A}: ½ Z_A^2.4 for every atom of element A (the CM diagonal; within a bag all equal,
//               so it encodes the element count)
//   bag {A, B}: Z_A Z_B / r_ij for every pair of atoms i ∈ A, j ∈ B (A <= B; i < j when A = B),
//               r in Bohr (atomic units, as coulombMatrix.ts)
//
// Each bag is sorted in decreasing order and zero-padded to the largest count of that bag over the
// dataset; bags are concatenated in a fixed order (diagonal bags by Z, then pair bags by (Z_A, Z_B)).
// The layout is a property of the dataset (fitBagLayout); a structure needing more slots than the
// layout has is an error, never a silent truncation.
//
// Invariant to translation, rotation, reflection and any atom permutation (sorting inside a bag is
// continuous: two values crossing swap places with equal values at the crossing). The cost is the
// O(N²) pair distances plus sorting, O(N² log N).
import { BOHR_A } from '../units';
import { symbolOf } from '../atoms/elements';
import { coulombDiagonal } from './coulombMatrix';

export interface Bag {
  /** Smaller atomic number (the element for a diagonal bag). */
  zA: number;
  /** Larger atomic number; equal to zA for both {A, A} kinds, see `diagonal`. */
  zB: number;
  /** true: the ½ Z^2.4 self-term bag of element zA. */
  diagonal: boolean;
  /** Slots (the largest count over the dataset). */
  size: number;
  /** First slot in the feature vector. */
  offset: number;
}

export interface BagLayout {
  /** Atomic numbers that occur, ascending. */
  elements: number[];
  bags: Bag[];
  dimension: number;
}

function bagName(b: Bag): string {
  return b.diagonal ? `${symbolOf(b.zA)}` : `${symbolOf(b.zA)}-${symbolOf(b.zB)}`;
}

/** Per-element atom counts of one structure. */
function elementCounts(numbers: ArrayLike<number>): Map<number, number> {
  const c = new Map<number, number>();
  for (let i = 0; i < numbers.length; i++) c.set(numbers[i], (c.get(numbers[i]) ?? 0) + 1);
  return c;
}

/** Bag sizes from the largest element counts over the structures (no positions needed). */
export function fitBagLayout(structures: Iterable<{ numbers: ArrayLike<number> }>): BagLayout {
  const maxCount = new Map<number, number>();
  const maxPair = new Map<string, number>();
  const all: Map<number, number>[] = [];
  for (const s of structures) {
    const c = elementCounts(s.numbers);
    all.push(c);
    for (const [z, k] of c) maxCount.set(z, Math.max(maxCount.get(z) ?? 0, k));
  }
  const elements = [...maxCount.keys()].sort((a, b) => a - b);
  for (const c of all) {
    for (let p = 0; p < elements.length; p++)
      for (let q = p; q < elements.length; q++) {
        const a = c.get(elements[p]) ?? 0, b = c.get(elements[q]) ?? 0;
        const k = p === q ? (a * (a - 1)) / 2 : a * b;
        const key = `${elements[p]},${elements[q]}`;
        maxPair.set(key, Math.max(maxPair.get(key) ?? 0, k));
      }
  }
  const bags: Bag[] = [];
  let offset = 0;
  for (const z of elements) {
    bags.push({ zA: z, zB: z, diagonal: true, size: maxCount.get(z)!, offset });
    offset += maxCount.get(z)!;
  }
  for (let p = 0; p < elements.length; p++)
    for (let q = p; q < elements.length; q++) {
      const size = maxPair.get(`${elements[p]},${elements[q]}`) ?? 0;
      if (size === 0) continue;
      bags.push({ zA: elements[p], zB: elements[q], diagonal: false, size, offset });
      offset += size;
    }
  return { elements, bags, dimension: offset };
}

/** Names of the feature slots, e.g. "C[0]", "C-H[11]". */
export function bagFeatureNames(layout: BagLayout): string[] {
  const names: string[] = [];
  for (const b of layout.bags) for (let k = 0; k < b.size; k++) names.push(`${bagName(b)}[${k}]`);
  return names;
}

/**
 * Bag-of-bonds vector of one structure, [layout.dimension], atomic units.
 * @param numbers [N] atomic numbers
 * @param positionsA [3N] Å
 */
export function bagOfBonds(numbers: ArrayLike<number>, positionsA: ArrayLike<number>, layout: BagLayout, out?: Float64Array): Float64Array {
  const n = numbers.length;
  const v = out ?? new Float64Array(layout.dimension);
  v.fill(0, 0, layout.dimension);
  const diag = new Map<number, Bag>();
  const pair = new Map<number, Bag>();
  const key = (a: number, b: number) => (a <= b ? a * 1024 + b : b * 1024 + a);
  for (const b of layout.bags) (b.diagonal ? diag : pair).set(b.diagonal ? b.zA : key(b.zA, b.zB), b);
  const values = new Map<Bag, number[]>();
  const push = (b: Bag | undefined, x: number, what: string) => {
    if (!b) throw new Error(`bag of bonds: no bag for ${what} in this layout (elements ${layout.elements.map(symbolOf).join(', ')})`);
    let l = values.get(b);
    if (!l) values.set(b, (l = []));
    l.push(x);
  };
  for (let i = 0; i < n; i++) {
    const zi = numbers[i];
    push(diag.get(zi), coulombDiagonal(zi), symbolOf(zi));
    for (let j = 0; j < i; j++) {
      const zj = numbers[j];
      const dx = positionsA[3 * i] - positionsA[3 * j];
      const dy = positionsA[3 * i + 1] - positionsA[3 * j + 1];
      const dz = positionsA[3 * i + 2] - positionsA[3 * j + 2];
      const rBohr = Math.sqrt(dx * dx + dy * dy + dz * dz) / BOHR_A;
      push(pair.get(key(zi, zj)), (zi * zj) / rBohr, `${symbolOf(Math.min(zi, zj))}-${symbolOf(Math.max(zi, zj))}`);
    }
  }
  for (const [b, l] of values) {
    if (l.length > b.size) throw new Error(`bag of bonds: bag ${bagName(b)} needs ${l.length} slots but the layout has ${b.size} (refit the layout on data that includes this structure)`);
    l.sort((x, y) => y - x);
    for (let k = 0; k < l.length; k++) v[b.offset + k] = l[k];
  }
  return v;
}

/**
 * Bag sums: instead of the sorted bag, per element-pair bag the power sums
 *   S_AB,p = Σ_{i ∈ A, j ∈ B} (Z_A Z_B / r_ij)^p,   p = 1..powers
 * and per element the atom count n_A. A linear model on these is a pair potential in 1/r with
 * per-element offsets, E = Σ_A n_A e_A + Σ_pairs Σ_p c_AB,p (Z_AZ_B/r)^p: sum-decomposable, so
 * additive over far-apart fragments up to the cross terms, which decay as 1/gap (p = 1). The
 * layout is the element list only: any molecule of those elements fits.
 */
export interface BagSumLayout {
  elements: number[];
  powers: number;
  dimension: number;
}

export function fitBagSumLayout(structures: Iterable<{ numbers: ArrayLike<number> }>, powers = 4): BagSumLayout {
  const zs = new Set<number>();
  for (const s of structures) for (let i = 0; i < s.numbers.length; i++) zs.add(s.numbers[i]);
  const elements = [...zs].sort((a, b) => a - b);
  const S = elements.length;
  return { elements, powers, dimension: S + (powers * S * (S + 1)) / 2 };
}

export function bagSumFeatureNames(layout: BagSumLayout): string[] {
  const sym = layout.elements.map(symbolOf);
  const names = sym.map((e) => `count[${e}]`);
  for (let p = 0; p < sym.length; p++) for (let q = p; q < sym.length; q++) for (let k = 1; k <= layout.powers; k++) names.push(`sum[${sym[p]}-${sym[q]}]^${k}`);
  return names;
}

/** Bag-sum vector of one structure, [layout.dimension], atomic units. */
export function bagSums(numbers: ArrayLike<number>, positionsA: ArrayLike<number>, layout: BagSumLayout, out?: Float64Array): Float64Array {
  const S = layout.elements.length, P = layout.powers;
  const v = out ?? new Float64Array(layout.dimension);
  v.fill(0, 0, layout.dimension);
  const idx = new Map(layout.elements.map((z, s) => [z, s]));
  const sp = new Int32Array(numbers.length);
  for (let i = 0; i < numbers.length; i++) {
    const s = idx.get(numbers[i]);
    if (s === undefined) throw new Error(`bag sums: element ${symbolOf(numbers[i])} is not in the layout (${layout.elements.map(symbolOf).join(', ')})`);
    sp[i] = s;
    v[s]++;
  }
  for (let i = 0; i < numbers.length; i++)
    for (let j = 0; j < i; j++) {
      const a = Math.min(sp[i], sp[j]), b = Math.max(sp[i], sp[j]);
      const pair = a * S - (a * (a - 1)) / 2 + (b - a);
      const dx = positionsA[3 * i] - positionsA[3 * j];
      const dy = positionsA[3 * i + 1] - positionsA[3 * j + 1];
      const dz = positionsA[3 * i + 2] - positionsA[3 * j + 2];
      const x = (numbers[i] * numbers[j] * BOHR_A) / Math.sqrt(dx * dx + dy * dy + dz * dz);
      let xp = 1;
      for (let k = 0; k < P; k++) v[S + pair * P + k] += xp *= x;
    }
  return v;
}
