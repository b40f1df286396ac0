// Integration tests of the host API (the layer both Electron and browser mode use): real IO
// worker threads, uploads in chunks, cancellation, located parse errors, path policy, recents.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError, type Events, type EventName } from '../../src-shared/protocol/api';
import { RESOURCES_DIR } from '../node/paths';
import { spawnTsWorker } from '../node/tsWorker';
import { Backend, type Connection } from './backend';

const homes: string[] = [];
function makeBackend(allowAnyPath = true) {
  const home = mkdtempSync(join(tmpdir(), 'atomforge-backend-'));
  homes.push(home);
  return new Backend({
    mode: 'browser',
    version: 'test',
    userDataDir: home,
    resourcesDir: RESOURCES_DIR,
    allowAnyPath,
    spawnIoWorker: () => spawnTsWorker(new URL('../workers/ioWorker.ts', import.meta.url)),
    spawnMdWorker: () => spawnTsWorker(new URL('../workers/mdWorker.ts', import.meta.url)),
    spawnTrainWorker: () => spawnTsWorker(new URL('../workers/trainWorker.ts', import.meta.url)),
  });
}
afterAll(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

function recorder() {
  const events: { event: EventName; payload: unknown }[] = [];
  const conn: Connection = {
    emit<E extends EventName>(event: E, payload: Events[E]) {
      events.push({ event, payload });
    },
  };
  return { conn, events };
}

const examplePath = join(RESOURCES_DIR, 'examples', 'Si_mlearn_test.xyz');

async function upload(b: Backend, conn: Connection, name: string, bytes: Uint8Array, chunk: number, jobId: string, stopAfter = Infinity) {
  const { uploadId } = await b.dispatch('upload.begin', { name, sizeBytes: bytes.length }, conn);
  const opening = b.dispatch('dataset.open', { jobId, source: { kind: 'upload', uploadId } }, conn);
  opening.catch(() => undefined); // observed by the caller
  let sent = 0;
  for (let off = 0; off < bytes.length && sent < stopAfter; off += chunk, sent++) {
    await b.dispatch('upload.chunk', { uploadId, bytes: bytes.subarray(off, off + chunk) }, conn);
  }
  if (sent < stopAfter) await b.dispatch('upload.end', { uploadId }, conn);
  return opening;
}

describe('Backend API', () => {
  it('opens the bundled example with its labels counted', async () => {
    const b = makeBackend();
    const { conn } = recorder();
    const info = await b.dispatch('dataset.open', { jobId: 'j1', source: { kind: 'example' } }, conn);
    expect(info.summary.frames).toBe(25);
    expect(info.summary.atomsTotal).toBe(1525);
    expect(info.summary.labelFrames).toEqual({ energy: 25, forces: 25, stress: 25 });
    expect(info.summary.elements.map((e) => e.symbol)).toEqual(['Si']);
    expect(info.index.atoms.length).toBe(25);
    expect(info.index.groups.sort()).toEqual(['AIMD-NVT', 'Elastic', 'Surface', 'Vacancy']);
    const fr = await b.dispatch('dataset.frame', { datasetId: info.id, index: 0 }, conn);
    expect(fr.numbers.length).toBe(63);
    // First atom line of the file: "Si 7.51440387 7.32051879 15.51905539 ..."
    expect(fr.positionsA[0]).toBeCloseTo(7.51440387, 5);
    expect(fr.energyEv).toBeCloseTo(-297.62773938, 8);
    expect(fr.stressEvPerA3![0]).toBeCloseTo(0.016996737801632425, 15);
  });

  it('an upload streamed in small chunks gives the same dataset as reading the path', async () => {
    const b = makeBackend();
    const { conn, events } = recorder();
    const bytes = new Uint8Array(readFileSync(examplePath));
    const viaPath = await b.dispatch('dataset.open', { jobId: 'p', source: { kind: 'path', path: examplePath } }, conn);
    const viaUpload = await upload(b, conn, 'Si.xyz', bytes, 4093, 'u');
    expect(viaUpload.summary).toEqual(viaPath.summary);
    expect(Array.from(viaUpload.index.energyEv)).toEqual(Array.from(viaPath.index.energyEv));
    expect(events.some((e) => e.event === 'job.progress')).toBe(true);
    const recent = await b.dispatch('recent.list', {}, conn);
    expect(recent.map((r) => r.name)).toEqual(['Si.xyz', 'Si_mlearn_test.xyz']);
    expect(recent.every((r) => r.available)).toBe(true);
    // The uploaded file has no path; it reopens from the cached copy.
    const again = await b.dispatch('dataset.open', { jobId: 'r', source: { kind: 'recent', recentId: recent[0].id } }, conn);
    expect(again.summary.atomsTotal).toBe(1525);
  });

  it('cancels a running upload and reports it as cancelled', async () => {
    const b = makeBackend();
    const { conn } = recorder();
    const bytes = new Uint8Array(readFileSync(examplePath));
    const opening = upload(b, conn, 'big.xyz', bytes, 1024, 'c', 5);
    await new Promise((r) => setTimeout(r, 50));
    expect(await b.dispatch('job.cancel', { jobId: 'c' }, conn)).toEqual({ cancelled: true });
    await expect(opening).rejects.toMatchObject({ info: { code: 'cancelled' } });
    expect((await b.dispatch('recent.list', {}, conn)).length).toBe(0);
  });

  it('a malformed file is a located parse error, not a crash', async () => {
    const b = makeBackend();
    const { conn } = recorder();
    const dir = mkdtempSync(join(tmpdir(), 'atomforge-bad-'));
    homes.push(dir);
    const bad = join(dir, 'bad.xyz');
    writeFileSync(bad, '2\nProperties=species:S:1:pos:R:3\nH 0 0 0\nH 0 zero 0\n');
    let err: unknown;
    try {
      await b.dispatch('dataset.open', { jobId: 'x', source: { kind: 'path', path: bad } }, conn);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).info.code).toBe('parse-error');
    expect((err as ApiError).info.parse?.line).toBe(4);
    expect((err as ApiError).message).toMatch(/bad\.xyz:4/);
    await expect(b.dispatch('dataset.open', { jobId: 'y', source: { kind: 'path', path: join(dir, 'missing.xyz') } }, conn)).rejects.toThrow(/no such file/);
  });

  it('in Electron mode only paths from the dialog may be opened', async () => {
    const b = makeBackend(false);
    const { conn } = recorder();
    await expect(b.dispatch('dataset.open', { jobId: 'e', source: { kind: 'path', path: '/etc/passwd' } }, conn)).rejects.toThrow(/file dialog/);
    await expect(b.dispatch('dataset.open', { jobId: 'e2', source: { kind: 'path', path: examplePath } }, conn)).rejects.toThrow(/file dialog/);
  });

  it('rejects invalid payloads before doing anything', async () => {
    const b = makeBackend();
    const { conn } = recorder();
    await expect(b.dispatch('dataset.frame', { datasetId: 'nope', index: -3 }, conn)).rejects.toMatchObject({ info: { code: 'invalid-params' } });
    await expect(b.dispatch('dataset.frame', { datasetId: 'nope', index: 0 }, conn)).rejects.toMatchObject({ info: { code: 'not-found' } });
  });
});
