// A trained model as a Calculator (calculators/calculator.ts), usable wherever a classical
// potential is (MD, relaxation, elastic constants, audits). Each call builds the neighbour graph
// in float64 (exact cutoff, no skin: the model's cutoff function is smooth, so no energy jump), runs
// the model as a batch of one in float32 tfjs, and maps outputs back to the caller's atom order.
// E0 is added in float64. A float64 inference path for long NVE runs is a later issue.
import type { AtomicSystem, CalcRequest, CalcResult, Calculator } from '../../calculators/calculator';
import { prepareOutput } from '../../potentials/calculatorKit';
import { assembleGraphBatch, graphTensors } from '../data/batch';
import { buildFrameGraph } from '../data/graph';
import { speciesIndices } from '../data/species';
import type { AtomisticModel } from './model';
import { predict } from './predict';
import { readTidy } from '../tf/tidy';

export function modelCalculator(model: AtomisticModel, name?: string): Calculator {
  const tf = model.tf;
  return {
    name: name ?? `${model.type}(${model.species.symbols.join(',')}, cutoff=${model.graphSpec.cutoffA} Å)`,
    implementedProperties: ['energy', 'forces', 'stress', 'energies'],
    cutoffA: model.graphSpec.cutoffA,
    compute(system: AtomicSystem, request: CalcRequest = {}, out?: CalcResult): CalcResult {
      const o = prepareOutput(system, request, out);
      const species = speciesIndices(model.species, system.numbers);
      const graph = buildFrameGraph(system, model.graphSpec);
      const host = assembleGraphBatch([{ graph, species }], model.species.numbers.length);
      host.volumeA3[0] = o.stress ? o.volumeA3 : 0;
      const res = readTidy(tf, () => {
        const t = graphTensors(tf, host);
        t.extra = model.prepareBatch(host);
        const p = predict(model, t, { forces: !!request.forces, stress: o.stress });
        return { atomE: p.atomicEnergiesEv, forces: p.forcesEvPerA, stress: p.stressEvPerA3 };
      });
      const atomE = res.atomE!, forces = res.forces, stress = res.stress;
      let e = 0;
      for (let q = 0; q < host.nAtoms; q++) {
        const a = host.atomOrigin[q];
        const ea = atomE[q] + model.e0.valuesEv[species[a]];
        e += ea;
        if (o.energies) o.energies[a] = ea;
        if (o.forces && forces) {
          o.forces[3 * a] = forces[3 * q];
          o.forces[3 * a + 1] = forces[3 * q + 1];
          o.forces[3 * a + 2] = forces[3 * q + 2];
        }
      }
      o.out.energyEv = e;
      if (stress) {
        const s = o.out.stressEvPerA3 && o.out.stressEvPerA3.length === 9 ? o.out.stressEvPerA3 : new Float64Array(9);
        for (let k = 0; k < 9; k++) s[k] = stress[k];
        o.out.stressEvPerA3 = s;
      }
      return o.out;
    },
  };
}
