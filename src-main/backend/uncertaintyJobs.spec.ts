// Committees and uncertainty through the host API (issue 6): train.start with `committee` trains K
// bagged linear members in one worker into one run folder; uncertainty.atoms / shift run in
// training workers (uncertainty.landscape: the same job as CLI `landscape`, tested there). Known answers: the per-atom force spread equals the spread of the
// members loaded one by one, per-atom energies sum to the energy, Ge structures (renamed Si) score
// far above the Si validation set.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventName, MdRunInfo, ThermoColumns, TrainRunInfo } from '../../src-shared/protocol/api';
import { readFramesFromPath } from '../node/readFile';
import { modelCalculatorFromDir } from '../ml/modelFiles';
import { cleanupHomes, createTestHost } from '../../test-support/hostHarness';

const FIX = fileURLToPath(new URL('../../fixtures/uncertainty/', import.meta.url));
afterAll(cleanupHomes);

const SF = {
  cutoffA: 4.2,
  radial: [
    { etaPerA2: 0, rsA: 0 },
    { etaPerA2: 4, rsA: 2.3 },
    { etaPerA2: 4, rsA: 2.6 },
    { etaPerA2: 2, rsA: 3.5 },
  ],
  angular: { kind: 'G5', cutoffA: 3.2, etaPerA2: [0.02], zeta: [1, 4], lambda: [-1, 1] },
};

