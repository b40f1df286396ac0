// Drift study on Stillinger-Weber silicon (64 and 216 atoms, 300 K, 1 ps at dt = 0.5, 1, 2 fs,
// seeded): the expected orderings. Conservative forces: no significant drift, fluctuation ∝ dt².
// A systematic non-conservative bias (forces rotated by 2 %): large drift, the same at every dt.
// White force noise: heating Σ 3σ²dt/(2m) (∝ dt, so it shrinks with dt: a force error all the same).
// The injected work W = ∫ v·(F_var − F_ref) dt equals the observed energy change.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AtomicSystem, Calculator } from '../calculators/calculator';
import { massAmu } from '../atoms/elements';
import { calculatorFromSpec } from '../potentials/registry';
import { driftStudy, driftVerdict, type DriftRun, type DriftStudyResult } from './driftStudy';
import { directForcesCalculator, expectedNoiseHeatingEvPerFs, noisyForcesCalculator, rotatedForcesCalculator } from './forceVariants';

const SW_PATH = fileURLToPath(new URL('../../resources/potentials/Si_StillingerWeber1985.sw', import.meta.url));
const DTS = [0.5, 1, 2];

function stillingerWeber(): Calculator {
  const r = calculatorFromSpec(`sw:${SW_PATH}`, readFileSync(SW_PATH, 'utf8'));
  if ('error' in r) throw new Error(r.error);
  return r.calculator;
}

/** Perfect diamond-cubic Si, reps³ conventional cells (8 atoms each). */
function silicon(reps: number): AtomicSystem {
  const a = 5.431;
  const basis = [0, 0, 0, 0, 0.5, 0.5, 0.5, 0, 0.5, 0.5, 0.5, 0, 0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.25, 0.75, 0.75, 0.75, 0.25];
  const x: number[] = [];
  for (let i = 0; i < reps; i++) for (let j = 0; j < reps; j++) for (let k = 0; k < reps; k++) for (let b = 0; b < 8; b++) x.push((i + basis[3 * b]) * a, (j + basis[3 * b + 1]) * a, (k + basis[3 * b + 2]) * a);
  return { numbers: new Int32Array(x.length / 3).fill(14), positionsA: Float64Array.from(x), cellA: new Float64Array([reps * a, 0, 0, 0, reps * a, 0, 0, 0, reps * a]), pbc: [true, true, true] };
}

const runsOf = (r: DriftStudyResult, id: string) => r.runs.filter((x) => x.variant === id).sort((a, b) => a.dtFs - b.dtFs);
const fmt = (runs: DriftRun[]) => runs.map((r) => `dt ${r.dtFs}: ${r.driftMevPerAtomPerPs.toFixed(4)} ± ${r.driftStderrMevPerAtomPerPs.toFixed(4)}`).join('; ');

