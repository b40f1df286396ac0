import { describe, expect, it } from 'vitest';
import { makeFrame, type Frame } from '../../atoms/frame';
import { neighborPairs } from '../../partition/neighborList';
import { createRng } from '../../space/rng';
import { randomLabelledFrame } from '../testing/fixtures';
import { assembleGraphBatch, planBatches } from './batch';
import { buildFrameGraph, createGraphCache } from './graph';
import { labelScales, referenceEnergies } from './referenceEnergies';
import { pairIndex, speciesIndices, speciesTable } from './species';
import { describeGroupWeights, groupWeightProblems, groupWeights, splitDataset } from './split';
import { makeBatch, prepareTrainingData } from './trainingData';

function toyFrames(n: number, seed = 1): Frame[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, k) => {
    const f = randomLabelledFrame(rng, k % 3 ? ['Si', 'Si', 'O'] : ['O', 'Si', 'O', 'O'], { boxA: 5, minA: 1.5, periodic: k % 2 === 0 });
    f.info.config_type = ['bulk', 'surface', 'cluster'][k % 3];
    f.info.split = k % 5 === 0 ? 'test' : 'train';
    return f;
  });
}

describe('splits and group weights', () => {
  const frames = toyFrames(40);
  it('random: disjoint, complete, reproducible, fractions respected', () => {
    const a = splitDataset(frames, { method: 'random', validFraction: 0.2, testFraction: 0.1, seed: 3 });
    const b = splitDataset(frames, { method: 'random', validFraction: 0.2, testFraction: 0.1, seed: 3 });
    expect(a).toEqual(b);
    expect(a.valid.length).toBe(8);
    expect(a.test.length).toBe(4);
    expect(new Set([...a.train, ...a.valid, ...a.test]).size).toBe(40);
    expect(splitDataset(frames, { method: 'random', validFraction: 0.2, seed: 4 }).valid).not.toEqual(a.valid);
  });
  it('config_type: every group is represented in validation', () => {
    const s = splitDataset(frames, { method: 'config_type', validFraction: 0.25, seed: 1 });
    const groups = new Set(s.valid.map((k) => frames[k].info.config_type));
    expect(groups).toEqual(new Set(['bulk', 'surface', 'cluster']));
  });
  it('column: rows marked test go to test, validation is carved from the rest', () => {
    const s = splitDataset(frames, { method: 'column', column: 'split', validFraction: 0.1, seed: 1 });
    expect(s.test).toEqual(frames.map((f, k) => (f.info.split === 'test' ? k : -1)).filter((k) => k >= 0));
    expect(s.valid.length).toBe(3);
    expect(s.train.length).toBe(40 - 8 - 3);
  });
  it('group weights by config_type, default for others; bad weights refused', () => {
    const w = groupWeights(frames, { weights: { surface: 3 }, defaultWeight: 0.5 });
    frames.forEach((f, k) => expect(w[k]).toBe(f.info.config_type === 'surface' ? 3 : 0.5));
    expect(() => groupWeights(frames, { weights: { bulk: -1 } })).toThrow(/bulk/);
  });
  it('group-weight settings from JSON: problems named, groups counted with the weight each gets', () => {
    expect(groupWeightProblems(undefined)).toEqual([]);
    expect(groupWeightProblems({ weights: { surface: 5 }, defaultWeight: 1, column: 'config_type' })).toEqual([]);
    expect(groupWeightProblems([1, 2])[0]).toMatch(/must be an object like/);
    expect(groupWeightProblems({ weights: 5 })[0]).toMatch(/weights must map group names to weights/);
    expect(groupWeightProblems({ weights: { surface: -1, bulk: 'x' } })).toEqual([
      'groupWeights.weights["surface"] must be a finite number >= 0, got -1',
      'groupWeights.weights["bulk"] must be a finite number >= 0, got "x"',
    ]);
    expect(groupWeightProblems({ weights: {}, defaultWeight: null, column: '' })).toHaveLength(2);
    const rows = describeGroupWeights(frames, { weights: { surface: 3, liquid: 2 }, defaultWeight: 0.5 });
    const count = (g: string) => frames.filter((f) => f.info.config_type === g).length;
    expect(rows).toEqual(
      expect.arrayContaining([
        { group: 'surface', frames: count('surface'), weight: 3 },
        { group: 'bulk', frames: count('bulk'), weight: 0.5 },
        { group: 'liquid', frames: 0, weight: 2 },
      ]),
    );
    expect(rows.reduce((s, r) => s + r.frames, 0)).toBe(frames.length);
  });
});

