// Faults (issue 9): a training process killed with SIGKILL at a random moment leaves a run folder
// that opens and resumes from its last checkpoint, losing at most one checkpoint interval, and the
// resumed run ends with exactly the weights of an uninterrupted one; MD writing to a full disk
// (/dev/full) or a missing folder stops with a clear error. Worker faults: workerFaults.spec.ts.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createRng } from '../../src-shared/space/rng';
import { CLI, ROOT, cleanupHomes, tempDir, waitUntil } from '../../test-support/hostHarness';
import { parseArgs, UsageError } from '../cli/args';
import { COMMANDS } from '../cli/commands';
import { loadCheckpoint, loadModelFiles, readMetrics, readRunJson } from '../ml/runFolder';

afterAll(cleanupHomes);

const DATA = join(ROOT, 'fixtures/uncertainty/si_mlearn_8.xyz');
const CONFIG = {
  model: { hidden: [4], symmetryFunctions: { cutoffA: 4.2, radial: [{ etaPerA2: 0, rsA: 0 }, { etaPerA2: 4, rsA: 2.3 }] } },
  train: { checkpointEvery: 1, batchAtoms: 64, earlyStopping: null },
  split: { method: 'random', validFraction: 0.25, seed: 0 },
};
// Enough epochs that the child is still training when it is killed: with the fused float64 loss an
// epoch of this small model takes milliseconds, and 10 epochs used to finish before the kill.
const EPOCHS = 120;

async function runCliHere(argv: string[]): Promise<{ code: number; stderr: string }> {
  const err: string[] = [];
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    const cmd = COMMANDS.find((c) => c.spec.name === argv[0])!;
    try {
      return { code: await cmd.run(parseArgs(cmd.spec, argv.slice(1))), stderr: err.join('\n') };
    } catch (e) {
      return { code: e instanceof UsageError ? 2 : 70, stderr: String(e instanceof Error ? e.stack : e) };
    }
  } finally {
    error.mockRestore();
    log.mockRestore();
  }
}

const completeLines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0);

describe('kill -9 during training', () => {
  it('the run folder opens, resumes from its last checkpoint (at most one interval lost) and ends bit-identical to an uninterrupted run', async () => {
    const dir = tempDir('atomforge-crash-');
    const cfg = join(dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify(CONFIG));
    const args = (out: string) => ['train', DATA, '--model', 'bpnn', '--out', out, '--config', cfg, '--epochs', String(EPOCHS), '--backend', 'cpu'];
    const crashed = join(dir, 'crashed');
    const rng = createRng(9);
    const killAfter = 2 + rng.int(10); // epochs completed before the kill
    const extraMs = rng.int(200); // then a random moment, inside an epoch or a checkpoint write
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args(crashed)], { cwd: ROOT, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, s) => r(s)));
    const metrics = join(crashed, 'metrics.jsonl');
    await waitUntil(() => completeLines(metrics) >= killAfter || child.exitCode !== null, 120_000, `epoch ${killAfter} of the child`);
    await new Promise((r) => setTimeout(r, extraMs));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const done = completeLines(metrics);
    expect(done).toBeLessThan(EPOCHS);

    // The folder opens: run.json parses, the checkpoint loads (its checksum holds), the metrics parse.
    expect(readRunJson<{ state: string }>(crashed)?.state).toBe('running');
    const cp = loadCheckpoint(crashed);
    expect(cp).not.toBeNull();
    expect(done - cp!.position.epoch, `completed ${done} epochs, checkpoint at ${cp!.position.epoch}`).toBeLessThanOrEqual(1);
    expect(readMetrics(crashed).length).toBeGreaterThanOrEqual(done);

    // Resume (in this process), then an uninterrupted reference run with the same settings.
    const resumed = await runCliHere([...args(crashed), '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const reference = await runCliHere(args(join(dir, 'reference')));
    expect(reference.code, reference.stderr).toBe(0);
    const a = loadModelFiles(crashed);
    const b = loadModelFiles(join(dir, 'reference'));
    expect(a.weights.map((w) => w.name)).toEqual(b.weights.map((w) => w.name));
    a.weights.forEach((w, k) => expect(Array.from(w.data), w.name).toEqual(Array.from(b.weights[k].data)));
    const epochs = (readMetrics(crashed) as { epoch: number }[]).map((r) => r.epoch);
    expect(epochs).toEqual(Array.from({ length: EPOCHS }, (_, k) => k));
  }, 240_000);
});

describe('full disk', () => {
  it('MD writing its trajectory to a full disk stops with a clear error, not an internal one', async () => {
    if (!existsSync('/dev/full')) return; // Linux only: writes to /dev/full fail with ENOSPC
    const dir = tempDir('atomforge-full-');
    const r = await runCliHere(['md', join(ROOT, 'resources/examples/Si_mlearn_test.xyz'), '--potential', 'sw:bundled:Si_StillingerWeber1985.sw', '--dt-fs', '1', '--steps', '20', '--out', '/dev/full', '--thermo', join(dir, 't.csv')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^atomforge: /m);
    expect(r.stderr).toMatch(/ENOSPC|disk is full|no space/i);
    expect(r.stderr).not.toMatch(/internal error/);
    // A missing output folder: the same kind of message, before any step runs.
    const missing = await runCliHere(['md', join(ROOT, 'resources/examples/Si_mlearn_test.xyz'), '--potential', 'sw:bundled:Si_StillingerWeber1985.sw', '--dt-fs', '1', '--steps', '20', '--out', join(dir, 'gone', 't.xyz'), '--thermo', join(dir, 't2.csv')]);
    expect(missing.code, missing.stderr).toBe(1);
    expect(missing.stderr).toMatch(/cannot write .*gone.*folder was deleted or moved \(ENOENT\)/);
  });
});
