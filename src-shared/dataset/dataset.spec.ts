// Dataset tools: filter, merge, split, deduplicate and farthest-point subsampling, with the
// physics the descriptor must respect (invariance under rotation, translation, permutation, the
// choice of periodic images and supercells) and the properties each tool promises.
import { describe, expect, it } from 'vitest';
import { type Frame, makeFrame } from '../atoms/frame';
import { createRng } from '../space/rng';
import { randomRotation } from '../space/testing';
import { findDuplicates, sameStructure } from './dedupe';
import { datasetDescriptors, descriptorDistance, descriptorSpace, frameDescriptor } from './descriptor';
import { filterFrames, maxForceNormEvPerA } from './filter';
import { mergeDatasets } from './merge';
import { splitByFraction, splitByGroup } from './split';
import { farthestPointSampling } from './subsample';

/** Rock-salt-like NaCl cell (8 atoms) with small random displacements. */
function nacl(seed: number, jitterA = 0.05, extra: Partial<Parameters<typeof makeFrame>[0]> = {}): Frame {
  const rng = createRng(seed);
  const a = 5.6;
  const base = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
  const pos: number[] = [];
  const symbols: string[] = [];
  for (const [x, y, z] of base) {
    pos.push(x * a + rng.uniform(-jitterA, jitterA), y * a + rng.uniform(-jitterA, jitterA), z * a + rng.uniform(-jitterA, jitterA));
    symbols.push('Na');
    pos.push((x + 0.5) * a + rng.uniform(-jitterA, jitterA), y * a + rng.uniform(-jitterA, jitterA), z * a + rng.uniform(-jitterA, jitterA));
    symbols.push('Cl');
  }
  return makeFrame({ symbols, positionsA: pos, cellA: [a, 0, 0, 0, a, 0, 0, 0, a], ...extra });
}

function water(seed: number): Frame {
  const rng = createRng(seed);
  return makeFrame({ symbols: ['O', 'H', 'H'], positionsA: [0, 0, 0.12, 0, 0.76 + 0.05 * rng.next(), -0.48, 0, -0.76, -0.46 + 0.05 * rng.next()] });
}

function transformed(f: Frame, rot: Float64Array | null, shift: number[], perm: number[] | null): Frame {
  const n = f.symbols.length;
  const order = perm ?? Array.from({ length: n }, (_, i) => i);
  const p = new Float64Array(3 * n);
  order.forEach((src, i) => {
    const x = f.positionsA.subarray(3 * src, 3 * src + 3);
    for (let k = 0; k < 3; k++) p[3 * i + k] = (rot ? x[0] * rot[k] + x[1] * rot[3 + k] + x[2] * rot[6 + k] : x[k]) + shift[k];
  });
  let cell = f.cellA;
  if (cell && rot) {
    const c = new Float64Array(9);
    for (let r = 0; r < 3; r++) for (let k = 0; k < 3; k++) c[3 * r + k] = cell[3 * r] * rot[k] + cell[3 * r + 1] * rot[3 + k] + cell[3 * r + 2] * rot[6 + k];
    cell = c;
  }
  return makeFrame({ symbols: order.map((i) => f.symbols[i]), positionsA: p, cellA: cell, pbc: f.pbc });
}

