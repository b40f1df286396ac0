import { describe, expect, it } from 'vitest';
import { covalentRadiusA } from '../atoms/elements';
import { cellFromParameters, type Pbc } from '../space/cell';
import { createRng, type Rng } from '../space/rng';
import { randomCell, randomPositionsInCell, skewCell } from '../space/testing';
import { bruteForcePairs, type BrutePair } from './bruteForce';
import { allocate, bondPairs, neighborPairs, update, type NeighborPairs } from './neighborList';

const rng = createRng(314159);
const TTT: Pbc = [true, true, true];
const FFF: Pbc = [false, false, false];

const key = (i: number, j: number, n0: number, n1: number, n2: number) => `${i},${j},${n0},${n1},${n2}`;

/** Map from pair key to the pair's index in `p`; fails on duplicates. */
function keysOf(p: NeighborPairs): Map<string, number> {
  const m = new Map<string, number>();
  const dup: string[] = [];
  for (let q = 0; q < p.count; q++) {
    const k = key(p.i[q], p.j[q], p.images[3 * q], p.images[3 * q + 1], p.images[3 * q + 2]);
    if (m.has(k)) dup.push(k);
    m.set(k, q);
  }
  expect(dup, 'duplicate pairs').toEqual([]);
  return m;
}

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol * (1 + Math.abs(b));

/**
 * Every reference pair is in the list with the same distance and vector; with `exact`, nothing
 * else is. Problems are collected and asserted once (fast, and the message lists them all).
 */
function expectPairs(p: NeighborPairs, ref: BrutePair[], exact = true): void {
  const m = keysOf(p);
  const problems: string[] = [];
  for (const r of ref) {
    const k = key(r.i, r.j, ...r.image);
    const q = m.get(k);
    if (q === undefined) problems.push(`missing ${k} at ${r.distanceA} Å`);
    else {
      if (!close(p.distancesA![q], r.distanceA)) problems.push(`distance ${k}: ${p.distancesA![q]} vs ${r.distanceA}`);
      for (let c = 0; c < 3; c++) {
        if (!close(p.vectorsA![3 * q + c], r.vectorA[c])) problems.push(`vector ${k}[${c}]`);
      }
    }
    if (problems.length > 10) break;
  }
  expect(problems).toEqual([]);
  if (exact) expect(p.count).toBe(ref.length);
}

/** The list holds exactly the brute-force pairs, with consistent distances, vectors and rowStart. */
function expectSamePairs(p: NeighborPairs, ref: BrutePair[], positionsA: Float64Array, cellA: ArrayLike<number> | null): void {
  expectPairs(p, ref);
  // vectors are x_j + n·cell - x_i for the positions as given
  const cell = cellA ?? new Float64Array(9);
  let bad = 0;
  for (let q = 0; q < p.count; q++) {
    const i = p.i[q], j = p.j[q];
    for (let c = 0; c < 3; c++) {
      const v = positionsA[3 * j + c] - positionsA[3 * i + c] +
        p.images[3 * q] * cell[c] + p.images[3 * q + 1] * cell[3 + c] + p.images[3 * q + 2] * cell[6 + c];
      if (!close(p.vectorsA![3 * q + c], v)) bad++;
    }
  }
  expect(bad).toBe(0);
  // sorted by i, rowStart brackets each atom's pairs
  const n = positionsA.length / 3;
  expect(p.rowStart[0]).toBe(0);
  expect(p.rowStart[n]).toBe(p.count);
  let unsorted = 0;
  for (let i = 0; i < n; i++) for (let q = p.rowStart[i]; q < p.rowStart[i + 1]; q++) if (p.i[q] !== i) unsorted++;
  expect(unsorted).toBe(0);
}

/** Check full and half modes against brute force. */
function checkBoth(positionsA: Float64Array, cellA: ArrayLike<number> | null, pbc: Pbc, cutoffA: number): void {
  for (const half of [false, true]) {
    const p = neighborPairs(positionsA, cellA, pbc, cutoffA, { half });
    expectSamePairs(p, bruteForcePairs(positionsA, cellA, pbc, cutoffA, { half }), positionsA, cellA);
  }
}

