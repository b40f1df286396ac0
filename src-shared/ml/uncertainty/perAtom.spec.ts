import { describe, expect, it } from 'vitest';
import type { AtomicSystem } from '../../calculators/calculator';
import { createLennardJones } from '../../potentials/lennardJones';
import { createStillingerWeberFromText } from '../../potentials/stillingerWeber';
import { speciesTable } from '../data/species';
import { modelCalculator } from '../models/calculator';
import { createModel } from '../models/registry';
import { useBackend } from '../testing/tfTesting';
import { calibrationCurve, percentileThresholds, quantileSorted, sharedHistogram, spearman } from './calibration';
import { energyDecomposition, forceSensitivity } from './perAtom';
import { diamondFrames, SMALL_SF, SW_SI } from './testing';

describe('per-atom energy decomposition', () => {
  it('a trained-model calculator returns per-atom energies (E0 included) that sum to the energy', async () => {
    const { tf } = await useBackend('cpu');
    const model = createModel(tf, 'bpnn', { symmetryFunctions: SMALL_SF, hidden: [4] }, {
      species: speciesTable(['Si']),
      e0: { method: 'user', valuesEv: Float64Array.from([-4.3]) },
      scales: { energyEvPerAtom: 0.05, energyMeanEvPerAtom: 0, forceEvPerA: 0.5, stressEvPerA3: 0.01 },
      seed: 2,
    });
    const frame = diamondFrames({ symbol: 'Si', frames: 1, seed: 3 })[0];
    const d = energyDecomposition(modelCalculator(model), frame, { 14: -4.3 });
    expect(d.energiesEv.reduce((s, x) => s + x, 0)).toBeCloseTo(d.energyEv, 5);
    expect(d.relativeToElementMeanEv.reduce((s, x) => s + x, 0)).toBeCloseTo(0, 9);
    d.relativeToE0Ev!.forEach((v, i) => expect(v).toBeCloseTo(d.energiesEv[i] + 4.3, 12));
    model.dispose();
  });

  it('works for classical potentials and refuses calculators without per-atom energies', () => {
    const sw = createStillingerWeberFromText(SW_SI, 'Si.sw');
    const frame = diamondFrames({ symbol: 'Si', frames: 1, seed: 4 })[0];
    const d = energyDecomposition(sw, frame);
    expect(d.energiesEv.reduce((s, x) => s + x, 0)).toBeCloseTo(d.energyEv, 9);
    expect(d.relativeToE0Ev).toBeNull();
    expect(() => energyDecomposition({ ...sw, implementedProperties: ['energy', 'forces'] }, frame)).toThrow(/per-atom energies/);
  });
});

describe('per-atom force sensitivity', () => {
  it('equals the analytic Hessian row norm of a Lennard-Jones dimer', () => {
    const eps = 0.0104, sig = 3.4, r = 3.9;
    const lj = createLennardJones({ epsilonEv: eps, sigmaA: sig, cutoffA: 10 });
    const dimer: AtomicSystem = { numbers: Int32Array.from([18, 18]), positionsA: Float64Array.from([0, 0, 0, r, 0, 0]), cellA: null, pbc: [false, false, false] };
    const d1 = 4 * eps * (-12 * sig ** 12 / r ** 13 + 6 * sig ** 6 / r ** 7);
    const d2 = 4 * eps * (156 * sig ** 12 / r ** 14 - 42 * sig ** 6 / r ** 8);
    // ∂F_1/∂x_1 = -K, ∂F_1/∂x_2 = K with K = φ'' uuᵀ + (φ'/r)(1 - uuᵀ): s = sqrt(2 ||K||²)
    const expected = Math.sqrt(2 * (d2 * d2 + 2 * (d1 / r) ** 2));
    const s = forceSensitivity(lj, dimer, { exact: true, stepA: 1e-4 });
    expect(s.forceCalls).toBe(12);
    expect(s.sensitivityEvPerA2[0]).toBeCloseTo(expected, 6);
    expect(s.sensitivityEvPerA2[1]).toBeCloseTo(expected, 6);
    // random probes (Hutchinson) estimate the same in expectation
    const p = forceSensitivity(lj, dimer, { probes: 400, seed: 1, stepA: 1e-4 });
    expect(Math.abs(p.sensitivityEvPerA2[0] / expected - 1)).toBeLessThan(0.15);
  });

  it('random probes track the exact per-atom values on rattled silicon (Stillinger-Weber)', () => {
    const sw = createStillingerWeberFromText(SW_SI, 'Si.sw');
    const frame = diamondFrames({ symbol: 'Si', frames: 1, seed: 5, rattleA: 0.15 })[0];
    const exact = forceSensitivity(sw, frame, { exact: true });
    const probes = forceSensitivity(sw, frame, { probes: 64, seed: 2 });
    expect(probes.forceCalls).toBe(128);
    let rel = 0;
    exact.sensitivityEvPerA2.forEach((v, i) => (rel += Math.abs(probes.sensitivityEvPerA2[i] / v - 1)));
    expect(rel / frame.numbers.length).toBeLessThan(0.15);
    expect(spearman(exact.sensitivityEvPerA2, probes.sensitivityEvPerA2)).toBeGreaterThan(0.5);
    expect(Array.from(frame.positionsA)).toEqual(Array.from(diamondFrames({ symbol: 'Si', frames: 1, seed: 5, rattleA: 0.15 })[0].positionsA));
  });
});

describe('calibration helpers', () => {
  it('percentiles, rank correlation, binned curves and shared histograms', () => {
    expect(quantileSorted([0, 1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantileSorted([0, 10], 0.95)).toBeCloseTo(9.5, 12);
    const t = percentileThresholds(Array.from({ length: 101 }, (_, k) => k));
    expect([t.median, t.p95, t.p99]).toEqual([50, 95, 99]);
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 400])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    const c = calibrationCurve([5, 1, 4, 2, 3, 6], [0.5, 0.1, 0.4, 0.2, 0.3, 0.6], 3);
    expect(c.count).toEqual([2, 2, 2]);
    expect(c.errorMean.map((x) => +x.toFixed(12))).toEqual([0.15, 0.35, 0.55]);
    expect(c.scoreEdges).toEqual([1, 3, 5, 6]);
    const h = sharedHistogram({ a: [0, 1, 2, 3], b: [3, 3, 100] }, { bins: 3 });
    expect(h.edges[0]).toBe(0);
    expect(h.counts.a.reduce((s, x) => s + x, 0)).toBe(4);
    expect(h.fractions.b.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    const hs = sharedHistogram({ a: [-1, 2] }, { bins: 4, symmetric: true });
    expect(hs.edges[0]).toBe(-2);
  });
});
