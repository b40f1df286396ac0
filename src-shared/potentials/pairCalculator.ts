// The scaffold shared by the pair potentials (LJ, Morse, ZBL): a Calculator whose compute() keeps
// the neighbour list (neighborCache.ts: half list, ghost atoms for periodic images), hands the pair
// loop flat arrays, and turns its sums into the result (forces folded back from ghosts, stress
// from the virial, per-atom energies). Each potential supplies only its loops, as plain module
// functions over typed arrays (no closures or allocation per pair):
//   - `general`: any species, optional per-atom energies and virial;
//   - `fast` (optional): one species, forces and energy only, the MD hot path.
// A pair loop follows LAMMPS's pair_*.cpp compute(): for each i, each partner j within the
// cutoff, del = x_i - x_j, fpair = -(dE/dr)/r, f_i += del·fpair, f_j -= del·fpair (Newton's
// third law on a half list), energy E(r) added once, per-atom energies half to i and half to j,
// virial W += del ⊗ del · fpair.
import type { AtomicSystem, CalcProperty } from '../calculators/calculator';
import { prepareOutput, writeStress, type ClassicalCalculator } from './calculatorKit';
import { createNeighborCache } from './neighborCache';

export interface PairLoopArgs {
  /** Real atoms N (rows of the list). */
  n: number;
  /** [3(N+G)] positions of atoms and ghosts (Å). */
  xe: Float64Array;
  /** [N+1] pairs of atom i are p in [rowStart[i], rowStart[i+1]). */
  rowStart: Int32Array;
  /** [count] partner of each pair, extended numbering. */
  jExt: Int32Array;
  /** [3(N+G)] forces to accumulate into (zeroed). */
  fe: Float64Array;
  /** [N+G] species per atom and ghost. */
  species: Int32Array;
  nSpecies: number;
  /** [N+G] per-atom energies to accumulate into (zeroed), or null. */
  energies: Float64Array | null;
  /** Accumulate the virial. */
  virial: boolean;
  /** Output: [energy, Wxx, Wyy, Wzz, Wxy, Wxz, Wyz]. */
  acc: Float64Array;
}

export type PairLoop<T> = (a: PairLoopArgs, tables: T) => void;

export interface PairSetup<T> {
  /** [N] species per atom (0..T-1), validated. */
  species: Int32Array;
  nSpecies: number;
  tables: T;
}

export interface PairCalculatorSpec<T> {
  name: string;
  cutoffA: number;
  skinA: number;
  /** Species and parameter tables for a system, written into `out` (throws for uncovered elements). */
  setup(system: AtomicSystem, out: PairSetup<T>): void;
  general: PairLoop<T>;
  fast?: PairLoop<T>;
}

const PROPS: readonly CalcProperty[] = ['energy', 'forces', 'stress', 'energies'];

export function createPairCalculator<T>(spec: PairCalculatorSpec<T>): ClassicalCalculator {
  const cache = createNeighborCache({ cutoffA: spec.cutoffA, skinA: spec.skinA, half: true });
  const acc = new Float64Array(7);
  const setup = { species: new Int32Array(0), nSpecies: 0, tables: undefined as unknown as T };
  let fe = new Float64Array(0);
  let ee = new Float64Array(0);
  let se = new Int32Array(0);
  const args: PairLoopArgs = {
    n: 0, xe: fe, rowStart: new Int32Array(1), jExt: new Int32Array(0), fe, species: se, nSpecies: 1, energies: null, virial: false, acc,
  };
  return {
    name: spec.name,
    implementedProperties: PROPS,
    cutoffA: spec.cutoffA,
    skinA: spec.skinA,
    get neighborListBuilds() {
      return cache.builds;
    },
    reset: () => cache.reset(),
    compute(system, request = {}, out) {
      const n = system.numbers.length;
      const o = prepareOutput(system, request, out);
      spec.setup(system, setup);
      const { species, nSpecies, tables } = setup;
      const list = cache.refresh(system);
      const nExt = n + cache.nGhosts;
      if (fe.length < 3 * nExt) fe = new Float64Array(3 * nExt + 48);
      fe.fill(0, 0, 3 * nExt);
      args.n = n;
      args.xe = cache.positionsExtA;
      args.rowStart = list.rowStart;
      args.jExt = cache.jExt;
      args.fe = fe;
      args.nSpecies = nSpecies;
      args.virial = o.stress;
      acc.fill(0);
      if (o.energies) {
        if (ee.length < nExt) ee = new Float64Array(nExt + 16);
        ee.fill(0, 0, nExt);
        args.energies = ee;
      } else args.energies = null;
      if (spec.fast && nSpecies === 1 && !o.energies && !o.stress) {
        args.species = se;
        spec.fast(args, tables);
      } else {
        if (se.length < nExt) se = new Int32Array(nExt + 16);
        cache.extendScalars(species, se);
        args.species = se;
        spec.general(args, tables);
      }
      if (o.forces) cache.foldVectors(fe, o.forces);
      if (o.energies) {
        cache.foldScalars(ee);
        const ea = o.energies;
        for (let a = 0; a < n; a++) ea[a] = ee[a];
      }
      o.out.energyEv = acc[0];
      if (o.stress) writeStress(o.out, o.volumeA3, acc[1], acc[2], acc[3], acc[4], acc[5], acc[6]);
      return o.out;
    },
  };
}
