// Registry of structure representations (molecular / materials descriptors) for property models.
// Each entry is data the UI pickers, the CLI and the docs read: an id, a title, what the
// representation is invariant to (checked by registry.spec.ts: confirmed for every claim, refuted
// for every absence), whether it is size-extensive (features of two far-apart fragments add up, so
// that a linear model on it predicts E(A ∪ B) = E(A) + E(B)), and how its cost scales with the atom
// count N. `fit` sizes the dataset-dependent parts (padding to the largest molecule, bag sizes,
// element list) and returns a featurizer that maps a frame to a fixed-length float64 vector.
import type { Frame } from '../atoms/frame';
import { acsfFeatureNames, acsfPooled, fitAcsfLayout } from './acsfPooled';
import { bagFeatureNames, bagOfBonds, bagSumFeatureNames, bagSums, fitBagLayout, fitBagSumLayout } from './bagOfBonds';
import { coulombEigenvalues, coulombMatrix, sortedCoulombLength, sortedCoulombMatrix } from './coulombMatrix';
import { fitInvariantLayout, invariantFeatures } from './invariantFeatures';

export type RepresentationId = 'cm' | 'cm-sorted' | 'cm-eigen' | 'bob' | 'bob-sums' | 'acsf-sum' | 'acsf-mean' | 'invariants';

export interface Invariances {
  translation: boolean;
  rotation: boolean;
  /** Improper rotations (mirror images): true means enantiomers get the same features. */
  reflection: boolean;
  /** Relabelling atoms of the same element. */
  permutation: boolean;
}

export interface Featurizer {
  readonly representation: RepresentationId;
  /** Length of every feature vector. */
  readonly dimension: number;
  featureNames(): string[];
  /** Features of one frame, [dimension]; throws when the frame does not fit the fitted layout. */
  featurize(frame: Frame, out?: Float64Array): Float64Array;
  /** JSON-able description of the fitted layout (padding, bags, species, columns). */
  describe(): Record<string, unknown>;
}

export interface RepresentationSpec {
  id: RepresentationId;
  title: string;
  /** One paragraph for tooltips and `--help`. */
  description: string;
  citation: string;
  invariances: Invariances;
  sizeExtensive: boolean;
  /** Why (not) size-extensive, in words. */
  extensivityNote: string;
  /** Cost of one structure in the atom count N. */
  costScaling: string;
  /** Distance the literature pairs with it in kernel models. */
  defaultMetric: 'l1' | 'l2';
  fit(frames: readonly Frame[]): Featurizer;
}

const ALL: Invariances = { translation: true, rotation: true, reflection: true, permutation: true };

function maxAtoms(frames: readonly Frame[]): number {
  let m = 0;
  for (const f of frames) m = Math.max(m, f.numbers.length);
  return m;
}

function simple(id: RepresentationId, dimension: number, names: () => string[], fn: (f: Frame, out?: Float64Array) => Float64Array, layout: Record<string, unknown>): Featurizer {
  return { representation: id, dimension, featureNames: names, featurize: fn, describe: () => ({ representation: id, dimension, ...layout }) };
}