function perturb(r: Rng, positionsA: Float64Array, sigmaA: number): Float64Array {
  return positionsA.map((x) => x + sigmaA * r.normal());
}

describe('neighbour list equals brute force', () => {
  it('random triclinic cells, unwrapped positions, cutoffs below and above the cell size', () => {
    for (let t = 0; t < 24; t++) {
      const cell = randomCell(rng, { minA: 3, maxA: 7 });
      const n = 2 + rng.int(20);
      const r = randomPositionsInCell(rng, n, cell, -1, 2);
      checkBoth(r, cell, TTT, rng.uniform(1, 9));
    }
  });

  it('strongly skewed cells (same lattice in long, nearly coplanar vectors)', () => {
    for (let t = 0; t < 12; t++) {
      const base = randomCell(rng, { minA: 4, maxA: 7 });
      const cell = skewCell(rng, base, { skew: 3, steps: 5 });
      const r = randomPositionsInCell(rng, 6 + rng.int(10), cell, -0.5, 1.5);
      checkBoth(r, cell, TTT, rng.uniform(2, 6));
      // same lattice, same atoms: the sorted distance lists agree between descriptions
      const d1 = Array.from(neighborPairs(r, cell, TTT, 5).distancesA!).sort((a, b) => a - b);
      const d2 = Array.from(neighborPairs(r, base, TTT, 5).distancesA!).sort((a, b) => a - b);
      expect(d1.length).toBe(d2.length);
      for (let q = 0; q < d1.length; q++) expect(d1[q]).toBeCloseTo(d2[q], 9);
    }
  });

  it('mixed periodicity: slabs and wires, with and without a zero vector on the open axis', () => {
    const pbcs: Pbc[] = [[true, true, false], [false, true, true], [true, false, false], [false, false, true]];
    for (let t = 0; t < 16; t++) {
      const pbc = pbcs[t % 4];
      const cell = randomCell(rng);
      const r = randomPositionsInCell(rng, 3 + rng.int(15), cell, -1, 2);
      checkBoth(r, cell, pbc, rng.uniform(1.5, 8));
    }
    const slab = new Float64Array([4, 0, 0, 1.5, 3.5, 0, 0, 0, 0]); // c = 0: open along z
    const pbc: Pbc = [true, true, false];
    const r = randomPositionsInCell(rng, 12, [4, 0, 0, 1.5, 3.5, 0, 0, 0, 10], -1, 2);
    checkBoth(r, slab, pbc, 6);
  });

  it('free space: no cell, and a cell with pbc all false (bins over the bounding box)', () => {
    for (let t = 0; t < 10; t++) {
      const n = 5 + rng.int(60);
      const r = new Float64Array(3 * n).map(() => rng.uniform(-8, 8));
      checkBoth(r, null, FFF, rng.uniform(1, 6));
      const p = neighborPairs(r, [3, 0, 0, 0, 3, 0, 0, 0, 3], FFF, 3);
      expectSamePairs(p, bruteForcePairs(r, null, FFF, 3), r, null);
    }
    // degenerate geometries: a line of atoms, one atom, no atoms, a far outlier
    const line = new Float64Array(30).map((_, q) => (q % 3 === 0 ? q * 0.4 : 0));
    checkBoth(line, null, FFF, 2.5);
    expect(neighborPairs(new Float64Array([1, 2, 3]), null, FFF, 5).count).toBe(0);
    expect(neighborPairs(new Float64Array(0), null, FFF, 5).count).toBe(0);
    const outlier = new Float64Array(3 * 40).map(() => rng.uniform(0, 5));
    outlier.set([1e6, -1e6, 3e5], 0);
    checkBoth(outlier, null, FFF, 2);
  });

  it('2-atom bcc cell (a = 3.3 Å) with a 5 Å cutoff: 8 + 6 + 12 neighbours per atom, through images', () => {
    const a = 3.3;
    const cell = [a, 0, 0, 0, a, 0, 0, 0, a];
    const r = new Float64Array([0, 0, 0, a / 2, a / 2, a / 2]);
    const full = neighborPairs(r, cell, TTT, 5);
    expect(full.count).toBe(52); // ase.neighborlist.neighbor_list('ij', bulk('Fe','bcc',3.3,cubic=True), 5.0)
    const shells = new Map<string, number>();
    for (let q = 0; q < full.count; q++) {
      const d = full.distancesA![q].toFixed(6);
      shells.set(d, (shells.get(d) ?? 0) + 1);
    }
    expect(shells.get(((a * Math.sqrt(3)) / 2).toFixed(6))).toBe(16);
    expect(shells.get(a.toFixed(6))).toBe(12);
    expect(shells.get((a * Math.SQRT2).toFixed(6))).toBe(24);
    // an atom meets its own images: (0, 0, ±1) etc.
    const own = [...keysOf(full).keys()].filter((k) => k.startsWith('0,0,'));
    expect(own).toHaveLength(18);
    expect(neighborPairs(r, cell, TTT, 5, { half: true }).count).toBe(26);
    checkBoth(r, cell, TTT, 5);
    checkBoth(r, cell, TTT, 11.7); // several images along each axis
  });

  it('1-atom fcc primitive cell (Cu, a = 3.615 Å): 42 neighbours within 5 Å, all self-images', () => {
    const h = 3.615 / 2;
    const cell = [0, h, h, h, 0, h, h, h, 0];
    const r = new Float64Array([0.1, -0.2, 0.05]);
    const full = neighborPairs(r, cell, TTT, 5);
    expect(full.count).toBe(42); // 12 + 6 + 24, as ASE gives
    const half = neighborPairs(r, cell, TTT, 5, { half: true });
    expect(half.count).toBe(21);
    // the half list keeps exactly one of n, -n
    const seen = new Set<string>();
    for (let q = 0; q < half.count; q++) {
      const n = [half.images[3 * q], half.images[3 * q + 1], half.images[3 * q + 2]];
      expect(seen.has(n.map((x) => -x).join())).toBe(false);
      seen.add(n.join());
    }
    checkBoth(r, cell, TTT, 5);
    checkBoth(r, cell, TTT, 9);
  });

  it('perturbed crystals: full list = half list plus its reverses', () => {
    const cell = cellFromParameters([5.43, 5.43, 5.43], [90, 90, 90]);
    const frac = [0, 0, 0, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5, 0.25, 0.25, 0.25, 0.75, 0.75, 0.25, 0.75, 0.25, 0.75, 0.25, 0.75, 0.75];
    const r0 = new Float64Array(frac.map((s) => s * 5.43));
    for (let t = 0; t < 5; t++) {
      const r = perturb(rng, r0, 0.15);
      checkBoth(r, cell, TTT, 4);
      const full = keysOf(neighborPairs(r, cell, TTT, 4));
      const half = neighborPairs(r, cell, TTT, 4, { half: true });
      expect(full.size).toBe(2 * half.count);
      for (let q = 0; q < half.count; q++) {
        const n = [half.images[3 * q], half.images[3 * q + 1], half.images[3 * q + 2]];
        expect(full.has(key(half.i[q], half.j[q], n[0], n[1], n[2]))).toBe(true);
        expect(full.has(key(half.j[q], half.i[q], -n[0], -n[1], -n[2]))).toBe(true);
      }
    }
  });

  it('options: distances/vectors off, minimum distance, per-species cutoffs', () => {
    const cell = randomCell(rng);
    const r = randomPositionsInCell(rng, 20, cell);
    const bare = neighborPairs(r, cell, TTT, 4, { distances: false, vectors: false });
    expect(bare.distancesA).toBeNull();
    expect(bare.vectorsA).toBeNull();
    expect(bare.count).toBe(bruteForcePairs(r, cell, TTT, 4).length);
    const far = neighborPairs(r, cell, TTT, 4, { minDistanceA: 2 });
    expect(far.count).toBe(bruteForcePairs(r, cell, TTT, 4, { minDistanceA: 2 }).length);
    const species = new Int32Array(20).map((_, a) => a % 3);
    const table = new Float64Array([2, 3, 4, 3, 2.5, 3.5, 4, 3.5, 1]);
    const p = neighborPairs(r, cell, TTT, 4, { species, pairCutoffsA: table, half: true });
    const ref = bruteForcePairs(r, cell, TTT, 4, { half: true, pairCutoffA: (i, j) => table[species[i] * 3 + species[j]] });
    expectSamePairs(p, ref, r, cell);
  });

  it('rejects bad input with a clear message', () => {
    expect(() => neighborPairs(new Float64Array(4), null, FFF, 2)).toThrow(/3N/);
    expect(() => neighborPairs(new Float64Array(3), null, FFF, 0)).toThrow(/cutoffA/);
    expect(() => neighborPairs(new Float64Array([0, NaN, 0]), null, FFF, 2)).toThrow(/not finite/);
    expect(() => neighborPairs(new Float64Array(3), [0, 0, 0, 0, 3, 0, 0, 0, 3], TTT, 2)).toThrow(/zero/);
  });
});