describe('structure descriptor', () => {
  const space = descriptorSpace([nacl(1), water(1)], { cutoffA: 5, bins: 16 });

  it('is invariant under rotation, translation, permutation and periodic images', () => {
    const rng = createRng(7);
    for (const f of [nacl(3), water(2)]) {
      const d0 = frameDescriptor(f, space).vector;
      const perm = Array.from({ length: f.symbols.length }, (_, i) => i).reverse();
      const g = transformed(f, randomRotation(rng), [1.3, -2.1, 0.7], perm);
      expect(descriptorDistance(d0, frameDescriptor(g, space).vector)).toBeLessThan(1e-10);
    }
    // Atoms moved by lattice vectors (written in another image).
    const f = nacl(4);
    const g = makeFrame({ ...f, positionsA: f.positionsA.map((x, q) => (q % 3 === 0 && q % 2 === 0 ? x + 5.6 : x)) });
    expect(descriptorDistance(frameDescriptor(f, space).vector, frameDescriptor(g, space).vector)).toBeLessThan(1e-10);
  });

  it('a 2x1x1 supercell has the same (per-atom) descriptor', () => {
    const f = nacl(5);
    const n = f.symbols.length;
    const pos = new Float64Array(6 * n);
    pos.set(f.positionsA);
    for (let q = 0; q < 3 * n; q++) pos[3 * n + q] = f.positionsA[q] + (q % 3 === 0 ? 5.6 : 0);
    const sc = makeFrame({ symbols: [...f.symbols, ...f.symbols], positionsA: pos, cellA: [11.2, 0, 0, 0, 5.6, 0, 0, 0, 5.6] });
    expect(descriptorDistance(frameDescriptor(f, space).vector, frameDescriptor(sc, space).vector)).toBeLessThan(1e-10);
  });

  it('changes continuously: a tiny displacement gives a tiny distance, different structures a large one', () => {
    const f = nacl(6, 0);
    const g = makeFrame({ ...f, positionsA: f.positionsA.map((x, q) => (q === 0 ? x + 1e-4 : x)) });
    const small = descriptorDistance(frameDescriptor(f, space).vector, frameDescriptor(g, space).vector);
    expect(small).toBeGreaterThan(0);
    expect(small).toBeLessThan(1e-3);
    expect(descriptorDistance(frameDescriptor(f, space).vector, frameDescriptor(nacl(6, 0.3), space).vector)).toBeGreaterThan(100 * small);
  });
});

describe('filter', () => {
  const frames = [
    nacl(1, 0.05, { energyEv: -8 * 3.2, forcesEvPerA: new Float64Array(24).fill(0.1), info: { config_type: 'bulk' } }),
    nacl(2, 0.05, { energyEv: -8 * 1.0, forcesEvPerA: Float64Array.from({ length: 24 }, (_, q) => (q === 4 ? 12 : 0)), info: { config_type: 'bulk' } }),
    water(1),
    makeFrame({ ...water(2), energyEv: -14.2, forcesEvPerA: new Float64Array(9), info: { config_type: 'molecule' } }),
  ];

  it('by group, element, energy per atom and max force; unlabelled frames kept unless asked', () => {
    expect(filterFrames(frames, { groups: ['bulk'] }).kept).toEqual([0, 1]);
    expect(filterFrames(frames, { excludeGroups: ['bulk'] }).kept).toEqual([2, 3]);
    expect(filterFrames(frames, { requireElements: ['Cl'] }).kept).toEqual([0, 1]);
    expect(filterFrames(frames, { onlyElements: ['H', 'O'] }).kept).toEqual([2, 3]);
    expect(filterFrames(frames, { excludeElements: ['H'] }).kept).toEqual([0, 1]);
    const e = filterFrames(frames, { energyPerAtomEv: { max: -2 } }); // -3.2, -1.0, none, -4.73 eV/atom
    expect(e.kept).toEqual([0, 2, 3]);
    expect(e.keptUnlabelled).toBe(1);
    expect(e.removed).toEqual({ 'energy per atom out of range': 1 });
    expect(filterFrames(frames, { energyPerAtomEv: { max: -2 }, dropUnlabelled: true }).kept).toEqual([0, 3]);
    expect(filterFrames(frames, { maxForceEvPerA: { max: 10 } }).kept).toEqual([0, 2, 3]);
    expect(maxForceNormEvPerA(frames[0].forcesEvPerA!)).toBeCloseTo(Math.sqrt(3) * 0.1, 14);
  });
});

describe('merge', () => {
  it('concatenates in order and tags the source without overwriting', () => {
    const a = [nacl(1, 0.05, { energyEv: -1 }), nacl(2)];
    const b = [makeFrame({ ...water(1), info: { source: 'kept' } })];
    const { frames, report } = mergeDatasets([{ name: 'a.xyz', frames: a }, { name: 'b.xyz', frames: b }]);
    expect(frames).toHaveLength(3);
    expect(frames.map((f) => f.info.source)).toEqual(['a.xyz', 'a.xyz', 'kept']);
    expect(report[0]).toEqual({ name: 'a.xyz', frames: 2, withEnergy: 1, withForces: 0, withStress: 0 });
  });
});