describe('reference energies and scales', () => {
  const table = speciesTable(['O', 'Si']);
  // E = 2.5 n_O - 7 n_Si + noise-free: least squares recovers E0 exactly
  const rng = createRng(5);
  const frames = Array.from({ length: 12 }, () => {
    const nO = 1 + rng.int(4), nSi = 1 + rng.int(4);
    const f = makeFrame({ symbols: [...Array(nO).fill('O'), ...Array(nSi).fill('Si')], positionsA: new Float64Array(3 * (nO + nSi)) });
    f.energyEv = -2.5 * nO - 7 * nSi;
    return f;
  });
  it('least squares on composition', () => {
    const e0 = referenceEnergies(frames, frames.map((_, k) => k), table);
    expect(e0.valuesEv[0]).toBeCloseTo(-2.5, 6);
    expect(e0.valuesEv[1]).toBeCloseTo(-7, 6);
  });
  it('isolated atoms and user values; missing elements are named', () => {
    const iso = [makeFrame({ symbols: ['O'], positionsA: [0, 0, 0] }), makeFrame({ symbols: ['Si'], positionsA: [0, 0, 0] })];
    iso[0].energyEv = -1.5;
    iso[1].energyEv = -0.8;
    expect(Array.from(referenceEnergies(iso, [], table, { method: 'isolated_atoms' }).valuesEv)).toEqual([-1.5, -0.8]);
    expect(() => referenceEnergies(iso.slice(0, 1), [], table, { method: 'isolated_atoms' })).toThrow(/Si/);
    expect(Array.from(referenceEnergies([], [], table, { method: 'user', valuesEv: { O: 1, Si: 2 } }).valuesEv)).toEqual([1, 2]);
    expect(() => referenceEnergies([], [], table, { method: 'user', valuesEv: { O: 1 } })).toThrow(/Si/);
  });
  it('label scales: per-atom energy std, force RMS, stress RMS', () => {
    const fr = toyFrames(10);
    const idx = fr.map((_, k) => k);
    const e0 = new Float64Array(10);
    const s = labelScales(fr, idx, e0);
    const pe = fr.map((f) => f.energyEv! / f.numbers.length);
    const m = pe.reduce((a, b) => a + b) / 10;
    expect(s.energyEvPerAtom).toBeCloseTo(Math.sqrt(pe.reduce((a, b) => a + (b - m) ** 2, 0) / 9), 10);
    const fs = fr.flatMap((f) => Array.from(f.forcesEvPerA!));
    expect(s.forceEvPerA).toBeCloseTo(Math.sqrt(fs.reduce((a, b) => a + b * b, 0) / fs.length), 10);
  });
});

