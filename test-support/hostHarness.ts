// Node-side helpers for the reliability tests (issue 9): a Backend on a throw-away user-data folder
// with real worker threads (as in src-main/backend/*.spec.ts), event collection and waiting, the
// CLI run as a child process, and a model file "from the future" (a version this program does not
// know). Not production code.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { MODEL_FORMAT } from '../src-shared/ml/models/serialization';
import type { EventName, Events } from '../src-shared/protocol/api';
import { Backend, type Connection } from '../src-main/backend/backend';
import { RESOURCES_DIR } from '../src-main/node/paths';
import { spawnTsWorker } from '../src-main/node/tsWorker';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const CLI = join(ROOT, 'src-main/cli/index.ts');

export interface EventLog {
  event: EventName;
  payload: unknown;
}

export interface TestHost {
  b: Backend;
  conn: Connection;
  events: EventLog[];
  home: string;
  /** Every worker the backend spawned, by kind, in order. */
  workers: { kind: 'io' | 'md' | 'train'; worker: Worker }[];
}

const homes: string[] = [];

/** A temporary folder removed by cleanupHomes(). */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  homes.push(d);
  return d;
}

export function cleanupHomes(): void {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
}

/** A Backend with real worker threads on a fresh user-data folder; `wrap` can replace a spawner. */
export function createTestHost(wrap: { md?: () => Worker; train?: () => Worker } = {}, opts: { allowAnyPath?: boolean; showOpenDialog?: () => Promise<string | null> } = {}): TestHost {
  const home = tempDir('atomforge-rel-');
  const workers: TestHost['workers'] = [];
  const track = (kind: 'io' | 'md' | 'train', spawnIt: () => Worker) => () => {
    const w = spawnIt();
    workers.push({ kind, worker: w });
    return w;
  };
  const b = new Backend({
    mode: 'browser',
    version: 'test',
    userDataDir: home,
    resourcesDir: RESOURCES_DIR,
    allowAnyPath: opts.allowAnyPath ?? true,
    showOpenDialog: opts.showOpenDialog,
    spawnIoWorker: track('io', () => spawnTsWorker(new URL('../src-main/workers/ioWorker.ts', import.meta.url))),
    spawnMdWorker: track('md', wrap.md ?? (() => spawnTsWorker(new URL('../src-main/workers/mdWorker.ts', import.meta.url)))),
    spawnTrainWorker: track('train', wrap.train ?? (() => spawnTsWorker(new URL('../src-main/workers/trainWorker.ts', import.meta.url)))),
  });
  const events: EventLog[] = [];
  const conn: Connection = {
    emit<E extends EventName>(event: E, payload: Events[E]) {
      events.push({ event, payload });
    },
  };
  b.attach(conn);
  return { b, conn, events, home, workers };
}

/** The first status event of `id` in one of `states` (polling the log). */
export async function waitState<T extends { state: string }>(events: EventLog[], event: EventName, id: string, states: string[], ms = 120_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const hit = events
      .filter((e) => e.event === event && (e.payload as { runId?: string }).runId === id)
      .map((e) => e.payload as T)
      .find((p) => states.includes(p.state));
    if (hit) return hit;
    if (Date.now() - t0 > ms) {
      const seen = events.filter((e) => e.event === event && (e.payload as { runId?: string }).runId === id).map((e) => (e.payload as T).state);
      throw new Error(`timeout waiting for ${id} to reach ${states.join('/')}; saw ${seen.join(',')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function waitUntil(cond: () => boolean, ms = 60_000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A model file from a future version of the program: model.json with `version` (default 999) in a
 * training run folder `runs/train-<runId>` that the backend lists (run.json with info.runId).
 */
export function writeFutureModel(dir: string, runId = 'future', version = 999): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: MODEL_FORMAT, version, type: 'bpnn', config: {}, species: ['Si'], e0: { method: 'none', valuesEv: [0] }, scales: {}, metadata: {}, arrays: [] }));
  writeFileSync(join(dir, 'model.bin'), new Uint8Array(0));
  const info = { runId, label: 'from the future', dir, state: 'finished', modelType: 'bpnn', datasetName: 'x', epoch: 1, maxEpochs: 1, etaS: null, backend: null, message: null, startedAt: new Date().toISOString(), hasModel: true, metrics: null, resumable: false };
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ kind: 'train', info, settings: {} }));
  return dir;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Start the CLI (`node --import tsx src-main/cli/index.ts ARGS`) as a child process. */
export function spawnCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Run the CLI to completion and collect its output. */
export function runCli(args: string[], timeoutMs = 120_000): Promise<CliResult> {
  const p = spawnCli(args);
  let stdout = '';
  let stderr = '';
  p.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