export const REPRESENTATIONS: readonly RepresentationSpec[] = [
  {
    id: 'cm',
    title: 'Coulomb matrix (unsorted)',
    description: 'Z_iZ_j/|R_i-R_j| (Bohr) off the diagonal, ½Z^2.4 on it, in file atom order, zero-padded. Only for teaching: it changes when atoms are relabelled.',
    citation: 'Rupp et al., PRL 108, 058301 (2012), Eq. 2',
    invariances: { ...ALL, permutation: false },
    sizeExtensive: false,
    extensivityNote: 'a fragment pair is a bigger matrix with off-diagonal 1/r blocks, not a sum',
    costScaling: 'O(N²)',
    defaultMetric: 'l2',
    fit(frames) {
      const nMax = maxAtoms(frames);
      const len = sortedCoulombLength(nMax);
      return simple('cm', len, () => packedNames(nMax), (f, out) => {
        const n = f.numbers.length;
        if (n > nMax) throw new Error(`cm: structure has ${n} atoms, more than the ${nMax} it was sized for`);
        const m = coulombMatrix(f.numbers, f.positionsA);
        const v = out ?? new Float64Array(len);
        v.fill(0, 0, len);
        for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) v[(i * (i + 1)) / 2 + j] = m[i * n + j];
        return v;
      }, { n_max: nMax, units: 'atomic (Hartree, e²/Bohr)' });
    },
  },
  {
    id: 'cm-sorted',
    title: 'Coulomb matrix, sorted by row norm',
    description: 'Coulomb matrix with rows and columns ordered by decreasing row norm, lower triangle, zero-padded to the largest molecule.',
    citation: 'Rupp et al., PRL 108, 058301 (2012); Montavon et al., NIPS 25 (2012); Hansen et al., JCTC 9, 3404 (2013)',
    invariances: ALL,
    sizeExtensive: false,
    extensivityNote: 'a fragment pair is one bigger sorted matrix (rows of A and B interleaved), not the sum of the parts',
    costScaling: 'O(N²) entries + O(N log N) sort',
    defaultMetric: 'l1',
    fit(frames) {
      const nMax = maxAtoms(frames);
      return simple('cm-sorted', sortedCoulombLength(nMax), () => packedNames(nMax), (f, out) => sortedCoulombMatrix(f.numbers, f.positionsA, nMax, out), { n_max: nMax, units: 'atomic (Hartree, e²/Bohr)' });
    },
  },
  {
    id: 'cm-eigen',
    title: 'Coulomb matrix eigenvalue spectrum',
    description: 'Eigenvalues of the Coulomb matrix by decreasing magnitude, zero-padded to the largest molecule (the descriptor of Rupp et al. 2012).',
    citation: 'Rupp et al., PRL 108, 058301 (2012)',
    invariances: ALL,
    sizeExtensive: false,
    extensivityNote: 'the spectrum of a far-apart pair is the merged, re-sorted spectra of the parts: longer, not summed',
    costScaling: 'O(N³) (dense symmetric eigenproblem)',
    defaultMetric: 'l2',
    fit(frames) {
      const nMax = maxAtoms(frames);
      return simple('cm-eigen', nMax, () => Array.from({ length: nMax }, (_, k) => `eig[${k}]`), (f, out) => coulombEigenvalues(f.numbers, f.positionsA, nMax, out), { n_max: nMax, units: 'atomic (Hartree)' });
    },
  },
  {
    id: 'bob',
    title: 'Bag of bonds',
    description: 'Coulomb-matrix entries grouped by element pair, each bag sorted in decreasing order and zero-padded to its largest count over the dataset.',
    citation: 'Hansen et al., J. Phys. Chem. Lett. 6, 2326 (2015)',
    invariances: ALL,
    sizeExtensive: false,
    extensivityNote: 'bags of a pair are the merged, re-sorted bags of the parts plus the (small, 1/r) cross terms; sums over a bag are additive up to the cross terms (see extensivity.ts)',
    costScaling: 'O(N²) pairs + O(N² log N) sorting',
    defaultMetric: 'l1',
    fit(frames) {
      const layout = fitBagLayout(frames);
      return simple('bob', layout.dimension, () => bagFeatureNames(layout), (f, out) => bagOfBonds(f.numbers, f.positionsA, layout, out), {
        bags: layout.bags.map((b) => ({ bag: b.diagonal ? `${b.zA}` : `${b.zA}-${b.zB}`, size: b.size })),
        units: 'atomic (Hartree, e²/Bohr)',
      });
    },
  },
  {
    id: 'bob-sums',
    title: 'Bag sums (power sums of each bag)',
    description: 'Per element pair the sums Σ(Z_iZ_j/r)^p, p = 1..4, and per element the atom count: with a linear model, a pair potential in 1/r plus atomic offsets.',
    citation: 'bags of Hansen et al., JPCL 6, 2326 (2015), summed instead of sorted (cf. their pairwise-potential models)',
    invariances: ALL,
    sizeExtensive: true,
    extensivityNote: 'sums over atoms and pairs: x(A ∪ B) = x(A) + x(B) + cross terms Σ(Z_iZ_j/r)^p that fall off as 1/gap (p = 1)',
    costScaling: 'O(N²)',
    defaultMetric: 'l2',
    fit(frames) {
      const layout = fitBagSumLayout(frames);
      return simple('bob-sums', layout.dimension, () => bagSumFeatureNames(layout), (f, out) => bagSums(f.numbers, f.positionsA, layout, out), { elements: layout.elements, powers: layout.powers, units: 'atomic (Hartree^p)' });
    },
  },
  acsfSpec('acsf-sum'),
  acsfSpec('acsf-mean'),
  {
    id: 'invariants',
    title: 'Invariants of vector and tensor columns',
    description: 'Norms of vectors; trace, second invariant, determinant and eigenvalues of 3×3 tensors (forces, dipoles, stress), per atom pooled by sum and mean.',
    citation: 'principal invariants of a second-order tensor, e.g. Holzapfel, Nonlinear Solid Mechanics (2000) §1.5',
    invariances: ALL,
    sizeExtensive: false,
    extensivityNote: 'the per-atom sums are additive, the means and per-frame tensors (stress is per volume) are not',
    costScaling: 'O(N)',
    defaultMetric: 'l2',
    fit(frames) {
      const layout = fitInvariantLayout(frames);
      if (layout.dimension === 0) throw new Error(`invariants: no vector or tensor columns are present in every frame${layout.skipped.length ? ` (skipped: ${layout.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : ''}`);
      return simple('invariants', layout.dimension, () => layout.names, (f, out) => invariantFeatures(f, layout, out), { columns: layout.columns, skipped: layout.skipped });
    },
  },
];

function acsfSpec(id: 'acsf-sum' | 'acsf-mean'): RepresentationSpec {
  const how = id === 'acsf-sum' ? 'sum' : 'mean';
  return {
    id,
    title: `Atom-centred symmetry functions, ${how} per element`,
    description: `Behler G2/G4 symmetry functions (n2p2 definitions, cutoff 5 Å) of every atom, ${how === 'sum' ? 'summed' : 'averaged'} over the atoms of each element.`,
    citation: 'Behler, J. Chem. Phys. 134, 074106 (2011); Singraber et al., JCTC 15, 1827 (2019)',
    invariances: ALL,
    sizeExtensive: how === 'sum',
    extensivityNote: how === 'sum' ? 'local (5 Å cutoff) and summed: x(A ∪ B) = x(A) + x(B) once A and B are farther apart than the cutoff' : 'a mean is intensive: two copies of A far apart have the features of one A',
    costScaling: 'O(N) at fixed density (neighbours within the cutoff, angular triplets)',
    defaultMetric: 'l2',
    fit(frames) {
      const layout = fitAcsfLayout(frames);
      return simple(id, layout.dimension, () => acsfFeatureNames(layout, how), (f, out) => acsfPooled(f, layout, how, out), {
        species: layout.species.symbols,
        per_atom: layout.perAtom,
        cutoff_a: layout.config.cutoffA,
      });
    },
  };
}

function packedNames(nMax: number): string[] {
  const names: string[] = [];
  for (let i = 0; i < nMax; i++) for (let j = 0; j <= i; j++) names.push(`M[${i},${j}]`);
  return names;
}

export function representationById(id: string): RepresentationSpec | undefined {
  return REPRESENTATIONS.find((r) => r.id === id);
}

/**
 * Features of many frames as one row-major matrix [n·d] (float64). Reports progress every 256
 * frames; errors name the frame.
 */
export function featurizeAll(featurizer: Featurizer, frames: readonly Frame[], onProgress?: (done: number, total: number) => void): Float64Array {
  const d = featurizer.dimension;
  const X = new Float64Array(frames.length * d);
  for (let i = 0; i < frames.length; i++) {
    try {
      featurizer.featurize(frames[i], X.subarray(i * d, (i + 1) * d));
    } catch (e) {
      throw new Error(`frame ${i}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (onProgress && (i % 256 === 255 || i === frames.length - 1)) onProgress(i + 1, frames.length);
  }
  return X;
}
