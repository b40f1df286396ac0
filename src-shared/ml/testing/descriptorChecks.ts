// Finite-difference check of a descriptor's explicit edge Jacobian (descriptorsF64 with derivatives):
// each tested edge vector r_p is moved alone (the function of edge vectors the derivative refers to),
// by central differences, and compared with D[(p·F + m)·3 + x] for every feature m of its centre.
import type { FrameGraph } from '../data/graph';
import { descriptorsF64, featureLayout, type SymmetryFunctionConfig } from '../models/symmetryFunctions';

/** Largest deviation and largest finite-difference value over every `stride`-th edge. */
export function edgeJacobianError(c: SymmetryFunctionConfig, g: FrameGraph, species: Int32Array, nSpecies: number, stride: number, h = 1e-6): { worst: number; largest: number } {
  const { edgeDerivatives: D } = descriptorsF64(c, g, species, nSpecies, true);
  const F = featureLayout(c, nSpecies).nFeatures, v = g.edgeVectorsA;
  let worst = 0, largest = 0;
  for (let p = 0; p < g.edgeI.length; p += stride) {
    for (let x = 0; x < 3; x++) {
      const x0 = v[3 * p + x];
      v[3 * p + x] = x0 + h;
      const gp = descriptorsF64(c, g, species, nSpecies).values;
      v[3 * p + x] = x0 - h;
      const gm = descriptorsF64(c, g, species, nSpecies).values;
      v[3 * p + x] = x0;
      const i = g.edgeI[p];
      for (let m = 0; m < F; m++) {
        const fd = (gp[i * F + m] - gm[i * F + m]) / (2 * h);
        worst = Math.max(worst, Math.abs(fd - D![(p * F + m) * 3 + x]));
        largest = Math.max(largest, Math.abs(fd));
      }
    }
  }
  return { worst, largest };
}
