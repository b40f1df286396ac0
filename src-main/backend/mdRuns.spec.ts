// Integration tests of MD runs through the host API: real worker threads, run folders with the
// trajectory and thermo CSV, pause/resume/stop, refusal of absurd settings, and the time-step study.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Events, EventName, MdRunInfo } from '../../src-shared/protocol/api';
import { readText } from '../../src-shared/io/read';
import { extxyzFormat } from '../../src-shared/io/formats/extxyz';
import { RESOURCES_DIR } from '../node/paths';
import { spawnTsWorker } from '../node/tsWorker';
import { Backend, type Connection } from './backend';

const homes: string[] = [];
afterAll(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

function setup() {
  const home = mkdtempSync(join(tmpdir(), 'atomforge-md-'));
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
  return { b, conn, events };
}

const SW = { spec: 'sw:bundled:Si_StillingerWeber1985.sw' };

async function waitFor(events: { event: EventName; payload: unknown }[], runId: string, states: string[], timeoutMs = 60_000): Promise<MdRunInfo> {
  const t0 = Date.now();
  for (;;) {
    const st = events.filter((e) => e.event === 'md.status' && (e.payload as MdRunInfo).runId === runId).map((e) => e.payload as MdRunInfo);
    const hit = st.find((s) => states.includes(s.state));
    if (hit) return hit;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timeout waiting for ${states.join('/')}; saw ${st.map((s) => s.state).join(',')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('MD runs through the host API', () => {
  it('runs NVE on the bundled Si example with the bundled SW potential and writes trajectory + thermo', async () => {
    const { b, conn, events } = setup();
    const ds = await b.dispatch('dataset.open', { jobId: 'o', source: { kind: 'example' } }, conn);
    const frameIndex = 9; // a 64-atom AIMD frame
    const info = await b.dispatch(
      'md.start',
      { runId: 'run1', datasetId: ds.id, frameIndex, potential: SW, settings: { integrator: 'nve', params: { dtFs: 1 }, steps: 200, seed: 7, initialTemperatureK: 300, thermoStride: 10, frameStride: 50 } },
      conn,
    );
    expect(info.atoms).toBe(64);
    const done = await waitFor(events, 'run1', ['finished', 'failed']);
    expect(done.message).toBeNull();
    expect(done.state).toBe('finished');
    expect(done.step).toBe(200);
    const csv = readFileSync(done.thermoPath, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('step,time_fs,epot_ev,ekin_ev,etot_ev,temperature_k,pressure_gpa,conserved_ev');
    expect(csv.length).toBe(1 + 21);
    const rows = csv.slice(1).map((l) => l.split(',').map(Number));
    const etot = rows.map((r) => r[4]);
    // NVE with SW at 1 fs: total energy conserved to well below 1 meV/atom over 200 fs.
    expect(Math.max(...etot) - Math.min(...etot)).toBeLessThan(64 * 1e-3);
    expect(rows[0][5]).toBeGreaterThan(100); // temperature from the 300 K Maxwell-Boltzmann start
    const traj = readText(extxyzFormat, readFileSync(done.trajectoryPath), { fileName: 'trajectory.xyz' });
    expect(traj.ok).toBe(true);
    expect(traj.frameCount).toBe(5); // steps 0, 50, 100, 150, 200
    expect(traj.frames[4].info['step']).toBe(200);
    expect(traj.frames[4].arrays['velocities']).toBeDefined();
    expect(events.some((e) => e.event === 'md.thermo')).toBe(true);
    expect(events.some((e) => e.event === 'md.frame')).toBe(true);
    // The trajectory reopens as a dataset.
    const reopened = await b.dispatch('dataset.open', { jobId: 'r', source: { kind: 'run', runId: 'run1' } }, conn);
    expect(reopened.summary.frames).toBe(5);
    expect(reopened.summary.labelFrames.forces).toBe(5);
  });

  it('pauses, resumes and stops a run, keeping what was written', async () => {
    const { b, conn, events } = setup();
    const ds = await b.dispatch('dataset.open', { jobId: 'o', source: { kind: 'example' } }, conn);
    await b.dispatch(
      'md.start',
      { runId: 'run2', datasetId: ds.id, frameIndex: 9, potential: SW, settings: { integrator: 'langevin', params: { dtFs: 1, temperatureK: 500, frictionPerFs: 0.02 }, steps: 1_000_000, seed: 1, thermoStride: 10, frameStride: 100 } },
      conn,
    );
    await waitFor(events, 'run2', ['running']);
    await new Promise((r) => setTimeout(r, 300));
    await b.dispatch('md.control', { runId: 'run2', action: 'pause' }, conn);
    const paused = await waitFor(events, 'run2', ['paused']);
    await new Promise((r) => setTimeout(r, 300));
    const stillPaused = b.md.get('run2')!;
    expect(stillPaused.step).toBe(paused.step);
    await b.dispatch('md.control', { runId: 'run2', action: 'resume' }, conn);
    await new Promise((r) => setTimeout(r, 300));
    await b.dispatch('md.control', { runId: 'run2', action: 'stop' }, conn);
    const stopped = await waitFor(events, 'run2', ['stopped', 'failed']);
    expect(stopped.state).toBe('stopped');
    expect(stopped.step).toBeGreaterThan(paused.step);
    expect(existsSync(stopped.trajectoryPath)).toBe(true);
    const lines = readFileSync(stopped.thermoPath, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(2);
  });

  it('refuses absurd settings and unknown potentials before starting', async () => {
    const { b, conn } = setup();
    const ds = await b.dispatch('dataset.open', { jobId: 'o', source: { kind: 'example' } }, conn);
    const base = { runId: 'bad', datasetId: ds.id, frameIndex: 0, potential: SW };
    await expect(b.dispatch('md.start', { ...base, settings: { integrator: 'nve', params: { dtFs: -1 }, steps: 10, seed: 1, thermoStride: 1, frameStride: 1 } }, conn)).rejects.toThrow(/time step/);
    await expect(b.dispatch('md.start', { ...base, settings: { integrator: 'nve', params: { dtFs: 1 }, steps: 0, seed: 1, thermoStride: 1, frameStride: 1 } }, conn)).rejects.toThrow(/steps/);
    await expect(b.dispatch('md.start', { ...base, potential: { spec: 'lj:epsilon=0.01,sigma=-3,cutoff=8' }, settings: { integrator: 'nve', params: { dtFs: 1 }, steps: 10, seed: 1, thermoStride: 1, frameStride: 1 } }, conn)).rejects.toThrow(/sigma/);
    await expect(b.dispatch('md.start', { ...base, potential: { spec: 'sw:bundled:nope.sw' }, settings: { integrator: 'nve', params: { dtFs: 1 }, steps: 10, seed: 1, thermoStride: 1, frameStride: 1 } }, conn)).rejects.toThrow(/no bundled potential/);
    expect(b.md.list()).toEqual([]);
  });

  it('a run that blows up stops with a clear message', async () => {
    const { b, conn, events } = setup();
    const ds = await b.dispatch('dataset.open', { jobId: 'o', source: { kind: 'example' } }, conn);
    await b.dispatch(
      'md.start',
      { runId: 'boom', datasetId: ds.id, frameIndex: 9, potential: SW, settings: { integrator: 'nve', params: { dtFs: 19 }, steps: 2000, seed: 3, initialTemperatureK: 3000, thermoStride: 1, frameStride: 10 } },
      conn,
    );
    const r = await waitFor(events, 'boom', ['finished', 'failed']);
    expect(r.state).toBe('failed');
    expect(r.message).toMatch(/time step|temperature|non-finite|not finite/);
  });

  it('time-step study: fluctuation shrinks as dt² for NVE', async () => {
    const { b, conn } = setup();
    const ds = await b.dispatch('dataset.open', { jobId: 'o', source: { kind: 'example' } }, conn);
    const r = await b.dispatch('md.study', { studyId: 's1', datasetId: ds.id, frameIndex: 9, potential: SW, temperatureK: 300, dtFs: [2, 1, 0.5], durationFs: 200, seed: 5 }, conn);
    expect(r.points.map((p) => p.dtFs)).toEqual([2, 1, 0.5]);
    expect(r.points.every((p) => !p.failed)).toBe(true);
    expect(r.fluctuationExponent).toBeGreaterThan(1.6);
    expect(r.fluctuationExponent).toBeLessThan(2.4);
  });
});
