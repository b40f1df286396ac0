import { describe, expect, it } from 'vitest';
import type { Frame } from '../../atoms/frame';
import { createRng } from '../../space/rng';
import { createGraphCache } from '../data/graph';
import { speciesTable } from '../data/species';
import { prepareTrainingData } from '../data/trainingData';
import { modelCalculator } from '../models/calculator';
import { fitLinearModel } from '../models/linear';
import { createModel } from '../models/registry';
import type { SavedModel } from '../models/serialization';
import { useBackend } from '../testing/tfTesting';
import type { Tf } from '../tf/types';
import { calibrateCommittee, committeeCalculator, committeeFromSaved, isCommittee } from './committee';
import { domainShiftReport, mapElements } from './domainShift';
import { diamondFrames, SMALL_SF } from './testing';

const e0 = { method: 'user' as const, valuesEv: Float64Array.from([-4.3]) };
const scales = { energyEvPerAtom: 0.05, energyMeanEvPerAtom: 0, forceEvPerA: 0.5, stressEvPerA3: 0.01 };

function bpMembers(tf: Tf, seeds: number[]): SavedModel[] {
  return seeds.map((seed) => {
    const m = createModel(tf, 'bpnn', { symmetryFunctions: SMALL_SF, hidden: [4], activation: 'tanh' }, { species: speciesTable(['Si']), e0, scales, seed });
    const s = m.save();
    m.dispose();
    return s;
  });
}

/** Linear models fitted on bootstrap resamples of the training frames (bagging). */
function baggedLinear(tf: Tf, train: Frame[], k: number): SavedModel[] {
  const rng = createRng(17);
  return Array.from({ length: k }, () => {
    const pick = Array.from({ length: train.length }, () => train[rng.int(train.length)]);
    const data = prepareTrainingData(pick, { split: { method: 'indices', train: pick.map((_, q) => q), valid: [] }, e0: { method: 'user', valuesEv: { Si: -4.3 } } });
    const graphs = createGraphCache(pick, { cutoffA: SMALL_SF.cutoffA, triplets: { cutoffA: SMALL_SF.angular.cutoffA, requireJk: false } });
    const model = createModel(tf, 'linear', { symmetryFunctions: SMALL_SF, ridge: 1e-4 }, {
      species: data.species,
      e0: data.e0,
      scales: data.scales,
      seed: 0,
      trainingGraphs: function* () {
        for (const q of data.split.train) yield { graph: graphs.get(q), species: data.atomSpecies[q] };
      },
    });
    fitLinearModel(model, data, graphs, { energyWeight: 1, forceWeight: 1 });
    const s = model.save();
    model.dispose();
    return s;
  });
}