describe('Verlet list lifecycle: allocate / update with a skin', () => {
  /** Every brute-force pair within the cutoff at these positions is in the list, with current vectors. */
  function expectComplete(list: NeighborPairs, r: Float64Array, cell: ArrayLike<number> | null, pbc: Pbc, cutoffA: number, half: boolean) {
    expectPairs(list, bruteForcePairs(r, cell, pbc, cutoffA, { half }), false);
  }

  it('small moves reuse the list yet keep it complete; displacements adding up past the skin rebuild', () => {
    for (const [cell, pbc] of [
      [randomCell(rng, { minA: 5, maxA: 8 }), TTT],
      [randomCell(rng, { minA: 5, maxA: 8 }), [true, false, true]],
      [null, FFF],
    ] as [Float64Array | null, Pbc][]) {
      for (const half of [false, true]) {
        const n = 30;
        let r = cell ? randomPositionsInCell(rng, n, cell) : new Float64Array(3 * n).map(() => rng.uniform(0, 9));
        const cutoffA = 3, skinA = 1;
        const list = allocate(r, cell, pbc, { cutoffA, skinA, half });
        expect(list.rebuilds).toBe(0);
        expectComplete(list, r, cell, pbc, cutoffA + skinA, half);
        // many small steps: each atom stays within skin/2 of the reference
        const ref = r.slice();
        for (let step = 0; step < 10; step++) {
          r = ref.map((x) => x + rng.uniform(-0.28, 0.28)); // |move| < 0.28·√3 < 0.5
          expect(update(list, r)).toBe(false);
          expectComplete(list, r, cell, pbc, cutoffA, half);
        }
        expect(list.rebuilds).toBe(0);
        // one atom alone moves by 0.9 > skin/2 but < skin: no pair can have come closer by more
        // than the skin, so the list is kept and still complete
        r = ref.slice();
        r[3 * 7] += 0.9;
        expect(update(list, r)).toBe(false);
        expectComplete(list, r, cell, pbc, cutoffA, half);
        // a second atom moving 0.2 makes 0.9 + 0.2 > skin: rebuild
        r[3 * 11 + 1] -= 0.2;
        expect(update(list, r)).toBe(true);
        expect(list.rebuilds).toBe(1);
        expectComplete(list, r, cell, pbc, cutoffA + skinA, half);
        // motion is measured from the last build, not from the last call
        let moved = r.slice();
        let rebuilt = 0;
        for (let step = 0; step < 20; step++) {
          moved = moved.map((x) => x + 0.05);
          if (update(list, moved)) rebuilt++;
          expectComplete(list, moved, cell, pbc, cutoffA, half);
        }
        expect(rebuilt).toBeGreaterThan(0);
        expect(list.rebuilds).toBe(1 + rebuilt);
      }
    }
  });

  it('a changed cell or atom count triggers a rebuild; the same cell does not', () => {
    const cell = randomCell(rng, { minA: 5, maxA: 8 });
    const r = randomPositionsInCell(rng, 20, cell);
    const list = allocate(r, cell, TTT, { cutoffA: 3, skinA: 0.5 });
    expect(update(list, r, cell.slice())).toBe(false);
    const strained = cell.map((x) => x * 1.001);
    expect(update(list, r, strained)).toBe(true);
    expectComplete(list, r, strained, TTT, 3.5, false);
    const r2 = randomPositionsInCell(rng, 25, strained);
    expect(update(list, r2)).toBe(true);
    expectComplete(list, r2, strained, TTT, 3.5, false);
    expect(list.rowStart.length).toBe(26);
  });

  it('grows capacity instead of failing (dense list, large cutoff)', () => {
    const a = 3.3;
    const r = new Float64Array([0, 0, 0, a / 2, a / 2, a / 2]);
    const list = allocate(r, [a, 0, 0, 0, a, 0, 0, 0, a], TTT, { cutoffA: 2, skinA: 0 });
    const cap0 = list.capacity;
    const big = allocate(r, [a, 0, 0, 0, a, 0, 0, 0, a], TTT, { cutoffA: 12 });
    expect(big.count).toBeGreaterThan(cap0);
    expect(big.capacity).toBeGreaterThanOrEqual(big.count);
    expectSamePairs(
      { ...big, i: big.i.subarray(0, big.count) },
      bruteForcePairs(r, [a, 0, 0, 0, a, 0, 0, 0, a], TTT, 12),
      r,
      [a, 0, 0, 0, a, 0, 0, 0, a],
    );
  });
});

