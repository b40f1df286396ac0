// A saved model's run folder as a calculator: `--model RUNDIR` runs the float64 fast path by default
// and the tfjs graph with `--model-engine graph` (the two agree within float32), Δ-models add their
// baseline on either engine, a type the fast path cannot run falls back to the graph with a note,
// and `md --model RUNDIR` runs end to end on the fast path.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AtomicSystem, Calculator } from '../../src-shared/calculators/calculator';
import { extxyzFormat } from '../../src-shared/io/formats/extxyz';
import { readText } from '../../src-shared/io/read';
import { diamondSilicon, maxRelativeError, modelFromFrames } from '../../src-shared/ml/inference/fixtures';
import { loadBehlerParrinello, parseBehlerParrinelloConfig } from '../../src-shared/ml/models/behlerParrinello';
import { registerModelType } from '../../src-shared/ml/models/registry';
import type { SavedModel } from '../../src-shared/ml/models/serialization';
import { defaultSymmetryFunctions } from '../../src-shared/ml/models/symmetryFunctions';
import { useBackend } from '../../src-shared/ml/testing/tfTesting';
import { calculatorFromSpec } from '../../src-shared/potentials/registry';
import { parseArgs } from '../cli/args';
import { calculatorFromOptions } from '../cli/calculatorOption';
import { SIMULATION_COMMANDS } from '../cli/simulate';
import { modelCalculatorFromSaved, parseModelSpec } from './modelFiles';
import { saveModelFiles } from './runFolder';

function siFrames() {
  const read = readText(extxyzFormat, readFileSync('resources/examples/Si_mlearn_test.xyz', 'utf8'), { fileName: 'Si_mlearn_test.xyz' });
  if (!read.ok) throw new Error('cannot read the Si example');
  return read.frames.slice(0, 6);
}

const BPNN = { symmetryFunctions: defaultSymmetryFunctions({ cutoffA: 4.2, angularCutoffA: 3.5, nRadial: 5, nAngularEta: 1 }), hidden: [8], activation: 'tanh' };
const PAINN = { cutoffA: 4.0, features: 8, radialBasis: 6, layers: 2, headHidden: [8] };

async function savedModels(): Promise<Record<'bpnn' | 'painn', SavedModel>> {
  const { tf } = await useBackend('cpu');
  const frames = siFrames();
  const out: Record<string, SavedModel> = {};
  for (const [type, config] of [['bpnn', BPNN], ['painn', PAINN]] as const) {
    const { model } = modelFromFrames(tf, type, config, frames, 2);
    out[type] = model.save();
    model.dispose();
  }
  return out as Record<'bpnn' | 'painn', SavedModel>;
}

const SYS: AtomicSystem = diamondSilicon(1, { rattleA: 0.1, seed: 4 });
const REQ = { forces: true, stress: true, energies: true };

function agree(a: Calculator, b: Calculator) {
  a.reset?.();
  b.reset?.();
  const x = a.compute(SYS, REQ), y = b.compute(SYS, REQ);
  return { dE: Math.abs(x.energyEv - y.energyEv) / Math.abs(y.energyEv), dF: maxRelativeError(x.forcesEvPerA!, y.forcesEvPerA!), dS: maxRelativeError(x.stressEvPerA3!, y.stressEvPerA3!), x, y };
}

afterEach(() => vi.restoreAllMocks());

