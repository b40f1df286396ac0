// Per-group loss weights (issue 4, "per-group weights") from cfg.json through `train` to the fit:
// a linear model (closed-form, fast) on the bundled Si example, once unweighted and once with the
// two Surface frames weighted 50x. Known answer: the weighted fit reproduces the Surface energies
// better and the other groups' energies no better (a weighted least-squares fit trades the rest
// for the weighted group); the run folder records the weights; a group named in the settings that
// no frame has is warned about.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFramesFromPath } from '../node/readFile';
import { modelCalculatorFromDir } from '../ml/modelFiles';
import { runCli, type CliResult } from '../../test-support/cliRun';
import { TRAIN_COMMANDS } from './train';
import type { Frame } from '../../src-shared/atoms/frame';
import { defaultSymmetryFunctions } from '../../src-shared/ml/models/symmetryFunctions';

const SI = join('resources', 'examples', 'Si_mlearn_test.xyz');
const MODEL = { ridge: 1e-6, symmetryFunctions: defaultSymmetryFunctions({ cutoffA: 4.5, angularCutoffA: 4.5, nRadial: 4, nAngularEta: 1, zeta: [1, 4] }) };
const train = TRAIN_COMMANDS.find((c) => c.spec.name === 'train')!;

afterEach(() => vi.restoreAllMocks());

let dir: string, frames: Frame[], plain: CliResult, weighted: CliResult;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atomforge-groupw-'));
  const cfg = (extra: object) => {
    const p = join(dir, `cfg-${Object.keys(extra).length}.json`);
    writeFileSync(p, JSON.stringify({ model: MODEL, split: { method: 'random', validFraction: 0, seed: 0 }, ...extra }));
    return p;
  };
  plain = await runCli(train, [SI, '--model', 'linear', '--out', join(dir, 'plain'), '--config', cfg({}), '--backend', 'cpu']);
  weighted = await runCli(train, [SI, '--model', 'linear', '--out', join(dir, 'weighted'), '--config', cfg({ groupWeights: { weights: { Surface: 50, Liquid: 3 } } }), '--backend', 'cpu']);
  const r = await readFramesFromPath(SI, {});
  if ('error' in r || !r.result.ok) throw new Error('fixture');
  frames = r.result.frames;
}, 120_000);

/** Energy MAE (meV/atom) of a trained run on the frames of one group, or of all other groups. */
async function groupMae(run: string, group: string, others = false): Promise<number> {
  const calc = await modelCalculatorFromDir(join(dir, run));
  const sel = frames.filter((f) => (f.info.config_type === group) !== others);
  let s = 0;
  for (const f of sel) s += Math.abs(calc.compute(f, { forces: false }).energyEv - f.energyEv!) / f.numbers.length;
  return (1000 * s) / sel.length;
}

describe('train: per-group loss weights from cfg.json', () => {
  it('both fits finish; the weights are logged, recorded and unknown groups warned about', () => {
    expect(plain.code, plain.err).toBe(0);
    expect(weighted.code, weighted.err).toBe(0);
    expect(weighted.err).toMatch(/group weights \(config_type\): .*Surface 50 \(2 frames\)/);
    expect(weighted.err).toMatch(/AIMD-NVT 1 \(10 frames\)/);
    expect(weighted.err).toMatch(/warning: group weight for "Liquid", but no frame has config_type=Liquid/);
    expect(plain.err).not.toMatch(/group weights/);
    const run = JSON.parse(readFileSync(join(dir, 'weighted', 'run.json'), 'utf8'));
    expect(run.settings.groupWeights).toEqual({ weights: { Surface: 50, Liquid: 3 } });
    const card = JSON.parse(readFileSync(join(dir, 'weighted', 'model.json'), 'utf8')).metadata.card;
    expect(card.groupWeights).toBe('config_type: Surface 50, Liquid 3, others 1');
  });

  it('weighting the Surface frames fits their energies better, at the others\' expense', async () => {
    const [sPlain, sWeighted] = [await groupMae('plain', 'Surface'), await groupMae('weighted', 'Surface')];
    const [oPlain, oWeighted] = [await groupMae('plain', 'Surface', true), await groupMae('weighted', 'Surface', true)];
    expect(sWeighted).toBeLessThan(0.5 * sPlain);
    expect(oWeighted).toBeGreaterThanOrEqual(oPlain * 0.999);
  });
});
