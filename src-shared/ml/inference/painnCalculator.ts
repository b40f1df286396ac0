// Fast float64 Calculator for a saved PaiNN model (painnFast.ts; WebAssembly SIMD kernels of
// kernels/painn.ts where they load, else TypeScript), without tfjs: a Verlet half list
// kept between calls (pairGeometry.ts, cutoff + skin; the smooth cutoff makes the skin change
// nothing but the rebuild rate), the engine's forward and reverse passes, then forces and the
// virial stress from dE/dd_p. Models with the direct-force head return the head's forces (not
// -dE/dR, as predict.ts does) and the conservative stress.
import type { AtomicSystem, CalcProperty, CalcRequest, CalcResult } from '../../calculators/calculator';
import { prepareOutput } from '../../potentials/calculatorKit';
import { atomicNumber } from '../../atoms/elements';
import type { SavedModel } from '../models/serialization';
import type { FastCalculatorOptions, FastModelCalculator } from './bpnnCalculator';
import { createPairGeometry, gatherPairs, pairForces, stressFromVirial } from './pairGeometry';
import { painnEngine } from './painnFast';

const PROPS: readonly CalcProperty[] = ['energy', 'forces', 'stress', 'energies'];

export function painnCalculator(saved: SavedModel, opts: FastCalculatorOptions = {}): FastModelCalculator {
  if (saved.type !== 'painn') throw new Error(`painnCalculator: model type "${saved.type}" is not painn`);
  const engine = painnEngine(saved, { kernel: opts.kernel, filterTable: opts.filterTable });
  const c = engine.config;
  const skinA = opts.skinA ?? 1.0;
  const geom = createPairGeometry({ cutoffA: c.cutoffA, skinA });
  const byZ = new Int32Array(119).fill(-1);
  saved.species.forEach((sym, s) => (byZ[atomicNumber(sym)] = s));
  const e0 = Float64Array.from(saved.e0.valuesEv);
  let species = new Int32Array(0), energies = new Float64Array(0);
  const virial = new Float64Array(9);
  return {
    name: `painn(${saved.species.join(',')}, F=${c.features}, L=${c.layers}, cutoff=${c.cutoffA} Å, float64 ${engine.kind}${engine.filterTable ? `, filter table ${engine.filterTable.intervals}` : ''}${c.directForces ? ', direct forces' : ''})`,
    implementedProperties: PROPS,
    cutoffA: c.cutoffA,
    skinA,
    kernel: engine.kind,
    get neighborListBuilds() {
      return geom.cache.builds;
    },
    reset: () => geom.cache.reset(),
    compute(system: AtomicSystem, request: CalcRequest = {}, out?: CalcResult): CalcResult {
      const n = system.numbers.length;
      const o = prepareOutput(system, request, out);
      if (species.length < n) {
        species = new Int32Array(n);
        energies = new Float64Array(n);
      }
      for (let a = 0; a < n; a++) {
        const z = system.numbers[a], s = z >= 0 && z < 119 ? byZ[z] : -1;
        if (s < 0) throw new Error(`element Z=${z} is not one of the model's species ${saved.species.join(', ')}`);
        species[a] = s;
      }
      gatherPairs(geom, system);
      const direct = c.directForces && !!o.forces;
      const grads = (!!o.forces && !direct) || o.stress;
      let e = engine.evaluate(geom, species, energies, grads, direct ? o.forces! : null);
      for (let a = 0; a < n; a++) {
        energies[a] += e0[species[a]];
        e += e0[species[a]];
      }
      o.out.energyEv = e;
      if (o.energies) for (let a = 0; a < n; a++) o.energies[a] = energies[a];
      if (grads) {
        pairForces(geom, direct ? null : o.forces, o.stress ? virial : null);
        if (o.stress) {
          const s = o.out.stressEvPerA3 && o.out.stressEvPerA3.length === 9 ? o.out.stressEvPerA3 : new Float64Array(9);
          o.out.stressEvPerA3 = stressFromVirial(virial, o.volumeA3, s);
        }
      }
      return o.out;
    },
  };
}
