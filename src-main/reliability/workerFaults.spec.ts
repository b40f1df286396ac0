// Worker faults in the host (issue 9): a training worker that runs out of memory marks its run
// failed with the reason while another run finishes; a run whose folder is deleted while it trains
// fails with a clear message, and the host goes on serving.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainRunInfo } from '../../src-shared/protocol/api';
import { ROOT, cleanupHomes, createTestHost, tempDir, waitState, waitUntil } from '../../test-support/hostHarness';

afterAll(cleanupHomes);

const DATA = join(ROOT, 'fixtures/uncertainty/si_mlearn_8.xyz');
const CONFIG = {
  model: { hidden: [4], symmetryFunctions: { cutoffA: 4.2, radial: [{ etaPerA2: 0, rsA: 0 }, { etaPerA2: 4, rsA: 2.3 }] } },
  split: { method: 'random' as const, validFraction: 0.25, seed: 0 },
};

describe('worker faults in the host', () => {
  const small = { modelType: 'bpnn', modelConfig: CONFIG.model, split: CONFIG.split, backend: 'cpu' as const };

  it('a worker out of memory fails its run with the reason; another run finishes; a deleted run folder fails that run only', async () => {
    let first = true;
    const bootstrap = new URL('../node/tsWorkerBootstrap.mjs', import.meta.url);
    const workerUrl = new URL('../workers/trainWorker.ts', import.meta.url);
    const { b, conn, events } = createTestHost({
      train: () => {
        // The first training worker gets a heap too small to load its modules: it dies of OOM.
        const limits = first ? { maxOldGenerationSizeMb: 4, maxYoungGenerationSizeMb: 1 } : undefined;
        first = false;
        return new Worker(bootstrap, { argv: [workerUrl.href], resourceLimits: limits });
      },
    });
    const dataset = join(tempDir('atomforge-crash-data-'), 'si.xyz');
    writeFileSync(dataset, readFileSync(DATA));
    const ds = await b.dispatch('dataset.open', { jobId: 'd', source: { kind: 'path', path: dataset } }, conn);
    await b.dispatch('train.start', { runId: 'oom', datasetId: ds.id, train: { maxEpochs: 3, checkpointEvery: 1 }, ...small }, conn);
    await b.dispatch('train.start', { runId: 'ok', datasetId: ds.id, train: { maxEpochs: 3, checkpointEvery: 1 }, ...small }, conn);
    await b.dispatch('train.start', { runId: 'gone', datasetId: ds.id, train: { maxEpochs: 400, checkpointEvery: 1 }, ...small }, conn);
    const oom = await waitState<TrainRunInfo>(events, 'train.status', 'oom', ['failed', 'finished']);
    expect(oom.state).toBe('failed');
    expect(oom.message).toMatch(/training worker crashed: .*memory/i);
    // The folder of the run to be deleted, once it is training.
    await waitUntil(() => events.some((e) => e.event === 'train.epoch' && (e.payload as { runId: string }).runId === 'gone'), 120_000, 'an epoch of "gone"');
    const goneDir = b.train.list().find((r) => r.runId === 'gone')!.dir;
    // Moving the folder away is one atomic step (the run's path is gone at once); removing it in place
    // raced with the run's own checkpoint writes (ENOTEMPTY) now that an epoch takes milliseconds.
    renameSync(goneDir, `${goneDir}.deleted`);
    rmSync(`${goneDir}.deleted`, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
    const gone = await waitState<TrainRunInfo>(events, 'train.status', 'gone', ['failed', 'finished', 'stopped']);
    expect(gone.state).toBe('failed');
    expect(gone.message).toMatch(/deleted|ENOENT|no such file/i);
    const ok = await waitState<TrainRunInfo>(events, 'train.status', 'ok', ['failed', 'finished']);
    expect(ok.state, ok.message ?? '').toBe('finished');
    expect(existsSync(join(ok.dir, 'model.json'))).toBe(true);
    // The host still serves requests.
    expect(b.train.list().map((r) => r.runId).sort()).toEqual(['gone', 'ok', 'oom']);
  }, 240_000);

  it('an MD run whose folder is deleted stops with the reason; another MD run goes on', async () => {
    const { b, conn, events } = createTestHost();
    const ex = await b.dispatch('dataset.open', { jobId: 'e', source: { kind: 'example' } }, conn);
    const start = (runId: string) =>
      b.dispatch('md.start', { runId, datasetId: ex.id, frameIndex: 9, potential: { spec: 'sw:bundled:Si_StillingerWeber1985.sw' }, settings: { integrator: 'nve', params: { dtFs: 1 }, steps: 1e8, seed: 1, thermoStride: 100, frameStride: 1000 } }, conn);
    const doomed = await start('md-gone');
    await start('md-ok');
    await waitUntil(() => b.md.list().every((r) => r.step > 0), 120_000, 'both MD runs stepping');
    rmSync(doomed.dir, { recursive: true, force: true });
    const gone = await waitState<{ state: string; message: string | null }>(events, 'md.status', 'md-gone', ['failed', 'finished', 'stopped']);
    expect(gone.state).toBe('failed');
    expect(gone.message).toMatch(/run folder was deleted/);
    const ok = b.md.get('md-ok')!;
    const s0 = ok.step;
    await waitUntil(() => b.md.get('md-ok')!.step > s0, 60_000, 'md-ok to keep stepping');
    expect(b.md.get('md-ok')!.state).toBe('running');
    await b.dispatch('md.control', { runId: 'md-ok', action: 'stop' }, conn);
  }, 240_000);
});
