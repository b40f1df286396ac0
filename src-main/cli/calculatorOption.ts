// The calculator a command works with: --potential SPEC (a classical potential from the registry)
// or --model RUNDIR (a trained model's run folder, evaluated on the float64 fast inference path, or
// the tfjs training graph with --model-engine graph). One place for calc, md, relax, audit and
// eval, so they accept the same forms.
import type { Calculator } from '../../src-shared/calculators/calculator';
import type { OptionSpec } from './args';
import { MODEL_ENGINES, modelCalculatorFromDir, type ModelEngine } from '../ml/modelFiles';
import { join } from 'node:path';
import { calculatorFromSpec } from '../../src-shared/potentials/registry';
import { committeeFiles, committeeFromFiles } from '../ml/committeeMd';
import { RESOURCES_DIR } from '../node/paths';
import { resolvePotential } from '../node/potentialFiles';

/** A classical potential from its SPEC (bundled:NAME and file paths resolved). */
export function calculatorFromCli(spec: string | undefined): Calculator | string {
  if (!spec) return 'a potential is required: --potential SPEC (see `atomforge help calc`)';
  const r = resolvePotential({ spec }, { bundledDir: join(RESOURCES_DIR, 'potentials'), allowPath: () => true });
  if ('error' in r) return r.error;
  const c = calculatorFromSpec(r.spec, r.fileText);
  return 'error' in c ? c.error : c.calculator;
}


export const MODEL_ENGINE_OPTION: OptionSpec = {
  name: 'model-engine',
  type: 'string',
  valueName: 'fast|graph',
  help: 'with --model: fast = float64 inference path (default; falls back to graph with a note), graph = the tfjs training graph (float32)',
};

export const CALCULATOR_OPTIONS: OptionSpec[] = [
  {
    name: 'potential',
    type: 'string',
    valueName: 'SPEC',
    help: 'lj:epsilon=0.0104,sigma=3.40,cutoff=8.5 | morse:... | zbl | eam:FILE | sw:FILE (sw:bundled:Si_StillingerWeber1985.sw)',
  },
  { name: 'model', type: 'string', valueName: 'RUNDIR', help: 'a trained model (the run folder written by `train`, or a committee folder: its mean)' },
  MODEL_ENGINE_OPTION,
];

export async function calculatorFromOptions(o: Record<string, string | boolean>): Promise<Calculator | string> {
  const model = typeof o.model === 'string' ? o.model : undefined;
  const potential = typeof o.potential === 'string' ? o.potential : undefined;
  if (model !== undefined && potential !== undefined) return 'give either --potential SPEC or --model RUNDIR, not both';
  const engine = typeof o['model-engine'] === 'string' ? o['model-engine'] : 'fast';
  if (!MODEL_ENGINES.includes(engine as ModelEngine)) return `--model-engine must be fast or graph, got "${engine}"`;
  if (model === undefined && o['model-engine'] !== undefined) return '--model-engine needs --model RUNDIR';
  if (model !== undefined) {
    try {
      // a committee folder (issue 6) evaluates as the committee mean
      const members = committeeFiles(model);
      if (members) return await committeeFromFiles(`${model},engine=${engine}`, members, (m) => console.error(`atomforge: note: ${m}`));
      return await modelCalculatorFromDir(model, { engine: engine as ModelEngine, onNote: (m) => console.error(`atomforge: note: ${m}`) });
    } catch (e) {
      return `--model ${model}: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  if (potential === undefined) return 'a calculator is required: --potential SPEC or --model RUNDIR';
  return calculatorFromCli(potential);
}