describe('drift study: conservative vs biased vs direct (64 Si atoms)', () => {
  let res: DriftStudyResult;
  let yields = 0;
  beforeAll(async () => {
    res = await driftStudy(
      stillingerWeber(),
      silicon(2),
      [
        { id: 'biased', calculator: rotatedForcesCalculator(stillingerWeber(), { fraction: 0.02 }) },
        // the same biased forces delivered by a second calculator: must give the same trajectory
        { id: 'direct', calculator: directForcesCalculator(stillingerWeber(), rotatedForcesCalculator(stillingerWeber(), { fraction: 0.02 })) },
      ],
      { temperatureK: 300, dtFs: DTS, durationFs: 1000, seed: 1, yieldToHost: async () => void yields++ },
    );
  }, 60_000);

  it('conservative: no significant drift, fluctuation ∝ dt², no injected work', () => {
    const cons = runsOf(res, 'conservative');
    expect(cons.map((r) => r.steps)).toEqual([2000, 1000, 500]);
    // measured (seed 1): drift 0.0000 ± 0.0005, 0.0001 ± 0.0020, 0.0008 ± 0.0079 meV/atom/ps; fluctuation 0.0017, 0.0070, 0.028 meV/atom
    for (const r of cons) {
      expect(r.failed, fmt(cons)).toBeUndefined();
      expect(Math.abs(r.driftMevPerAtomPerPs), fmt(cons)).toBeLessThan(3 * r.driftStderrMevPerAtomPerPs);
      expect(Math.abs(r.driftMevPerAtomPerPs)).toBeLessThan(0.01);
      expect(r.injectedWorkMevPerAtom).toBe(0);
    }
    const v = res.verdicts.find((x) => x.variant === 'conservative')!;
    expect(v.cause).toBe('conserved');
    expect(v.fluctuationExponent!).toBeGreaterThan(1.8);
    expect(v.fluctuationExponent!).toBeLessThan(2.2);
  });

  it('biased: large drift that does not shrink with dt (force error)', () => {
    const b = runsOf(res, 'biased');
    // measured: 8.52, 8.55, 8.66 meV/atom/ps at dt = 0.5, 1, 2 fs
    for (const r of b) expect(r.driftMevPerAtomPerPs, fmt(b)).toBeGreaterThan(5);
    const d = b.map((r) => r.driftMevPerAtomPerPs);
    expect(Math.max(...d) / Math.min(...d)).toBeLessThan(1.1);
    const v = res.verdicts.find((x) => x.variant === 'biased')!;
    expect(v.cause).toBe('force-error');
    expect(Math.abs(v.driftExponent!)).toBeLessThan(0.2);
    expect(v.message).toMatch(/drift independent of dt: force error/);
    // a drift thousands of times the conservative one at the same dt
    const cons = runsOf(res, 'conservative');
    b.forEach((r, k) => expect(r.driftMevPerAtomPerPs).toBeGreaterThan(100 * Math.abs(cons[k].driftMevPerAtomPerPs) + 10 * cons[k].driftStderrMevPerAtomPerPs));
  });

  it('the injected work explains the observed energy change', () => {
    const cons = runsOf(res, 'conservative');
    runsOf(res, 'biased').forEach((r, k) => {
      // measured at dt 2: ΔE 9.00, W 8.83 meV/atom; drift 8.66, injected power 8.61 meV/atom/ps
      expect(Math.abs(r.injectedWorkMevPerAtom - r.energyChangeMevPerAtom)).toBeLessThan(0.03 * r.energyChangeMevPerAtom);
      expect(Math.abs(r.injectedPowerMevPerAtomPerPs - r.driftMevPerAtomPerPs)).toBeLessThan(0.02 * r.driftMevPerAtomPerPs);
      // what W does not explain is the integrator's own error, as large as in the conservative run
      expect(r.balanceResidualMevPerAtom).toBeLessThan(2 * cons[k].balanceResidualMevPerAtom);
      const s = r.series;
      expect(s.timeFs.length).toBeLessThanOrEqual(202);
      expect(s.timeFs[0]).toBe(0);
      expect(s.timeFs[s.timeFs.length - 1]).toBeCloseTo(1000, 9);
      expect(s.injectedWorkMevPerAtom[s.timeFs.length - 1]).toBe(r.injectedWorkMevPerAtom);
      expect(s.energyChangeMevPerAtom[s.timeFs.length - 1]).toBe(r.energyChangeMevPerAtom);
    });
  });

  it('direct-force variant with the same forces reproduces the biased run; host yields happen', () => {
    const b = runsOf(res, 'biased'), d = runsOf(res, 'direct');
    d.forEach((r, k) => {
      expect(r.driftMevPerAtomPerPs).toBeCloseTo(b[k].driftMevPerAtomPerPs, 9);
      expect(r.injectedWorkMevPerAtom).toBeCloseTo(b[k].injectedWorkMevPerAtom, 9);
    });
    expect(yields).toBeGreaterThanOrEqual(3 * (2000 + 1000 + 500) / 200 - 3);
  });
});

describe('drift study: white force noise (216 Si atoms)', () => {
  it('heats at Σ 3σ²dt/(2m): drift ∝ dt, positive, equal to the injected work', async () => {
    const sys = silicon(3);
    const n = sys.numbers.length;
    const sigma = 0.5;
    const res = await driftStudy(stillingerWeber(), sys, [{ id: 'noisy', calculator: noisyForcesCalculator(stillingerWeber(), { sigmaEvPerA: sigma, seed: 101 }) }], {
      temperatureK: 300, dtFs: DTS, durationFs: 1000, seed: 1, includeConservative: false,
    });
    const runs = runsOf(res, 'noisy');
    const masses = new Float64Array(n).fill(massAmu(14));
    // measured (seed 1): 60.2, 127.1, 253.9 meV/atom/ps vs expected 64.4, 128.8, 257.7. The scatter
    // of a noise-driven drift is that of a random walk, ~6 % / 4 % / 3 % here (the fit's corrected
    // standard error underestimates it), so ±20 % is a 3σ band.
    for (const r of runs) {
      const expected = (expectedNoiseHeatingEvPerFs(masses, sigma, r.dtFs) * 1e6) / n;
      expect(r.driftMevPerAtomPerPs / expected, fmt(runs)).toBeGreaterThan(0.8);
      expect(r.driftMevPerAtomPerPs / expected, fmt(runs)).toBeLessThan(1.2);
      expect(Math.abs(r.injectedWorkMevPerAtom - r.energyChangeMevPerAtom)).toBeLessThan(0.01 * r.energyChangeMevPerAtom);
    }
    const v = res.verdicts[0];
    expect(v.variant).toBe('noisy');
    expect(v.cause).toBe('force-noise');
    expect(v.driftExponent!).toBeGreaterThan(0.8);
    expect(v.driftExponent!).toBeLessThan(1.2);
  }, 60_000);
});