describe('split', () => {
  it('by fraction: disjoint, complete, sized, reproducible from the seed', () => {
    const s = splitByFraction(101, { train: 0.8, valid: 0.1 }, 42);
    expect([s.train.length, s.valid.length, s.test.length]).toEqual([81, 10, 10]);
    expect(new Set([...s.train, ...s.valid, ...s.test]).size).toBe(101);
    expect(splitByFraction(101, { train: 0.8, valid: 0.1 }, 42)).toEqual(s);
    expect(splitByFraction(101, { train: 0.8, valid: 0.1 }, 43)).not.toEqual(s);
    expect(() => splitByFraction(10, { train: 0.8, valid: 0.3 }, 1)).toThrow(/add up to 1|\[0, 1\]/);
  });

  it('by group: no group on two sides, fractions approached', () => {
    const groups = Array.from({ length: 200 }, (_, i) => `md${i % 20}`);
    const s = splitByGroup(groups, { train: 0.7, valid: 0.15, test: 0.15 }, 3);
    const side = new Map<string, string>();
    for (const [name, idx] of Object.entries({ train: s.train, valid: s.valid, test: s.test })) {
      for (const i of idx) {
        expect(side.get(groups[i]) ?? name).toBe(name);
        side.set(groups[i], name);
      }
    }
    expect(s.train.length).toBe(140);
    expect(s.valid.length).toBe(30);
    expect(s.groups.test).toHaveLength(3);
  });
});

describe('deduplicate', () => {
  it('finds permuted, re-imaged and slightly perturbed copies; keeps the first; ignores near misses', () => {
    const f = nacl(11, 0.05, { energyEv: -10 });
    const permuted = transformed(f, null, [0, 0, 0], [3, 2, 1, 0, 7, 6, 5, 4]);
    const reimaged = makeFrame({ ...f, positionsA: f.positionsA.map((x, q) => (q === 4 ? x - 5.6 : x)) });
    const wiggled = makeFrame({ ...f, positionsA: f.positionsA.map((x, q) => x + (q % 2 ? 3e-4 : -3e-4)) });
    const moved = makeFrame({ ...f, positionsA: f.positionsA.map((x, q) => (q === 0 ? x + 0.01 : x)) });
    const shifted = transformed(f, null, [0.2, 0, 0], null);
    const frames = [nacl(12), f, permuted, water(1), reimaged, wiggled, moved, shifted, water(1)];
    const r = findDuplicates(frames, { positionTolA: 1e-3 });
    expect(r.kept).toEqual([0, 1, 3, 6, 7]);
    expect(Array.from(r.duplicateOf)).toEqual([-1, -1, 1, -1, 1, 1, -1, -1, 3]);
    expect(sameStructure(f, moved, 1e-3)).toBe(false);
    expect(sameStructure(f, moved, 0.02)).toBe(true);
  });

  it('counts duplicates whose energies disagree', () => {
    const f = nacl(13, 0.05, { energyEv: -10 });
    const g = makeFrame({ ...f, energyEv: -9 });
    expect(findDuplicates([f, g]).labelConflicts).toBe(1);
  });
});

describe('farthest-point sampling', () => {
  it('on a line picks the ends first, then fills the largest gaps', () => {
    const xs = [0, 1, 2, 3, 10, 11, 20];
    const v = xs.map((x) => Float64Array.from([x]));
    const r = farthestPointSampling(v, 4, { start: 0 });
    expect(r.selected).toEqual([0, 6, 4, 3]); // x = 0, 20, then 10 (10 from both), then 3 (3 from 0, 7 from 10)
    expect(r.minDistances.slice(1)).toEqual([20, 10, 3]);
  });

  it('in descriptor space, spreads over distinct structure families before repeating one', () => {
    const frames = [...Array.from({ length: 10 }, (_, i) => nacl(100 + i, 0.02)), water(1), nacl(200, 0.4)];
    const { vectors } = datasetDescriptors(frames, { cutoffA: 5, bins: 16 });
    const r = farthestPointSampling(vectors, 3);
    expect(new Set(r.selected).has(10)).toBe(true); // the only molecule
    expect(new Set(r.selected).has(11)).toBe(true); // the strongly distorted crystal
    expect(farthestPointSampling(vectors, 3)).toEqual(r); // deterministic
    expect(farthestPointSampling(vectors, 50).selected).toHaveLength(12);
  });
});
