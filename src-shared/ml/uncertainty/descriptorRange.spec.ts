import { beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../atoms/frame';
import type { Calculator } from '../../calculators/calculator';
import { createGraphCache } from '../data/graph';
import { speciesTable } from '../data/species';
import { prepareTrainingData } from '../data/trainingData';
import { modelCalculator } from '../models/calculator';
import { fitLinearModel } from '../models/linear';
import { createModel } from '../models/registry';
import type { SavedModel } from '../models/serialization';
import { useBackend } from '../testing/tfTesting';
import { buildDomainModel, parseDomainModel, scoreFrames, type DomainModel } from './descriptorRange';
import { domainShiftReport, mapElements, parseElementMap } from './domainShift';
import { diamondFrames, SMALL_SF } from './testing';

// A linear model on symmetry functions (closed-form fit: fast) trained on SW silicon; validation
// frames are rattled further than the training ones, so scores and errors spread out; "Ge" is SW
// germanium (4 % larger lattice) renamed to Si.
let train: Frame[], valid: Frame[], ge: Frame[];
let saved: SavedModel, calc: Calculator, domain: DomainModel;

beforeAll(async () => {
  const { tf } = await useBackend('cpu');
  train = diamondFrames({ symbol: 'Si', frames: 16, seed: 1, rattleA: [0.03, 0.12] });
  valid = diamondFrames({ symbol: 'Si', frames: 16, seed: 2, rattleA: [0.03, 0.25] });
  ge = mapElements(diamondFrames({ symbol: 'Ge', frames: 8, seed: 3, rattleA: [0.03, 0.12] }), { Ge: 'Si' });
  const data = prepareTrainingData(train, { split: { method: 'indices', train: train.map((_, k) => k), valid: [] } });
  const graphs = createGraphCache(train, { cutoffA: SMALL_SF.cutoffA, triplets: { cutoffA: SMALL_SF.angular.cutoffA, requireJk: false } });
  const model = createModel(tf, 'linear', { symmetryFunctions: SMALL_SF, ridge: 1e-6 }, {
    species: data.species,
    e0: data.e0,
    scales: data.scales,
    seed: 0,
    trainingGraphs: function* () {
      for (const k of data.split.train) yield { graph: graphs.get(k), species: data.atomSpecies[k] };
    },
  });
  fitLinearModel(model, data, graphs, { energyWeight: 1, forceWeight: 1 });
  saved = model.save();
  calc = modelCalculator(model);
  domain = buildDomainModel(saved, train, valid, { calculator: calc, referencePerSpecies: 100, seed: 1 });
});

describe('descriptor-range domain model', () => {
  it('records the training range (no warnings on training atoms) and survives a JSON round trip', () => {
    const s = scoreFrames(domain, train);
    expect(s.summary.extrapolationWarnings).toBe(0);
    expect(domain.perSpecies[0].trainAtoms).toBe(16 * 8);
    expect(domain.perSpecies[0].referenceCount).toBe(100);
    expect(domain.featureNames.length).toBe(6 + 8);
    const back = parseDomainModel(JSON.stringify(domain));
    const a = scoreFrames(domain, valid.slice(0, 3)), b = scoreFrames(back, valid.slice(0, 3));
    expect(Array.from(b.atomScores)).toEqual(Array.from(a.atomScores));
    expect(Array.from(b.atomOutOfRange)).toEqual(Array.from(a.atomOutOfRange));
  });

  it('is calibrated on validation atoms: p95/p99 flag ~5 %/~1 % of them, and force errors grow with the score', () => {
    const cal = domain.calibration!;
    expect(cal.validAtoms).toBe(16 * 8);
    expect(cal.thresholds.p99).toBeGreaterThan(cal.thresholds.p95);
    const s = scoreFrames(domain, valid);
    expect(s.summary.fractionAboveP95).toBeGreaterThan(0.02);
    expect(s.summary.fractionAboveP95).toBeLessThan(0.09);
    expect(s.summary.fractionAboveP99).toBeLessThan(0.03);
    const curve = cal.forceCurve!;
    expect(curve.count.reduce((x, y) => x + y, 0)).toBe(16 * 8);
    expect(curve.spearman).toBeGreaterThan(0.4);
    expect(curve.topOverBottom).toBeGreaterThan(3);
    expect(curve.errorMean[curve.errorMean.length - 1]).toBeGreaterThan(curve.errorMean[0]);
  });

  it('scores germanium structures (renamed Si) far above the silicon thresholds', () => {
    const g = scoreFrames(domain, ge), v = scoreFrames(domain, valid);
    expect(g.summary.scoreMedian).toBeGreaterThan(3 * v.summary.scoreMedian);
    expect(g.summary.fractionAboveP99!).toBeGreaterThan(0.5);
    expect(g.summary.fractionExtrapolating).toBeGreaterThan(0.9);
    expect(g.summary.featuresOutOfRange[0].atoms).toBeGreaterThan(0);
    expect(g.frames.every((f) => f.atomsExtrapolating > 0)).toBe(true);
  });

  it('needs a symmetry-function model and the model elements', () => {
    expect(() => buildDomainModel({ type: 'painn', config: { cutoffA: 5 }, species: ['Si'] }, train, [])).toThrow(/symmetry functions/);
    expect(() => scoreFrames(domain, diamondFrames({ symbol: 'Ge', frames: 1, seed: 4 }))).toThrow(/Ge/);
    const uncalibrated = buildDomainModel({ type: 'bpnn', config: { symmetryFunctions: SMALL_SF }, species: speciesTable(['Si']).symbols as string[] }, train, []);
    expect(uncalibrated.calibration).toBeNull();
    expect(scoreFrames(uncalibrated, ge).summary.fractionAboveP95).toBeNull();
  });
});

describe('domain shift report', () => {
  it('puts errors and scores of the reference and the new set on shared histograms', () => {
    const r = domainShiftReport({ calculator: calc, reference: { name: 'Si valid', frames: valid }, target: { name: 'Ge as Si', frames: ge }, domain, bins: 12 });
    expect(r.thresholds.source).toBe('validation');
    const h = r.histograms.descriptorScore!;
    expect(h.edges.length).toBe(13);
    expect(h.fractions['Si valid'].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(h.fractions['Ge as Si'].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(r.histograms.forceErrorEvPerA.counts['Si valid'].reduce((a, b) => a + b, 0)).toBe(16 * 8 * 3);
    expect(r.ratios.descriptorScoreMedian!).toBeGreaterThan(3);
    expect(r.ratios.energyMae!).toBeGreaterThan(10); // Ge's cohesive energy is not Si's
    expect(r.target.descriptor!.fractionAboveP99Threshold).toBeGreaterThan(0.5);
    expect(r.reference.descriptor!.fractionAboveP99Threshold).toBeLessThan(0.03);
    expect(r.histograms.committeeForceStdEvPerA).toBeNull();
  });

  it('parses element maps', () => {
    expect(parseElementMap('Ge=Si, Sn=Si')).toEqual({ Ge: 'Si', Sn: 'Si' });
    expect(() => parseElementMap('Ge->Si')).toThrow(/FROM=TO/);
    const m = mapElements(diamondFrames({ symbol: 'Ge', frames: 1, seed: 5 }), { Ge: 'Si' })[0];
    expect(m.symbols[0]).toBe('Si');
    expect(m.numbers[0]).toBe(14);
  });
});
