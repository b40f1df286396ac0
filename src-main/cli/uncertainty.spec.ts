// CLI `committee train`, `uncertainty score`, `shift` and `landscape` on a tiny mlearn subset
// (fixtures/uncertainty: 8 Si frames from Si_train, 3 Ge AIMD frames from Ge_test; Zuo et al. 2020).
// Members are linear models on symmetry functions (closed-form fits: fast), bagged by seed.
// Known answers: the committee's per-frame spread equals the spread of the members loaded one by
// one; the exported frames are the flagged ones; Ge (renamed Si, 4 % larger lattice) scores above
// the Si validation thresholds; the landscape's centre is the loss at the saved weights.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFramesFromPath } from '../node/readFile';
import { modelCalculatorFromDir } from '../ml/modelFiles';
import { parseArgs } from './args';
import { runCli } from '../../test-support/cliRun';
import { UNCERTAINTY_COMMANDS } from './uncertainty';
import { SIMULATION_COMMANDS } from './simulate';
import { TRAIN_COMMANDS } from './train';

const FIX = fileURLToPath(new URL('../../fixtures/uncertainty/', import.meta.url));
const SI = `${FIX}si_mlearn_8.xyz`;
const GE = `${FIX}ge_mlearn_3.xyz`;
const CONFIG = {
  model: {
    ridge: 1e-4,
    symmetryFunctions: {
      cutoffA: 4.2,
      radial: [
        { etaPerA2: 0, rsA: 0 },
        { etaPerA2: 4, rsA: 2.3 },
        { etaPerA2: 4, rsA: 2.6 },
        { etaPerA2: 2, rsA: 3.5 },
      ],
      angular: { kind: 'G5', cutoffA: 3.2, etaPerA2: [0.02], zeta: [1, 4], lambda: [-1, 1] },
    },
  },
  split: { method: 'random', validFraction: 0.25, seed: 0 },
};

const run = (name: string, argv: string[]) => runCli(UNCERTAINTY_COMMANDS.find((c) => c.spec.name === name)!, argv);

afterEach(() => vi.restoreAllMocks());

let dir: string, committee: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'unc-'));
  writeFileSync(join(dir, 'cfg.json'), JSON.stringify(CONFIG));
  committee = join(dir, 'committee');
  const r = await run('committee', ['train', SI, '--model', 'linear', '--k', '3', '--out', committee, '--config', join(dir, 'cfg.json'), '--backend', 'cpu']);
  expect(r.code, r.err).toBe(0);
}, 60_000);

