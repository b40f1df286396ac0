// Absurd settings are refused with a clear message before any work starts (issue 9), through the
// host API (Backend.dispatch, what IPC and the browser-mode socket call) and the CLI alike:
// negative or NaN time steps, 1e9 steps, a zero cutoff, a NaN learning rate, zero epochs, a
// dataset with nothing to train on, and a model file written by a future version of the program.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { defaultSymmetryFunctions } from '../../src-shared/ml/models/symmetryFunctions';
import { cleanupHomes, createTestHost, tempDir, writeFutureModel } from '../../test-support/hostHarness';
import { parseArgs, UsageError } from '../cli/args';
import { COMMANDS } from '../cli/commands';

afterAll(cleanupHomes);

const SW = { spec: 'sw:bundled:Si_StillingerWeber1985.sw' };
const NVE = { integrator: 'nve' as const, params: { dtFs: 1 }, steps: 10, seed: 1, thermoStride: 1, frameStride: 1 };
const SPLIT = { method: 'random' as const, validFraction: 0.1, seed: 1 };
const BP = { hidden: [8] };
const BP_CUTOFF_0 = { hidden: [8], symmetryFunctions: { ...defaultSymmetryFunctions(), cutoffA: 0 } };

/** Run a CLI command in this process as index.ts does (exit code, stderr lines). */
async function runCli(argv: string[]): Promise<{ code: number; stderr: string }> {
  const err: string[] = [];
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    const cmd = COMMANDS.find((c) => c.spec.name === argv[0])!;
    try {
      return { code: await cmd.run(parseArgs(cmd.spec, argv.slice(1))), stderr: err.join('\n') };
    } catch (e) {
      if (e instanceof UsageError) return { code: 2, stderr: `atomforge: ${e.message}` };
      return { code: 70, stderr: `atomforge: internal error: ${e instanceof Error ? e.stack : String(e)}` };
    }
  } finally {
    error.mockRestore();
    log.mockRestore();
  }
}

/** A small Si structure file without labels, and one frame with zero atoms. */
function unlabelledFiles(dir: string) {
  const nolabels = join(dir, 'nolabels.xyz');
  writeFileSync(nolabels, '2\nLattice="5 0 0 0 5 0 0 0 5" pbc="T T T"\nSi 0 0 0\nSi 1.3 1.3 1.3\n'.repeat(3));
  const noatoms = join(dir, 'noatoms.xyz');
  writeFileSync(noatoms, '0\nenergy=1.0\n');
  return { nolabels, noatoms };
}