describe('model run folders as calculators', async () => {
  const saved = await savedModels();

  it('--model RUNDIR runs the fast float64 path; --model-engine graph the tfjs graph; they agree within float32', async () => {
    for (const type of ['bpnn', 'painn'] as const) {
      const dir = mkdtempSync(join(tmpdir(), `mf-${type}-`));
      saveModelFiles(dir, saved[type]);
      const fast = await calculatorFromOptions({ model: dir });
      const graph = await calculatorFromOptions({ model: dir, 'model-engine': 'graph' });
      if (typeof fast === 'string' || typeof graph === 'string') throw new Error(String(fast) + String(graph));
      expect(fast.name).toMatch(/float64 (wasm-simd|ts)/);
      expect(graph.name).toMatch(/tfjs graph/);
      const d = agree(fast, graph);
      expect(d.dE).toBeLessThan(1e-6);
      expect(d.dF).toBeLessThan(1e-4);
      expect(d.dS).toBeLessThan(1e-4);
    }
    expect(await calculatorFromOptions({ model: 'x', 'model-engine': 'gpu' })).toMatch(/--model-engine must be fast or graph/);
    expect(await calculatorFromOptions({ potential: 'zbl', 'model-engine': 'fast' })).toMatch(/--model-engine needs --model/);
  });

  it('Δ-model: fast = baseline + fast correction, and = the graph Δ-model within float32', async () => {
    const delta: SavedModel = { ...saved.bpnn, metadata: { ...saved.bpnn.metadata, baseline: { kind: 'potential', spec: 'lj:epsilon=0.02,sigma=2.1,cutoff=5' } } };
    const fast = await modelCalculatorFromSaved(delta, 'delta', { engine: 'fast' });
    const graph = await modelCalculatorFromSaved(delta, 'delta', { engine: 'graph' });
    const correction = await modelCalculatorFromSaved(saved.bpnn, 'correction', { engine: 'fast' });
    const base = calculatorFromSpec('lj:epsilon=0.02,sigma=2.1,cutoff=5');
    if ('error' in base) throw new Error(base.error);
    const b = base.calculator.compute(SYS, REQ), c = correction.compute(SYS, REQ);
    const bE = b.energyEv, bF = b.forcesEvPerA!.slice(), cE = c.energyEv, cF = c.forcesEvPerA!.slice();
    expect(Math.abs(bE)).toBeGreaterThan(1e-3); // the baseline contributes
    const d = agree(fast, graph);
    expect(Math.abs(d.x.energyEv - (bE + cE))).toBeLessThan(1e-10);
    for (let k = 0; k < bF.length; k++) expect(Math.abs(d.x.forcesEvPerA![k] - (bF[k] + cF[k]))).toBeLessThan(1e-10);
    expect(d.dE).toBeLessThan(1e-6);
    expect(d.dF).toBeLessThan(1e-4);
    expect(fast.name).toMatch(/^lj.*\+ Δ bpnn model \(delta\), float64/);
  });

  it('a type without a fast path falls back to the graph and says so', async () => {
    registerModelType({ name: 'bpnn-graph-only', label: 'test', description: 'bpnn under another name', fitting: 'gradient', defaultConfig: () => parseBehlerParrinelloConfig({}), parseConfig: parseBehlerParrinelloConfig, graphSpec: () => ({ cutoffA: 4.2 }), create: () => { throw new Error('not used'); }, load: (tf, s) => loadBehlerParrinello(tf, { ...s, type: 'bpnn' }) });
    const notes: string[] = [];
    const calc = await modelCalculatorFromSaved({ ...saved.bpnn, type: 'bpnn-graph-only' }, 'odd', { engine: 'fast', onNote: (m) => notes.push(m) });
    expect(notes.join()).toMatch(/odd: model type "bpnn-graph-only" has no fast inference path.*using the tfjs graph/);
    expect(calc.name).toMatch(/tfjs graph \(fast path unavailable\)/);
    const ref = await modelCalculatorFromSaved(saved.bpnn, 'ref', { engine: 'fast' });
    expect(agree(calc, ref).dE).toBeLessThan(1e-6);
  });

  it('model specs of the MD host: model:RUNID[,engine=fast|graph]', () => {
    expect(parseModelSpec('model:r1')).toEqual({ runRef: 'model:r1', engine: 'fast' });
    expect(parseModelSpec('model:r1,engine=graph')).toEqual({ runRef: 'model:r1', engine: 'graph' });
    expect(parseModelSpec('model:r1,engine=gpu')).toEqual({ error: expect.stringMatching(/unknown option "engine=gpu"/) });
  });

  it('md --model RUNDIR runs NVE on the fast path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-md-'));
    mkdirSync(join(dir, 'run'));
    saveModelFiles(join(dir, 'run'), saved.painn);
    const xyz = join(dir, 'si.xyz');
    const s = diamondSilicon(1, { rattleA: 0.05, seed: 8 });
    writeFileSync(xyz, `8\nLattice="${Array.from(s.cellA!).join(' ')}" Properties=species:S:1:pos:R:3 pbc="T T T"\n${Array.from({ length: 8 }, (_, a) => `Si ${s.positionsA[3 * a]} ${s.positionsA[3 * a + 1]} ${s.positionsA[3 * a + 2]}`).join('\n')}\n`);
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const md = SIMULATION_COMMANDS.find((c) => c.spec.name === 'md')!;
    const code = await md.run(parseArgs(md.spec, [xyz, '--model', join(dir, 'run'), '--dt-fs', '0.5', '--steps', '20', '--temperature-k', '300', '--out', join(dir, 't.xyz'), '--thermo', join(dir, 't.csv'), '--json']));
    expect(code).toBe(0);
    const j = JSON.parse(out.join('\n'));
    expect(j.status).toBe('finished');
    expect(j.potential).toMatch(/painn model .*float64 (wasm-simd|ts)/);
  });
});