async function waitFor<T>(events: { event: EventName; payload: unknown }[], pred: (e: { event: EventName; payload: unknown }) => boolean, ms = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const hit = events.find(pred);
    if (hit) return hit.payload as T;
    if (Date.now() - t0 > ms) throw new Error('timeout');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('uncertainty through the host API', () => {
  it('trains a committee in one run, colours atoms by spread and score, reports the domain shift', async () => {
    const { b, conn, events } = createTestHost();
    try {
      const si = await b.dispatch('dataset.open', { jobId: 'o1', source: { kind: 'path', path: `${FIX}si_mlearn_8.xyz` } }, conn);
      const ge = await b.dispatch('dataset.open', { jobId: 'o2', source: { kind: 'path', path: `${FIX}ge_mlearn_3.xyz` } }, conn);
      const started = await b.dispatch(
        'train.start',
        { runId: 'c1', datasetId: si.id, modelType: 'linear', modelConfig: { symmetryFunctions: SF, ridge: 1e-4 }, train: {}, split: { method: 'random', validFraction: 0.25, seed: 0 }, backend: 'cpu', committee: { k: 3 } },
        conn,
      );
      expect(started.committeeSize).toBe(3);
      expect(started.label).toMatch(/committee of 3 linear/);
      const done = await waitFor<TrainRunInfo>(events, (e) => e.event === 'train.status' && ['finished', 'failed'].includes((e.payload as TrainRunInfo).state));
      expect(done.message).toBe('committee of 3 members');
      expect(done.state).toBe('finished');
      expect(done.hasModel).toBe(true);
      expect(events.filter((e) => e.event === 'train.log' && /committee member \d\/3: seed \d \(bootstrap/.test((e.payload as { message: string }).message))).toHaveLength(3);
      const listed = (await b.dispatch('train.list', {}, conn)).find((r) => r.runId === 'c1')!;
      expect(listed.hasModel).toBe(true);
      expect(listed.committeeSize).toBe(3);
      expect((await b.dispatch('train.details', { runId: 'c1' }, conn)).card).not.toBeNull();

      // per-atom values of Si frame 0; the force spread checked against the members loaded one by one
      const atoms = await b.dispatch('uncertainty.atoms', { runId: 'c1', datasetId: si.id, frameIndex: 0 }, conn);
      expect(atoms.committeeSize).toBe(3);
      expect(atoms.atoms).toBe(64);
      expect(atoms.energiesEv!.reduce((s, x) => s + x, 0)).toBeCloseTo(atoms.energyEv, 4);
      expect(atoms.descriptorScore).toHaveLength(64);
      expect(atoms.descriptorThresholds!.p99).toBeGreaterThan(0);
      expect(atoms.forceSensitivityEvPerA2).toHaveLength(64);
      expect(Math.min(...atoms.forceSensitivityEvPerA2!)).toBeGreaterThan(0);
      const dir = (await b.dispatch('train.list', {}, conn)).find((r) => r.runId === 'c1')!.dir;
      const members = await Promise.all([0, 1, 2].map((k) => modelCalculatorFromDir(join(dir, `member-${k}`))));
      const sr = await readFramesFromPath(`${FIX}si_mlearn_8.xyz`, {});
      if ('error' in sr || !sr.result.ok) throw new Error('fixture');
      const f = members.map((c) => c.compute(sr.result.frames[0], { forces: true }).forcesEvPerA!);
      for (const i of [0, 17, 63]) {
        let v = 0;
        for (let c = 0; c < 3; c++) {
          const m = (f[0][3 * i + c] + f[1][3 * i + c] + f[2][3 * i + c]) / 3;
          v += f.reduce((s, x) => s + (x[3 * i + c] - m) ** 2, 0) / 3;
        }
        expect(atoms.forceStdEvPerA![i]).toBeCloseTo(Math.sqrt(v), 6);
      }

      // MD driven by the committee mean: max σF per thermo row; the alarm stops the run and exports the frame
      const sigma0 = Math.max(...atoms.forceStdEvPerA!);
      const md = { integrator: 'nve' as const, params: { dtFs: 1 }, steps: 10, seed: 1, thermoStride: 1, frameStride: 1 };
      await b.dispatch('md.start', { runId: 'm2', datasetId: si.id, frameIndex: 0, potential: { spec: 'model:c1' }, settings: { ...md, steps: 200, uncertainty: { stopAboveEvPerA: 0.5 * sigma0 } } }, conn);
      const m2 = await waitFor<MdRunInfo>(events, (e) => e.event === 'md.status' && (e.payload as MdRunInfo).runId === 'm2' && ['finished', 'failed', 'stopped'].includes((e.payload as MdRunInfo).state));
      expect(m2.state).toBe('stopped');
      expect(m2.message).toMatch(/uncertainty alarm: committee force spread .* above .* at step 0 /);
      expect(m2.step).toBeLessThan(200);
      const rows = events.filter((e) => e.event === 'md.thermo' && (e.payload as { runId: string }).runId === 'm2').map((e) => (e.payload as { rows: ThermoColumns }).rows);
      expect(rows[0].step[0]).toBe(0);
      expect(rows[0].forceStdMaxEvPerA![0]).toBeCloseTo(sigma0, 6); // the same structure, two code paths
      expect(rows.flatMap((r) => Array.from(r.forceStdMaxEvPerA!)).length).toBe(rows.reduce((s, r) => s + r.step.length, 0));
      const exported = await readFramesFromPath(m2.uncertainFramesPath!, {});
      if ('error' in exported || !exported.result.ok) throw new Error('uncertain frames not readable');
      expect(exported.result.frames[0].info.committee_force_std_max_ev_per_a).toBeCloseTo(sigma0, 6);

      // domain shift: Si (reference) vs Ge as Si
      const shift = await b.dispatch('uncertainty.shift', { runId: 'c1', referenceDatasetId: si.id, targetDatasetId: ge.id, elementMap: { Ge: 'Si' }, bins: 10 }, conn);
      expect(shift.committeeSize).toBe(3);
      expect(shift.thresholds.source).toBe('validation');
      const names = Object.keys(shift.histograms.descriptorScore!.counts);
      expect(names).toHaveLength(2);
      expect(shift.histograms.descriptorScore!.counts[names[1]].reduce((s, x) => s + x, 0)).toBe(3 * 64);
      expect(shift.ratios.descriptorScoreMedian!).toBeGreaterThan(3);
      expect(shift.target.descriptor!.fractionAboveP99Threshold).toBeGreaterThan(0.5);

    } finally {
      b.dispose();
    }
  }, 120_000);
});