describe('committee calculator', () => {
  it('returns the members mean and their spread (energy per atom, per-atom force vectors, per-atom energies)', async () => {
    const { tf } = await useBackend('cpu');
    const saved = bpMembers(tf, [1, 2, 3]);
    const frame = diamondFrames({ symbol: 'Si', frames: 1, seed: 8 })[0];
    const committee = committeeFromSaved(tf, saved);
    expect(isCommittee(committee)).toBe(true);
    expect(committee.lastUncertainty()).toBeNull();
    const r = committee.compute(frame, { forces: true, stress: true, energies: true });
    const u = committee.lastUncertainty()!;
    const members = committee.members.map((c) => c.compute(frame, { forces: true, stress: true, energies: true }));
    const n = frame.numbers.length, K = 3;
    const eMean = members.reduce((s, m) => s + m.energyEv, 0) / K;
    expect(r.energyEv).toBeCloseTo(eMean, 10);
    const eStd = Math.sqrt(members.reduce((s, m) => s + (m.energyEv - eMean) ** 2, 0) / K);
    expect(u.energyStdMevPerAtom).toBeCloseTo((1000 * eStd) / n, 8);
    expect(u.energyStdMevPerAtom).toBeGreaterThan(0);
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let c = 0; c < 3; c++) {
        const fm = members.reduce((s, m) => s + m.forcesEvPerA![3 * i + c], 0) / K;
        expect(r.forcesEvPerA![3 * i + c]).toBeCloseTo(fm, 10);
        v += members.reduce((s, m) => s + (m.forcesEvPerA![3 * i + c] - fm) ** 2, 0) / K;
      }
      expect(u.forceStdEvPerA![i]).toBeCloseTo(Math.sqrt(v), 10);
    }
    expect(u.maxForceStdEvPerA).toBe(Math.max(...u.forceStdEvPerA!));
    expect(r.energiesEv!.reduce((s, x) => s + x, 0)).toBeCloseTo(r.energyEv, 6);
    expect(u.energiesStdEv!.length).toBe(n);
    for (let q = 0; q < 9; q++) expect(r.stressEvPerA3![q]).toBeCloseTo(members.reduce((s, m) => s + m.stressEvPerA3![q], 0) / K, 10);
    // energy-only calls: no force spread unless alwaysForces
    committee.compute(frame, {});
    expect(committee.lastUncertainty()!.forceStdEvPerA).toBeNull();
    committee.dispose();
  });

  it('keeps the Calculator contract: forces are -dE/dx of the mean energy, and out arrays are reused', async () => {
    const { tf } = await useBackend('cpu');
    const saved = bpMembers(tf, [4, 5]);
    const frame = diamondFrames({ symbol: 'Si', frames: 1, seed: 9 })[0];
    const committee = committeeFromSaved(tf, saved, { alwaysForces: true });
    const out = { energyEv: 0 };
    const r = committee.compute(frame, { forces: true }, out);
    expect(r).toBe(out);
    const f = Float64Array.from(r.forcesEvPerA!);
    const h = 1e-3;
    for (const q of [0, 7, 13]) {
      const x = { ...frame, positionsA: Float64Array.from(frame.positionsA) };
      x.positionsA[q] += h;
      const ep = committee.compute(x, {}).energyEv;
      x.positionsA[q] -= 2 * h;
      const em = committee.compute(x, {}).energyEv;
      expect(f[q]).toBeCloseTo(-(ep - em) / (2 * h), 2); // float32 model energies
      expect(committee.lastUncertainty()!.forceStdEvPerA).not.toBeNull();
    }
    const again = committee.compute(frame, { forces: true }, out);
    expect(again.forcesEvPerA).toBe(r.forcesEvPerA);
    expect(() => committeeCalculator([modelCalculator(createModel(tf, 'bpnn', { symmetryFunctions: SMALL_SF, hidden: [2] }, { species: speciesTable(['Si']), e0, scales, seed: 1 }))])).toThrow(/at least 2/);
    committee.dispose();
  });

  it('a bagged committee spreads more on shifted data, and calibration gives thresholds and a scale factor', async () => {
    const { tf } = await useBackend('cpu');
    const train = diamondFrames({ symbol: 'Si', frames: 10, seed: 1, rattleA: [0.03, 0.12] });
    const valid = diamondFrames({ symbol: 'Si', frames: 10, seed: 2, rattleA: [0.03, 0.2] });
    const ge = mapElements(diamondFrames({ symbol: 'Ge', frames: 6, seed: 3, rattleA: [0.03, 0.12] }), { Ge: 'Si' });
    const committee = committeeFromSaved(tf, baggedLinear(tf, train, 4));
    const cal = calibrateCommittee(committee, valid, { bins: 5 });
    expect(cal.atoms).toBe(80);
    expect(cal.forceStdThresholdsEvPerA.p99).toBeGreaterThan(cal.forceStdThresholdsEvPerA.p95);
    expect(cal.forceScale).toBeGreaterThan(0);
    expect(cal.forceCurve.count.reduce((a, b) => a + b, 0)).toBe(80);
    expect(cal.forceCurve.spearman).toBeGreaterThan(0.2);
    const si = diamondFrames({ symbol: 'Si', frames: 6, seed: 4, rattleA: [0.03, 0.12] }); // in-distribution reference
    const r = domainShiftReport({ calculator: committee, reference: { name: 'Si', frames: si }, target: { name: 'Ge', frames: ge }, bins: 10 });
    expect(r.thresholds.source).toBe('reference');
    expect(r.ratios.committeeForceStdMedian!).toBeGreaterThan(1.5);
    // the spread grows on Ge, most clearly per structure; the per-atom force spread's tail on Si
    // (close contacts) is as wide as Ge's, so force thresholds alone flag few Ge atoms here
    expect(r.target.committee!.energyStdMevPerAtomMean).toBeGreaterThan(2 * r.reference.committee!.energyStdMevPerAtomMean);
    expect(r.histograms.committeeForceStdEvPerA!.counts.Si.reduce((a, b) => a + b, 0)).toBe(48);
    committee.dispose();
  });
});