describe('bondPairs', () => {
  it('water and methane: the chemical bonds and nothing else', () => {
    const water = bondPairs([8, 1, 1], [0, 0, 0, 0.757, 0.586, 0, -0.757, 0.586, 0], null, FFF);
    expect(water.count).toBe(2);
    expect(Array.from(water.i)).toEqual([0, 0]);
    const t = 1.089 / Math.sqrt(3);
    const ch4 = bondPairs([6, 1, 1, 1, 1], [0, 0, 0, t, t, t, -t, -t, t, -t, t, -t, t, -t, -t], null, FFF);
    expect(ch4.count).toBe(4); // H-H at 1.78 Å > 1.2·0.62
  });

  it('diamond Si: 16 bonds in the 8-atom cell, across the periodic boundary (ASE natural_cutoffs·1.2)', () => {
    const a = 5.43;
    const frac = [0, 0, 0, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5, 0.25, 0.25, 0.25, 0.75, 0.75, 0.25, 0.75, 0.25, 0.75, 0.25, 0.75, 0.75];
    const b = bondPairs(new Int32Array(8).fill(14), frac.map((s) => s * a), [a, 0, 0, 0, a, 0, 0, 0, a], TTT);
    expect(b.count).toBe(16);
    for (let q = 0; q < b.count; q++) expect(b.distancesA![q]).toBeCloseTo((a * Math.sqrt(3)) / 4, 10);
  });

  it('an H2 molecule split by the cell boundary is bonded through an image', () => {
    const b = bondPairs([1, 1], [0.2, 5, 5, 9.6, 5, 5], [10, 0, 0, 0, 10, 0, 0, 0, 10], TTT);
    expect(b.count).toBe(1);
    expect(Array.from(b.images)).toEqual([-1, 0, 0]);
    expect(b.distancesA![0]).toBeCloseTo(0.6, 12);
  });

  it('random cloud equals the brute-force per-pair rule; overlapping atoms are not bonded', () => {
    const zs = [1, 6, 7, 8, 16, 26];
    for (const [cell, pbc] of [
      [null, FFF],
      [randomCell(rng, { minA: 5, maxA: 8 }), TTT],
      [randomCell(rng, { minA: 5, maxA: 8 }), [true, true, false]],
    ] as [Float64Array | null, Pbc][]) {
      const n = 60;
      const numbers = new Int32Array(n).map(() => zs[rng.int(zs.length)]);
      const r = cell ? randomPositionsInCell(rng, n, cell) : new Float64Array(3 * n).map(() => rng.uniform(0, 7));
      r.set([r[0] + 0.05, r[1], r[2]], 3); // atom 1 overlaps atom 0
      const b = bondPairs(numbers, r, cell, pbc, 1.2);
      const ref = bruteForcePairs(r, cell, pbc, 4, {
        half: true,
        minDistanceA: 0.1,
        pairCutoffA: (i, j) => 1.2 * (covalentRadiusA(numbers[i]) + covalentRadiusA(numbers[j])),
      });
      expectSamePairs(b, ref, r, cell);
      expect([...keysOf(b).keys()].some((k) => k.startsWith('0,1,0,0,0'))).toBe(false);
    }
  });
});