describe('atomforge committee / uncertainty / shift', () => {
  it('committee train writes K bagged members with seeds base..base+K-1', () => {
    const m = JSON.parse(readFileSync(join(committee, 'committee.json'), 'utf8'));
    expect(m.k).toBe(3);
    expect(m.bootstrap).toBe(true);
    expect(m.members.map((x: { seed: number }) => x.seed)).toEqual([0, 1, 2]);
    expect(m.members.every((x: { state: string }) => x.state === 'finished')).toBe(true);
    expect(m.state).toBe('finished');
  });

  it('uncertainty score: per-frame spread equals the spread of the members evaluated one by one; uncertain frames are exported', async () => {
    const exported = join(dir, 'uncertain.xyz');
    const r = await run('uncertainty', ['score', GE, '--model', committee, '--as', 'Ge=Si', '--json', '--per-atom', '--export', exported]);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.committee_members).toBe(3);
    expect(j.frames).toBe(3);
    // independent reference: each member as a plain model calculator
    const ge = await readFramesFromPath(GE, {});
    if ('error' in ge || !ge.result.ok) throw new Error('fixture');
    const frame = ge.result.frames[0];
    frame.numbers.fill(14);
    const members = await Promise.all([0, 1, 2].map((k) => modelCalculatorFromDir(join(committee, `member-${k}`))));
    const res = members.map((c) => c.compute(frame, { forces: true }));
    const n = frame.numbers.length;
    const eMean = res.reduce((s, x) => s + x.energyEv, 0) / 3;
    const eStd = Math.sqrt(res.reduce((s, x) => s + (x.energyEv - eMean) ** 2, 0) / 3);
    expect(eStd).toBeGreaterThan(0);
    expect(j.per_frame[0].energy_std_mev_per_atom).toBeCloseTo((1000 * eStd) / n, 6);
    let v0 = 0;
    for (let c = 0; c < 3; c++) {
      const fm = res.reduce((s, x) => s + x.forcesEvPerA![c], 0) / 3;
      v0 += res.reduce((s, x) => s + (x.forcesEvPerA![c] - fm) ** 2, 0) / 3;
    }
    expect(j.per_frame[0].force_std_ev_per_a[0]).toBeCloseTo(Math.sqrt(v0), 6);
    expect(j.per_frame[0].atom_scores).toHaveLength(n);
    // calibrated on the run's validation frames (25 % of 8 = 2 frames, 128 atoms)
    expect(j.descriptor.calibration.valid_atoms).toBe(128);
    expect(j.descriptor.fraction_above_p99).toBeGreaterThan(0.5);
    expect(j.flagged_frames).toEqual([0, 1, 2]);
    const back = await readFramesFromPath(exported, {});
    if ('error' in back || !back.result.ok) throw new Error('export not readable');
    expect(back.result.frames).toHaveLength(3);
    expect(back.result.frames[0].energyEv).toBeCloseTo(ge.result.frames[0].energyEv!, 6);
  }, 60_000);

  it('shift puts the reference and the new set on shared histograms; Ge scores far above Si', async () => {
    const r = await run('shift', [SI, GE, '--model', committee, '--as', 'Ge=Si', '--json', '--bins', '12']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.reference.frames).toBe(8);
    expect(j.target.frames).toBe(3);
    expect(j.thresholds.source).toBe('validation');
    expect(j.histograms.descriptor_score.edges).toHaveLength(13);
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    expect(sum(j.histograms.force_error_ev_per_a.counts.reference)).toBe(8 * 64 * 3);
    expect(sum(j.histograms.committee_force_std_ev_per_a.counts.target)).toBe(3 * 64);
    expect(j.ratios.descriptor_score_median).toBeGreaterThan(3);
    expect(j.ratios.energy_mae).toBeGreaterThan(3); // Ge's cohesive energy is not Si's
  }, 60_000);

  it('landscape: the centre lies on both slices, and a linear model\'s loss is quadratic along a direction', async () => {
    const r = await run('landscape', [SI, '--model', committee, '--grid', '5', '--grid1d', '7', '--frames', '4', '--json']);
    expect(r.code, r.err).toBe(0);
    const land = JSON.parse(r.out);
    expect(land.frames).toBe(4);
    expect(land.slice2d.total).toHaveLength(5);
    expect(land.slice1d.total[3]).toBeCloseTo(land.center.total, 10);
    expect(land.slice2d.total[2][2]).toBeCloseTo(land.center.total, 10);
    // E and F are linear in the weights, so the loss is an exact quadratic: constant second differences
    const t: number[] = land.slice1d.total;
    const d2 = t.slice(2).map((x, k) => x - 2 * t[k + 1] + t[k]);
    expect(d2[0]).toBeGreaterThan(0);
    d2.forEach((x) => expect(x / d2[0]).toBeCloseTo(1, 2));
  }, 60_000);

  it('--model COMMITTEE_DIR works for the other commands: calc writes the committee mean', async () => {
    const out = join(dir, 'calc.xyz');
    const cmd = SIMULATION_COMMANDS.find((c) => c.spec.name === 'calc')!;
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const code = await cmd.run(parseArgs(cmd.spec, [SI, out, '--model', committee]));
    log.mockRestore();
    error.mockRestore();
    expect(code).toBe(0);
    const back = await readFramesFromPath(out, {});
    const src = await readFramesFromPath(SI, {});
    if ('error' in back || !back.result.ok || 'error' in src || !src.result.ok) throw new Error('calc output not readable');
    const members = await Promise.all([0, 1, 2].map((k) => modelCalculatorFromDir(join(committee, `member-${k}`), { engine: 'fast' })));
    const f0 = src.result.frames[0];
    const mean = members.reduce((s, c) => s + c.compute(f0, {}).energyEv, 0) / 3;
    expect(back.result.frames[0].energyEv).toBeCloseTo(mean, 8);
  }, 60_000);

  it('eval on a committee folder scores the members\' mean, with each member\'s errors beside it', async () => {
    const ev = (model: string) => runCli(TRAIN_COMMANDS.find((c) => c.spec.name === 'eval')!, [SI, '--model', model, '--json']);
    const r = await ev(committee);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(j.committee_members).toBe(3);
    // each member's errors are what `eval` gives for that member alone
    for (let k = 0; k < 3; k++) {
      const one = JSON.parse((await ev(join(committee, `member-${k}`))).out.trim().split('\n').pop()!);
      expect(j.member_energy_mae_mev_per_atom[k]).toBeCloseTo(one.energy_mae_mev_per_atom, 9);
      expect(j.member_force_mae_ev_per_a[k]).toBeCloseTo(one.force_mae_ev_per_a, 12);
    }
    // the mean's errors, recomputed from the members' float64 fast-path energies and forces
    const src = await readFramesFromPath(SI, {});
    if ('error' in src || !src.result.ok) throw new Error('fixture not readable');
    const members = await Promise.all([0, 1, 2].map((k) => modelCalculatorFromDir(join(committee, `member-${k}`), { engine: 'fast' })));
    let eSum = 0, fSum = 0, fN = 0;
    for (const f of src.result.frames) {
      const outs = members.map((c) => c.compute(f, { forces: true }));
      const n = f.numbers.length;
      eSum += Math.abs(outs.reduce((s, o) => s + o.energyEv, 0) / 3 - f.energyEv!) / n;
      for (let q = 0; q < 3 * n; q++, fN++) fSum += Math.abs(outs.reduce((s, o) => s + o.forcesEvPerA![q], 0) / 3 - f.forcesEvPerA![q]);
    }
    const eMae = (1000 * eSum) / src.result.frames.length, fMae = fSum / fN;
    expect(Math.abs(j.energy_mae_mev_per_atom - eMae)).toBeLessThan(1e-3 * eMae + 1e-3);
    expect(Math.abs(j.force_mae_ev_per_a - fMae)).toBeLessThan(1e-4 * fMae + 1e-6);
    // the mean is not just one member's numbers
    expect(j.member_force_mae_ev_per_a.every((x: number) => Math.abs(x - j.force_mae_ev_per_a) > 1e-9)).toBe(true);
  }, 60_000);

  it('refuses bad input with a clear message', async () => {
    expect((await run('committee', ['train', SI, '--model', 'nope', '--out', join(dir, 'x')])).err).toMatch(/--model must be one of/);
    expect((await run('committee', ['train', SI, '--model', 'linear', '--k', '1', '--out', join(dir, 'x')])).err).toMatch(/--k must be an integer >= 2/);
    expect((await run('shift', [SI, GE, '--model', committee, '--as', 'Ge->Si'])).err).toMatch(/FROM=TO/);
  });
});