describe('drift study: failures, stop, verdicts', () => {
  it('a run that blows up is reported with a message; the others still run', async () => {
    const throwing: Calculator = { ...stillingerWeber(), name: 'broken', compute: () => { throw new Error('model exploded'); } };
    const res = await driftStudy(stillingerWeber(), silicon(1), [
      { id: 'biased', calculator: rotatedForcesCalculator(stillingerWeber(), { fraction: 0.5 }) },
      { id: 'broken', calculator: directForcesCalculator(stillingerWeber(), throwing) },
    ], { temperatureK: 300, dtFs: [1, 2], durationFs: 400, seed: 2, blowUpEvPerAtom: 0.005 });
    expect(res.runs).toHaveLength(6);
    expect(runsOf(res, 'conservative').every((r) => !r.failed && Number.isFinite(r.driftMevPerAtomPerPs))).toBe(true);
    for (const r of runsOf(res, 'biased')) {
      expect(r.failed).toMatch(/blew up: energy changed by/);
      // the series runs up to the blow-up, where |ΔE| passed the limit and W still tracks it
      const s = r.series;
      expect(s.timeFs[s.timeFs.length - 1]).toBe(r.blowUpFs);
      expect(Math.abs(s.energyChangeMevPerAtom[s.timeFs.length - 1])).toBeGreaterThan(5);
      expect(s.injectedWorkMevPerAtom[s.timeFs.length - 1]).toBeCloseTo(s.energyChangeMevPerAtom[s.timeFs.length - 1], 0);
    }
    // blown up after about the same time at both dt: the forces, not the integrator
    expect(res.verdicts.find((v) => v.variant === 'biased')!.cause).toBe('force-error');
    for (const r of runsOf(res, 'broken')) expect(r.failed).toMatch(/model exploded/);
    expect(res.verdicts.find((v) => v.variant === 'broken')!.cause).toBe('inconclusive');
  });

  it('shouldStop ends the study early; bad inputs are refused', async () => {
    let calls = 0;
    const res = await driftStudy(stillingerWeber(), silicon(1), [], { temperatureK: 300, dtFs: [1, 2], durationFs: 2000, seed: 1, shouldStop: () => ++calls > 3 });
    expect(res.runs.length).toBeLessThan(2);
    await expect(driftStudy(stillingerWeber(), silicon(1), [], { temperatureK: 300, dtFs: [0], durationFs: 10, seed: 1 })).rejects.toThrow(/dtFs/);
    const v = rotatedForcesCalculator(stillingerWeber(), { fraction: 0.1 });
    await expect(driftStudy(stillingerWeber(), silicon(1), [{ id: 'conservative', calculator: v }], { temperatureK: 300, dtFs: [1], durationFs: 10, seed: 1 })).rejects.toThrow(/reserved/);
  });

  it('verdicts from the dt scaling of |drift|', () => {
    const run = (dtFs: number, drift: number, se = 0.01): DriftRun => ({
      variant: 'x', dtFs, steps: 1, driftMevPerAtomPerPs: drift, driftStderrMevPerAtomPerPs: se, fluctuationMevPerAtom: dtFs * dtFs,
      energyChangeMevPerAtom: 0, injectedWorkMevPerAtom: 0, injectedPowerMevPerAtomPerPs: 0, balanceResidualMevPerAtom: 0, series: { timeFs: [], energyChangeMevPerAtom: [], injectedWorkMevPerAtom: [] },
    });
    const cubic = driftVerdict('x', DTS.map((dt) => run(dt, dt ** 3)));
    expect(cubic.cause).toBe('integration-error');
    expect(cubic.driftExponent!).toBeCloseTo(3, 10);
    expect(cubic.fluctuationExponent!).toBeCloseTo(2, 10);
    expect(cubic.message).toMatch(/drift shrinks with dt: integration error/);
    expect(driftVerdict('x', DTS.map((dt) => run(dt, -4 * dt))).cause).toBe('force-noise');
    expect(driftVerdict('x', DTS.map((dt) => run(dt, 7))).cause).toBe('force-error');
    expect(driftVerdict('x', DTS.map((dt) => run(dt, 0.001))).cause).toBe('conserved');
    expect(driftVerdict('x', DTS.map((dt) => run(dt, dt === 2 ? 1 : 0.001))).cause).toBe('integration-error');
    // noise that sinks below significance at the smaller dt is not evidence of a fast (≥ dt^1.5) decay
    expect(driftVerdict('x', [run(1, -0.36, 0.25), run(2, 2.35, 0.48)]).cause).toBe('inconclusive');
    expect(driftVerdict('x', [{ ...run(1, 1), failed: 'boom' }]).cause).toBe('inconclusive');
    const blown = (dtFs: number, t: number): DriftRun => ({ ...run(dtFs, NaN), failed: 'blew up', blowUpFs: t });
    expect(driftVerdict('x', [blown(0.5, 1380), blown(1, 1384), blown(2, 1378)]).cause).toBe('force-error');
    expect(driftVerdict('x', [run(0.5, 0.001), run(1, 0.001), blown(2, 300)]).cause).toBe('integration-error');
    expect(driftVerdict('x', [blown(0.5, 5000), blown(1, 900), blown(2, 100)]).cause).toBe('inconclusive');
  });
});
