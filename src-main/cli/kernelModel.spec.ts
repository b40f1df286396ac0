// The kernel model (GAP-style sparse kernel, models/kernel.ts) through the product: `train --model
// kernel` on the bundled Si example (closed-form fit, progress logged), `eval --json`, the run
// folder as a calculator on both engines (float32 tfjs graph and the float64 fast path), and a
// stop request during the fit.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFramesFromPath } from '../node/readFile';
import { modelCalculatorFromDir } from '../ml/modelFiles';
import { runTrainJob } from '../ml/trainJob';
import { runCli, type CliResult } from '../../test-support/cliRun';
import { TRAIN_COMMANDS } from './train';
import type { Frame } from '../../src-shared/atoms/frame';
import { defaultSymmetryFunctions, featureLayout } from '../../src-shared/ml/models/symmetryFunctions';

const SI = join('resources', 'examples', 'Si_mlearn_test.xyz');
const MODEL = { sparsePoints: 120, lengthScale: 2, regularization: 1e-6, symmetryFunctions: defaultSymmetryFunctions({ cutoffA: 4.5, angularCutoffA: 4.5, nRadial: 5, nAngularEta: 2, zeta: [1, 4] }) };
const cmd = (name: string) => TRAIN_COMMANDS.find((c) => c.spec.name === name)!;

let dir: string, frames: Frame[], trained: CliResult;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atomforge-kernel-'));
  writeFileSync(join(dir, 'cfg.json'), JSON.stringify({ model: MODEL, split: { method: 'random', validFraction: 0.2, seed: 0 } }));
  trained = await runCli(cmd('train'), [SI, '--model', 'kernel', '--out', join(dir, 'run'), '--config', join(dir, 'cfg.json'), '--backend', 'cpu']);
  const r = await readFramesFromPath(SI, {});
  if ('error' in r || !r.result.ok) throw new Error('fixture');
  frames = r.result.frames;
}, 120_000);

describe('train --model kernel', () => {
  it('fits in closed form, logs the sparse points and records the model card', () => {
    expect(trained.code, trained.err).toBe(0);
    expect(trained.err).toMatch(/closed-form fit: .*"sparsePoints":\{"Si":120\}/);
    expect(trained.err).toMatch(/done \(closed_form\): validation energy MAE/);
    const card = JSON.parse(readFileSync(join(dir, 'run', 'model.json'), 'utf8')).metadata.card;
    expect(card.modelType).toBe('kernel');
    expect(card.architecture).toMatch(/Sparse kernel .*sparsePoints 120; lengthScale 2/);
    expect(card.parameterCount).toBe(featureLayout(MODEL.symmetryFunctions, 1).nFeatures + 1 + 120); // w (F) + b + α
  });

  it('eval --json scores it; the fast float64 path and the float32 graph agree', async () => {
    const ev = await runCli(cmd('eval'), ['--model', join(dir, 'run'), SI, '--json']);
    expect(ev.code, ev.err).toBe(0);
    const j = JSON.parse(ev.out.trim().split('\n').pop()!);
    expect(j.frames).toBe(25);
    expect(j.energy_mae_mev_per_atom).toBeGreaterThan(0);
    expect(j.energy_mae_mev_per_atom).toBeLessThan(20);
    expect(j.force_mae_ev_per_a).toBeLessThan(0.3);
    const notes: string[] = [];
    const fast = await modelCalculatorFromDir(join(dir, 'run'), { engine: 'fast', onNote: (m) => notes.push(m) });
    const graph = await modelCalculatorFromDir(join(dir, 'run'), { engine: 'graph' });
    expect(notes).toEqual([]);
    expect(fast.name).toMatch(/float64 ts/);
    for (const f of frames.slice(0, 4)) {
      const a = fast.compute(f, { forces: true }), b = graph.compute(f, { forces: true });
      expect(Math.abs(a.energyEv - b.energyEv) / f.numbers.length).toBeLessThan(2e-4);
      a.forcesEvPerA!.forEach((v, q) => expect(Math.abs(v - b.forcesEvPerA![q])).toBeLessThan(2e-3));
    }
  });

  it('a stop request during the fit ends the job with a clear message and no model', async () => {
    const ac = new AbortController();
    const logs: string[] = [];
    ac.abort();
    const r = await runTrainJob(
        {
          runId: 'k-stop',
          runDir: join(dir, 'stopped'),
          label: 'stop test',
          datasetName: 'Si_mlearn_test.xyz',
          frames,
          settings: { modelType: 'kernel', modelConfig: MODEL, backend: 'cpu', split: { method: 'random', validFraction: 0.2, seed: 0 } } as never,
        },
        { log: (m) => logs.push(m), signal: ac.signal },
      );
    expect(r.state).toBe('stopped');
    expect(r.message).toMatch(/stopped during the closed-form fit: no model was saved/);
    expect(existsSync(join(dir, 'stopped', 'model.json'))).toBe(false);
  });
});
