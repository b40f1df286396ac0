// Every registry entry's declared invariances are confirmed (features unchanged to 1e-10 relative
// under random translations, rotations, reflections, like-atom permutations) and every undeclared
// one is refuted (features change by more than 1e-6) on an asymmetric molecule that carries forces,
// per-atom vectors and tensors, a dipole and a stress, so that `invariants` has data to work on.
import { describe, expect, it } from 'vitest';
import { makeFrame, type Frame } from '../atoms/frame';
import { createRng } from '../space/rng';
import { REPRESENTATIONS, featurizeAll, representationById, type Invariances } from './registry';
import { anyPermutation, likeAtomPermutation, maxRelativeDifference, randomReflection, randomRotation, transformFrame } from './testing';

/** Ethanol-like C2H6O with every atom displaced randomly (no symmetry, no tied row norms). */
function molecule(seed: number): Frame {
  const rng = createRng(seed);
  const base = [
    ['C', -0.75, 0.0, 0.0], ['C', 0.75, 0.05, 0.0], ['O', 1.2, 1.35, 0.1],
    ['H', -1.15, 1.0, 0.2], ['H', -1.1, -0.5, 0.9], ['H', -1.1, -0.55, -0.85],
    ['H', 1.1, -0.5, 0.88], ['H', 1.12, -0.48, -0.9], ['H', 2.15, 1.3, 0.05],
  ] as const;
  const n = base.length;
  const pos = new Float64Array(3 * n);
  base.forEach(([, x, y, z], i) => {
    pos[3 * i] = x + 0.08 * rng.normal();
    pos[3 * i + 1] = y + 0.08 * rng.normal();
    pos[3 * i + 2] = z + 0.08 * rng.normal();
  });
  const rand = (k: number) => Float64Array.from({ length: k }, () => rng.normal());
  const tensors = rand(9 * n);
  return makeFrame({
    symbols: base.map((b) => b[0]),
    positionsA: pos,
    forcesEvPerA: rand(3 * n),
    stressEvPerA3: rand(9),
    info: { dipole_e_a: Array.from(rand(3)), energy_ev: -10 },
    arrays: { dipoles: { kind: 'real', width: 3, data: rand(3 * n) }, polarizability: { kind: 'real', width: 9, data: tensors }, charges: { kind: 'real', width: 1, data: rand(n) } },
  });
}

const KINDS: (keyof Invariances)[] = ['translation', 'rotation', 'reflection', 'permutation'];

function transformed(f: Frame, kind: keyof Invariances, seed: number): Frame {
  const rng = createRng(seed);
  switch (kind) {
    case 'translation':
      return transformFrame(f, { translationA: [rng.uniform(-20, 20), rng.uniform(-20, 20), rng.uniform(-20, 20)] });
    case 'rotation':
      return transformFrame(f, { rotation: randomRotation(rng) });
    case 'reflection':
      return transformFrame(f, { rotation: randomReflection(rng) });
    case 'permutation': {
      let p = likeAtomPermutation(f.numbers, rng);
      while (p.every((v, i) => v === i)) p = likeAtomPermutation(f.numbers, rng);
      return transformFrame(f, { permutation: p });
    }
  }
}

describe('representation registry', () => {
  it('ids are unique and every entry documents itself', () => {
    expect(new Set(REPRESENTATIONS.map((r) => r.id)).size).toBe(REPRESENTATIONS.length);
    for (const r of REPRESENTATIONS) {
      expect(r.title.length).toBeGreaterThan(5);
      expect(r.citation.length).toBeGreaterThan(5);
      expect(r.costScaling).toMatch(/O\(/);
      expect(representationById(r.id)).toBe(r);
    }
  });

  for (const rep of REPRESENTATIONS) {
    describe(rep.id, () => {
      const frames = [molecule(1), molecule(2)];
      const fz = rep.fit(frames);
      for (const kind of KINDS) {
        const claimed = rep.invariances[kind];
        it(`${claimed ? 'is' : 'is not'} invariant to ${kind}`, () => {
          for (const [k, f] of frames.entries()) {
            for (let trial = 0; trial < 3; trial++) {
              const x0 = fz.featurize(f);
              const x1 = fz.featurize(transformed(f, kind, 100 * k + trial + 1));
              expect(x1.length).toBe(fz.dimension);
              const d = maxRelativeDifference(x0, x1);
              if (claimed) expect(d).toBeLessThan(1e-10);
              else expect(d).toBeGreaterThan(1e-6);
            }
          }
        });
      }
      it('gives finite features of the declared length, and names for each', () => {
        const X = featurizeAll(fz, frames);
        expect(X.length).toBe(2 * fz.dimension);
        expect(X.every(Number.isFinite)).toBe(true);
        expect(fz.featureNames().length).toBe(fz.dimension);
      });
    });
  }

  it('sorted CM, eigenvalues and BoB are invariant even to permutations that mix elements', () => {
    // (they never rely on the atom order; the unsorted CM does)
    const f = molecule(3);
    for (const id of ['cm-sorted', 'cm-eigen', 'bob'] as const) {
      const fz = representationById(id)!.fit([f]);
      const g = transformFrame(f, { permutation: anyPermutation(f.numbers.length, createRng(5)) });
      expect(maxRelativeDifference(fz.featurize(f), fz.featurize(g))).toBeLessThan(1e-10);
    }
  });

  it('none of them separates mirror images: reflection invariance means enantiomers look alike', () => {
    // A chiral centre (four different substituents) and its mirror image: same features.
    const chiral = makeFrame({ symbols: ['C', 'H', 'F', 'Cl', 'Br'], positionsA: [0, 0, 0, 0.63, 0.63, 0.63, -0.8, -0.8, 0.8, -1.0, 1.0, -1.0, 1.1, -1.1, -1.1] });
    const mirror = transformFrame(chiral, { rotation: new Float64Array([-1, 0, 0, 0, 1, 0, 0, 0, 1]) });
    for (const id of ['cm-sorted', 'cm-eigen', 'bob', 'acsf-sum'] as const) {
      const fz = representationById(id)!.fit([chiral]);
      expect(maxRelativeDifference(fz.featurize(chiral), fz.featurize(mirror))).toBeLessThan(1e-12);
    }
  });

  it('invariants uses the oriented columns that every frame has, and says which it skipped', () => {
    const a = molecule(1);
    const b = molecule(2);
    delete b.arrays.dipoles;
    const fz = representationById('invariants')!.fit([a, b]);
    const d = fz.describe() as { columns: { name: string }[]; skipped: { name: string; reason: string }[] };
    expect(d.columns.map((c) => c.name)).toEqual(['charges', 'forces', 'polarizability', 'dipole_e_a', 'stress']);
    expect(d.skipped.map((s) => s.name)).toEqual(['dipoles']);
    expect(fz.featureNames()).toContain('forces.norm.sum');
    expect(fz.featureNames()).toContain('stress.det');
  });
});
