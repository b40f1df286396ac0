// Integration tests of training through the host API: a worker thread trains a small BP model on
// the bundled example, the run folder holds metrics, checkpoint, model, parity data and the error
// table; pause/resume continues from the checkpoint; the trained model drives MD ("model:RUNID").
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Events, EventName, MdRunInfo, TrainRunInfo } from '../../src-shared/protocol/api';
import { RESOURCES_DIR } from '../node/paths';
import { spawnTsWorker } from '../node/tsWorker';
import { Backend, type Connection } from './backend';

const homes: string[] = [];
afterAll(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

function setup() {
  const home = mkdtempSync(join(tmpdir(), 'atomforge-train-'));
  homes.push(home);
  const b = new Backend({
    mode: 'browser',
    version: 'test',
    userDataDir: home,
    resourcesDir: RESOURCES_DIR,
    allowAnyPath: true,
    spawnIoWorker: () => spawnTsWorker(new URL('../workers/ioWorker.ts', import.meta.url)),
    spawnMdWorker: () => spawnTsWorker(new URL('../workers/mdWorker.ts', import.meta.url)),
    spawnTrainWorker: () => spawnTsWorker(new URL('../workers/trainWorker.ts', import.meta.url)),
  });
  const events: { event: EventName; payload: unknown }[] = [];
  const conn: Connection = {
    emit<E extends EventName>(event: E, payload: Events[E]) {
      events.push({ event, payload });
    },
  };
  b.attach(conn);
  return { b, conn, events, home };
}

async function waitState<T extends { state: string }>(events: { event: EventName; payload: unknown }[], event: EventName, id: string, idKey: string, states: string[], ms = 120_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const hit = events.filter((e) => e.event === event && (e.payload as Record<string, unknown>)[idKey] === id).map((e) => e.payload as T).find((p) => states.includes(p.state));
    if (hit) return hit;
    if (Date.now() - t0 > ms) throw new Error(`timeout waiting for ${states.join('/')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const SMALL_BP = { cutoffA: 4.5, hidden: [8] };

describe('training through the host API', () => {
  it('trains, writes the run folder, lists it, and the model drives MD', async () => {
    const { b, conn, events } = setup();
    const ds = await b.dispatch('dataset.open', { jobId: 'o', source: { kind: 'example' } }, conn);
    const opts = await b.dispatch('train.options', {}, conn);
    expect(opts.modelTypes.map((t) => t.name)).toEqual(expect.arrayContaining(['bpnn', 'linear']));
    await b.dispatch(
      'train.start',
      { runId: 'tr1', datasetId: ds.id, modelType: 'bpnn', modelConfig: SMALL_BP, train: { maxEpochs: 4, batchAtoms: 256 }, split: { method: 'random', validFraction: 0.2, seed: 1 }, backend: 'auto' },
      conn,
    );
    const done = await waitState<TrainRunInfo>(events, 'train.status', 'tr1', 'runId', ['finished', 'failed']);
    expect(done.message).toBeNull();
    expect(done.state).toBe('finished');
    expect(done.hasModel).toBe(true);
    expect(done.metrics?.energyMaeMevPerAtom).toBeGreaterThan(0);
    expect(events.filter((e) => e.event === 'train.epoch').length).toBe(4);
    expect(events.some((e) => e.event === 'train.log' && /labels: train 20 frames/.test((e.payload as { message: string }).message))).toBe(true);
    const det = await b.dispatch('train.details', { runId: 'tr1' }, conn);
    expect(det.history.length).toBe(4);
    expect(det.card?.parameterCount).toBeGreaterThan(0);
    expect(det.parity?.energy.refEvPerAtom.length).toBe(5);
    expect(det.parity?.forces.refEvPerA.length).toBeGreaterThan(100);
    expect(det.errors).not.toBeNull();
    for (const f of ['run.json', 'metrics.jsonl', 'checkpoint.json', 'model.json', 'model.bin', 'parity.json', 'errors.json']) expect(existsSync(join(done.dir, f)), f).toBe(true);
    // Listed from disk, also after a "restart" (a new backend on the same folder).
    expect((await b.dispatch('train.list', {}, conn)).map((r) => r.runId)).toContain('tr1');
    // The model is a calculator for MD.
    const md = await b.dispatch(
      'md.start',
      { runId: 'mdm', datasetId: ds.id, frameIndex: 9, potential: { spec: 'model:tr1' }, settings: { integrator: 'nve', params: { dtFs: 1 }, steps: 10, seed: 1, initialTemperatureK: 300, thermoStride: 5, frameStride: 5 } },
      conn,
    );
    expect(md.atoms).toBe(64);
    const mdDone = await waitState<MdRunInfo>(events, 'md.status', 'mdm', 'runId', ['finished', 'failed']);
    expect(mdDone.message).toBeNull();
    expect(mdDone.state).toBe('finished');
    expect(await b.dispatch('train.delete', { runId: 'tr1' }, conn)).toEqual({ deleted: true });
    expect(existsSync(done.dir)).toBe(false);
  });

  it('pauses with a checkpoint and resumes from it; refuses bad settings', async () => {
    const { b, conn, events } = setup();
    const ds = await b.dispatch('dataset.open', { jobId: 'o', source: { kind: 'example' } }, conn);
    await expect(b.dispatch('train.start', { runId: 'x', datasetId: ds.id, modelType: 'nope', modelConfig: {}, train: {}, split: { method: 'random', validFraction: 0.1, seed: 1 }, backend: 'auto' }, conn)).rejects.toThrow(/unknown model type/);
    await expect(b.dispatch('train.start', { runId: 'y', datasetId: ds.id, modelType: 'bpnn', modelConfig: SMALL_BP, train: { optimizer: { lr: Number.NaN } }, split: { method: 'random', validFraction: 0.1, seed: 1 }, backend: 'auto' }, conn)).rejects.toThrow(/learning rate|lr/);
    await b.dispatch(
      'train.start',
      { runId: 'tp', datasetId: ds.id, modelType: 'bpnn', modelConfig: SMALL_BP, train: { maxEpochs: 200, batchAtoms: 256, checkpointEvery: 1 }, split: { method: 'random', validFraction: 0.2, seed: 1 }, backend: 'auto' },
      conn,
    );
    const t0 = Date.now();
    while (events.filter((e) => e.event === 'train.epoch').length < 2 && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 100));
    await b.dispatch('train.control', { runId: 'tp', action: 'pause' }, conn);
    const paused = await waitState<TrainRunInfo>(events, 'train.status', 'tp', 'runId', ['paused', 'failed']);
    expect(paused.state).toBe('paused');
    expect(paused.resumable).toBe(true);
    const epochsAtPause = paused.epoch;
    await b.dispatch('train.control', { runId: 'tp', action: 'resume' }, conn);
    const t1 = Date.now();
    while (b.train.list().find((r) => r.runId === 'tp')!.epoch < epochsAtPause + 1 && Date.now() - t1 < 60_000) await new Promise((r) => setTimeout(r, 100));
    await b.dispatch('train.control', { runId: 'tp', action: 'stop' }, conn);
    const stopped = await waitState<TrainRunInfo>(events, 'train.status', 'tp', 'runId', ['stopped', 'failed']);
    expect(stopped.state).toBe('stopped');
    expect(stopped.epoch).toBeGreaterThan(epochsAtPause);
    expect(stopped.hasModel).toBe(true);
  });
});