describe('graphs and batches', () => {
  it('triplets are all pairs of short edges of a centre (and r_jk < rc for G4)', () => {
    const rng = createRng(9);
    const f = randomLabelledFrame(rng, Array(8).fill('Si'), { boxA: 6, minA: 1.8, periodic: true });
    const g = buildFrameGraph(f, { cutoffA: 4, triplets: { cutoffA: 3.2, requireJk: true } });
    const p = neighborPairs(f.positionsA, f.cellA, f.pbc, 4);
    expect(g.edgeI.length).toBe(p.count);
    let want = 0;
    for (let a = 0; a < p.count; a++) for (let b = a + 1; b < p.count; b++) {
      if (p.i[a] !== p.i[b] || p.distancesA![a] >= 3.2 || p.distancesA![b] >= 3.2) continue;
      const d = Math.hypot(...[0, 1, 2].map((c) => p.vectorsA![3 * b + c] - p.vectorsA![3 * a + c]));
      if (d < 3.2) want++;
    }
    expect(g.tripletA.length).toBe(want);
    expect(Array.from(g.tripletA).every((a, t) => g.edgeI[a] === g.edgeI[g.tripletB[t]] && a < g.tripletB[t])).toBe(true);
    expect(g.volumeA3).toBeCloseTo(216, 10);
  });

  it('batches pack by atom count; atoms are species-ordered and map back to their frames', () => {
    const frames = toyFrames(9);
    const sizes = frames.map((f) => f.numbers.length);
    const plan = planBatches(frames.map((_, k) => k), (k) => sizes[k], 8);
    for (const b of plan) expect(b.reduce((s, k) => s + sizes[k], 0) <= 8 || b.length === 1).toBe(true);
    expect(plan.flat()).toEqual(frames.map((_, k) => k));
    const table = speciesTable(['O', 'Si']);
    const spec = { cutoffA: 3, triplets: { cutoffA: 3, requireJk: false } };
    const items = frames.slice(0, 3).map((f) => ({ graph: buildFrameGraph(f, spec), species: speciesIndices(table, f.numbers) }));
    const b = assembleGraphBatch(items, 2);
    for (let q = 1; q < b.nAtoms; q++) expect(b.species[q]).toBeGreaterThanOrEqual(b.species[q - 1]);
    for (let q = 0; q < b.nAtoms; q++) expect(b.species[q]).toBe(items[b.atomFrame[q]].species[b.atomOrigin[q]]);
    // edge vectors still connect the right atoms: r_ij = x_j + shift - x_i with the same shift as the frame graph
    let p0 = 0;
    items.forEach((it, f) => {
      for (let e = 0; e < it.graph.edgeI.length; e++) {
        expect(b.edgeFrame[p0 + e]).toBe(f);
        expect(b.atomOrigin[b.edgeI[p0 + e]]).toBe(it.graph.edgeI[e]);
        expect(b.atomOrigin[b.edgeJ[p0 + e]]).toBe(it.graph.edgeJ[e]);
      }
      p0 += it.graph.edgeI.length;
    });
    expect(pairIndex(1, 0, 2)).toBe(1);
    expect(pairIndex(1, 1, 2)).toBe(2);
  });

  it('missing labels are masked, not dropped; counts are reported; no labels is refused', () => {
    const frames = toyFrames(6);
    delete frames[1].forcesEvPerA;
    delete frames[2].energyEv;
    frames[4].stressEvPerA3 = undefined;
    const data = prepareTrainingData(frames, { split: { method: 'indices', train: [0, 1, 2, 3, 4, 5], valid: [] } });
    expect(data.counts.train).toMatchObject({ frames: 6, energy: 5, forces: 5, stress: 2 });
    const graphs = createGraphCache(frames, { cutoffA: 3 });
    const h = makeBatch(data, graphs, [0, 1, 2, 3, 4, 5]);
    expect(Array.from(h.labelled.energy)).toEqual([1, 1, 0, 1, 1, 1]);
    expect(Array.from(h.labelled.stress)).toEqual([1, 0, 1, 0, 0, 0]);
    expect(h.forceCount).toBe(3 * (h.nAtoms - frames[1].numbers.length));
    for (let q = 0; q < h.nAtoms; q++) expect(h.forceWeight[q]).toBe(h.atomFrame[q] === 1 ? 0 : 1);
    // targets are (E - ΣE0)/N with E0 in float64
    expect(h.energyPerAtomEv[0]).toBeCloseTo((frames[0].energyEv! - data.e0SumEv[0]) / frames[0].numbers.length, 5);
    expect(graphs.built).toBe(6);
    makeBatch(data, graphs, [0, 1]);
    expect(graphs.built).toBe(6); // cached
    const bare = frames.map((f) => ({ ...f, energyEv: undefined, forcesEvPerA: undefined, stressEvPerA3: undefined }));
    expect(() => prepareTrainingData(bare, { split: { method: 'random', validFraction: 0.2, seed: 1 } })).toThrow(/no energy, forces or stress/);
  });
});
