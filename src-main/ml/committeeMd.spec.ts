// CommitteeWatch: the σ column follows the thermo rows, the alarm trips exactly above the threshold,
// uncertain frames go to RUNDIR/uncertain.xyz without the committee's (unlabelled) energies, and
// thresholds without a committee are refused. Committee of two Lennard-Jones potentials with
// different ε: the force spread of each atom is |F_1 - F_2| / 2 exactly.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src-shared/atoms/frame';
import { makeFrame } from '../../src-shared/atoms/frame';
import { createLennardJones } from '../../src-shared/potentials/lennardJones';
import { committeeCalculator } from '../../src-shared/ml/uncertainty/committee';
import { CommitteeWatch, UNCERTAIN_FRAMES_FILE } from './committeeMd';

const row = (step: number) => ({ step, timeFs: step, epotEv: 0, ekinEv: 0, etotEv: 0, temperatureK: 0, pressureGpa: NaN, conservedEv: 0 });

describe('CommitteeWatch', () => {
  it('records max σF per row, stops above the threshold and exports the uncertain frame', () => {
    const a = createLennardJones({ epsilonEv: 0.0104, sigmaA: 3.4, cutoffA: 10 });
    const b = createLennardJones({ epsilonEv: 0.0124, sigmaA: 3.4, cutoffA: 10 });
    const c = committeeCalculator([a, b], { alwaysForces: true });
    const dimer: Frame = makeFrame({ symbols: ['Ar', 'Ar'], positionsA: [0, 0, 0, 3.6, 0, 0] });
    const fa = a.compute(dimer, { forces: true }).forcesEvPerA![0], fb = b.compute(dimer, { forces: true }).forcesEvPerA![0];
    const sigma = Math.abs(fa - fb) / 2;
    const dir = mkdtempSync(join(tmpdir(), 'watch-'));
    const w = new CommitteeWatch(c, { stopAboveEvPerA: 1.01 * sigma, exportAboveEvPerA: 0.99 * sigma }, dir);
    c.compute(dimer, {});
    w.onThermo(row(0));
    w.onFrame({ ...dimer, energyEv: -1, info: {} });
    expect(w.shouldStop()).toBe(false);
    expect(Array.from(w.take()!)).toEqual([w.sigma()]);
    expect(w.sigma()).toBeCloseTo(sigma, 12);
    // closer: larger forces, larger spread -> alarm
    const close = { ...dimer, positionsA: Float64Array.from([0, 0, 0, 3.5, 0, 0]) };
    c.compute(close, {});
    w.onThermo(row(1));
    expect(w.shouldStop()).toBe(true);
    const r = w.close();
    expect(r.message).toMatch(/uncertainty alarm: committee force spread .* eV\/Å above .* at step 1 /);
    expect(r.uncertainFrames).toBe(1);
    const text = readFileSync(join(dir, UNCERTAIN_FRAMES_FILE), 'utf8');
    expect(text).toMatch(/committee_force_std_max_ev_per_a=/);
    expect(text).not.toMatch(/energy=/);
  });

  it('refuses thresholds without a committee and does nothing for single potentials', () => {
    const lj = createLennardJones({ epsilonEv: 0.0104, sigmaA: 3.4, cutoffA: 10 });
    expect(() => new CommitteeWatch(lj, { stopAboveEvPerA: 0.1 }, tmpdir())).toThrow(/need a committee/);
    const w = new CommitteeWatch(lj, {}, tmpdir());
    w.onThermo(row(0));
    expect(w.active).toBe(false);
    expect(w.take()).toBeUndefined();
    expect(w.close().message).toBeNull();
  });
});