describe('absurd settings through the host API', () => {
  it('MD: negative, NaN and huge time steps, 1e9 steps, zero cutoff, a future model: refused, no run started', async () => {
    const { b, conn, workers, home } = createTestHost();
    const ds = await b.dispatch('dataset.open', { jobId: 'o', source: { kind: 'example' } }, conn);
    const base = { runId: 'bad', datasetId: ds.id, frameIndex: 9, potential: SW };
    const refuse = (patch: object, re: RegExp) => expect(b.dispatch('md.start', { ...base, ...patch }, conn)).rejects.toThrow(re);
    await refuse({ settings: { ...NVE, params: { dtFs: -1 } } }, /time step must be > 0 fs, got -1/);
    await refuse({ settings: { ...NVE, params: { dtFs: Number.NaN } } }, /settings\.params\.dtFs: .*(NaN|finite)/);
    await refuse({ settings: { ...NVE, params: { dtFs: 1e6 } } }, /time step 1000000 fs is far too large/);
    await refuse({ settings: { ...NVE, steps: 1e9 } }, /settings\.steps.*(100000000|1e8)/);
    await refuse({ settings: { ...NVE, steps: 0 } }, /settings\.steps/);
    await refuse({ settings: { ...NVE, initialTemperatureK: -5 } }, /temperature/);
    await refuse({ potential: { spec: 'lj:epsilon=0.0104,sigma=3.4,cutoff=0' }, settings: NVE }, /cutoff/i);
    await refuse({ potential: { spec: 'morse:d0=0.34,alpha=1.36,r0=2.87,cutoff=0' }, settings: NVE }, /cutoff/i);
    // A model from a future version: refused when loaded, before a run or worker exists.
    writeFutureModel(join(home, 'runs', 'train-future'));
    await refuse({ potential: { spec: 'model:future' }, settings: NVE }, /version 999 is newer than this program/);
    await expect(b.dispatch('audit.run', { auditId: 'a', kind: 'symmetry', datasetId: ds.id, potential: { spec: 'model:future' } }, conn)).rejects.toThrow(/version 999 is newer/);
    // Time-step studies: dt must be positive.
    await expect(b.dispatch('md.study', { studyId: 's', datasetId: ds.id, frameIndex: 9, potential: SW, temperatureK: 300, dtFs: [-1, 1], durationFs: 100, seed: 1 }, conn)).rejects.toThrow(/dtFs/);
    expect(b.md.list()).toEqual([]);
    expect(workers.filter((w) => w.kind === 'md')).toHaveLength(0);
  });

  it('training: NaN/negative learning rate, 0 or 1e9 epochs, zero cutoff, nothing to train on: refused, no worker', async () => {
    const { b, conn, workers } = createTestHost();
    const dir = tempDir('atomforge-rel-data-');
    const { nolabels, noatoms } = unlabelledFiles(dir);
    const ds = await b.dispatch('dataset.open', { jobId: 'o', source: { kind: 'example' } }, conn);
    const start = (patch: object) => b.dispatch('train.start', { runId: 'bad', datasetId: ds.id, modelType: 'bpnn', modelConfig: BP, train: { maxEpochs: 2 }, split: SPLIT, backend: 'auto', ...patch }, conn);
    await expect(start({ train: { optimizer: { lr: Number.NaN } } })).rejects.toThrow(/learning rate must be a finite number in \(0, 10\), got NaN/);
    await expect(start({ train: { optimizer: { lr: -1e-3 } } })).rejects.toThrow(/learning rate/);
    await expect(start({ train: { maxEpochs: 0 } })).rejects.toThrow(/epochs must be an integer between 1 and 1e6, got 0/);
    await expect(start({ train: { maxEpochs: 1e9 } })).rejects.toThrow(/epochs/);
    await expect(start({ train: { maxEpochs: 2, lossPath: 'quantum' } })).rejects.toThrow(/lossPath must be "auto", "fused" or "graph", got "quantum"/);
    await expect(start({ train: { maxEpochs: 2, lossStages: { startEpoch: 1 } } })).rejects.toThrow(/lossStages must be a list like/);
    await expect(start({ train: { maxEpochs: 2, lossStages: [{ startEpoch: 0, loss: { energy: 1, forces: 1, stress: Number.NaN } }] } })).rejects.toThrow(
      /lossStages\[0\]\.startEpoch must be an integer between 1 and 1e6, got 0; lossStages\[0\]\.loss\.stress must be a finite number >= 0, got NaN/,
    );
    await expect(
      start({ train: { maxEpochs: 9, lossStages: [{ startEpoch: 5, loss: { energy: 9, forces: 1, stress: 0 } }, { startEpoch: 3, loss: { energy: 1, forces: 1, stress: 0 }, lrFactor: 0 }] } }),
    ).rejects.toThrow(/lossStages\[1\]\.lrFactor must be in \(0, 10\], got 0; lossStages\[1\]\.startEpoch must come after the previous stage's \(5\), got 3/);
    await expect(start({ modelConfig: BP_CUTOFF_0 })).rejects.toThrow(/model settings: symmetry functions: cutoffA must be > 0, got 0/);
    await expect(start({ split: { method: 'random', validFraction: 2, seed: 1 } })).rejects.toThrow(/validFraction/);
    await expect(start({ groupWeights: { weights: { Surface: Number.NaN } } })).rejects.toThrow(/groupWeights/);
    await expect(start({ groupWeights: { weights: { Surface: -1 } } })).rejects.toThrow(/groupWeights/);
    const unlabelled = await b.dispatch('dataset.open', { jobId: 'u', source: { kind: 'path', path: nolabels } }, conn);
    await expect(start({ datasetId: unlabelled.id })).rejects.toThrow(/no energy, force or stress labels/);
    const empty = await b.dispatch('dataset.open', { jobId: 'e', source: { kind: 'path', path: noatoms } }, conn);
    await expect(start({ datasetId: empty.id })).rejects.toThrow(/frame 0 has no atoms/);
    expect(b.train.list()).toEqual([]);
    expect(workers.filter((w) => w.kind === 'train')).toHaveLength(0);
  });
});

describe('absurd settings through the CLI', () => {
  const si = join('resources', 'examples', 'Si_mlearn_test.xyz');

  it('md: negative dt, 1e9 steps, zero cutoff and a future model exit 1 with the reason', async () => {
    const dir = tempDir('atomforge-rel-cli-');
    const out = ['--out', join(dir, 't.xyz'), '--thermo', join(dir, 't.csv')];
    const sw = ['--potential', SW.spec];
    const cases: [string[], RegExp][] = [
      [[...sw, '--dt-fs', '-1', '--steps', '10'], /time step must be > 0 fs, got -1/],
      [[...sw, '--dt-fs', 'NaN', '--steps', '10'], /--dt-fs must be a number, got "NaN"/],
      [[...sw, '--dt-fs', '1', '--steps', '1e9'], /steps = 1000000000 is more than 1e8/],
      [['--potential', 'lj:epsilon=0.0104,sigma=3.4,cutoff=0', '--dt-fs', '1', '--steps', '10'], /cutoff/i],
      [['--model', writeFutureModel(join(dir, 'future')), '--dt-fs', '1', '--steps', '10'], /version 999 is newer than this program/],
    ];
    const results = [];
    for (const [args] of cases) results.push(await runCli(['md', si, ...args, ...out]));
    results.forEach((r, k) => {
      expect(r.code, `${cases[k][0].join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(/^atomforge: /m);
      expect(r.stderr).toMatch(cases[k][1]);
      expect(r.stderr).not.toMatch(/internal error|at .*\.ts:\d+/);
    });
  });

  it('train and eval: 0 epochs, NaN learning rate, no labels, a future model exit 1 with the reason', async () => {
    const dir = tempDir('atomforge-rel-cli-');
    const { nolabels } = unlabelledFiles(dir);
    const cfg = (train: object) => {
      const p = join(dir, `cfg-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(p, JSON.stringify({ model: BP, train }));
      return p;
    };
    const cfgModel = (model: object) => {
      const p = join(dir, `cfgm-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(p, JSON.stringify({ model }));
      return p;
    };
    const cfgGroups = (groupWeights: object) => {
      const p = join(dir, `cfgg-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(p, JSON.stringify({ model: BP, groupWeights }));
      return p;
    };
    const run = (k: string) => ['--model', 'bpnn', '--out', join(dir, `run-${k}`)];
    const cases: [string[], RegExp][] = [
      [['train', si, ...run('a'), '--epochs', '0'], /--epochs must be a positive integer, got 0/],
      [['train', si, ...run('b'), '--epochs', '-3'], /--epochs must be a positive integer/],
      [['train', si, ...run('c'), '--config', cfg({ optimizer: { lr: 'NaN' } })], /learning rate/],
      [['train', si, ...run('d'), '--config', cfg({ optimizer: { lr: -1 } })], /learning rate/],
      [['train', si, ...run('f'), '--config', cfgModel(BP_CUTOFF_0)], /cutoffA must be > 0, got 0/],
      [['train', nolabels, ...run('e'), '--epochs', '2'], /no energy, force or stress labels/],
      [['train', si, ...run('g'), '--config', cfgGroups({ weights: { Surface: -5 } })], /groupWeights\.weights\["Surface"\] must be a finite number >= 0, got -5/],
      [['committee', 'train', si, ...run('h'), '--config', cfgGroups({ weights: 'Surface' })], /groupWeights\.weights must map group names to weights/],
      [['eval', si, '--model', writeFutureModel(join(dir, 'future'))], /version 999 is newer than this program/],
    ];
    const results = [];
    for (const [args] of cases) results.push(await runCli(args));
    results.forEach((r, k) => {
      expect(r.code, `${cases[k][0].join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(cases[k][1]);
      expect(r.stderr).not.toMatch(/internal error|epoch 1:/);
    });
  });
});
