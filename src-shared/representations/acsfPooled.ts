// Atom-centred symmetry functions pooled per structure. Behler's G2/G4 functions (Behler, J. Chem.
// Phys. 134, 074106 (2011), Eqs. 6 and 8) with n2p2's definitions are computed per atom by the
// float64 reference implementation of the ML engine (src-shared/ml/models/symmetryFunctions.ts,
// `descriptorsF64`; reused, not duplicated), then pooled by centre element:
//
//   sum:  x_s = Σ_{i : Z_i = s} G_i          (size-extensive: two fragments farther apart than the
//                                             cutoff give x(A ∪ B) = x(A) + x(B), so any linear
//                                             model on it is an atomic-energy model, E = Σ_i w_s·G_i)
//   mean: x_s = x_s(sum) / #{i : Z_i = s}    (intensive; 0 for an absent element)
//
// plus, per element, the pooled constant 1: the atom count n_s (sum) or the fraction n_s/N (mean),
// so that a linear model has a per-element offset (E = Σ_s n_s E0_s + ...). Concatenated over the
// dataset's elements (ascending Z): S·(F + 1) numbers, F = symmetry functions per atom.
// Invariant to translation, rotation, reflection and permutation (G_i are; pooling is a sum).
// Cost O(N·n_neigh²) with a cutoff (angular triplets), i.e. linear in N at fixed density.
import type { Frame } from '../atoms/frame';
import { buildFrameGraph } from '../ml/data/graph';
import { speciesIndices, speciesOfFrames, type SpeciesTable } from '../ml/data/species';
import { checkSymmetryFunctions, defaultSymmetryFunctions, descriptorsF64, featureLayout, featureNames, graphSpecOf, type SymmetryFunctionConfig } from '../ml/models/symmetryFunctions';

export interface AcsfLayout {
  species: SpeciesTable;
  config: SymmetryFunctionConfig;
  /** F: symmetry functions per atom. */
  perAtom: number;
  /** S·(F + 1): per element the pooled functions and the count (or fraction). */
  dimension: number;
}

/** Species from the frames; default functions: n2p2-style G2 (8 shifted + 1) and G4 (cutoff 5 Å). */
export function fitAcsfLayout(frames: readonly Pick<Frame, 'numbers'>[], config: SymmetryFunctionConfig = defaultSymmetryFunctions({ cutoffA: 5, nRadial: 8, nAngularEta: 2, zeta: [1, 4] })): AcsfLayout {
  checkSymmetryFunctions(config);
  const species = speciesOfFrames(frames);
  const F = featureLayout(config, species.numbers.length).nFeatures;
  return { species, config, perAtom: F, dimension: species.numbers.length * (F + 1) };
}

/** Per-atom G_i of one structure: values [N·F] and the species index [N] of each atom. */
export function acsfPerAtom(frame: Pick<Frame, 'numbers' | 'positionsA' | 'cellA' | 'pbc'>, layout: AcsfLayout): { values: Float64Array; species: Int32Array } {
  const species = speciesIndices(layout.species, frame.numbers);
  const g = buildFrameGraph(frame, graphSpecOf(layout.config));
  const { values } = descriptorsF64(layout.config, g, species, layout.species.numbers.length, false);
  return { values, species };
}

/** Pooled per-centre-element sum or mean with the count (fraction) last in each block, [S·(F+1)]. */
export function acsfPooled(frame: Pick<Frame, 'numbers' | 'positionsA' | 'cellA' | 'pbc'>, layout: AcsfLayout, how: 'sum' | 'mean', out?: Float64Array): Float64Array {
  const F = layout.perAtom, S = layout.species.numbers.length, B = F + 1;
  const v = out ?? new Float64Array(layout.dimension);
  v.fill(0, 0, layout.dimension);
  const { values, species } = acsfPerAtom(frame, layout);
  for (let i = 0; i < species.length; i++) {
    const s = species[i];
    v[s * B + F]++;
    for (let f = 0; f < F; f++) v[s * B + f] += values[i * F + f];
  }
  if (how === 'mean')
    for (let s = 0; s < S; s++) {
      const c = v[s * B + F];
      if (c > 0) for (let f = 0; f < F; f++) v[s * B + f] /= c;
      v[s * B + F] = species.length ? c / species.length : 0;
    }
  return v;
}

/** Feature names "C: G2[H] eta=… rs=…", per centre element. */
export function acsfFeatureNames(layout: AcsfLayout, how: 'sum' | 'mean'): string[] {
  const names = featureNames(layout.config, layout.species.symbols);
  return layout.species.symbols.flatMap((c) => [...names.map((n) => `${how}[${c}] ${n}`), how === 'sum' ? `count[${c}]` : `fraction[${c}]`]);
}
