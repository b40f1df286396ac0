import { describe, expect, it } from 'vitest';
import { makeFrame, type Frame } from '../atoms/frame';
import { createRng } from '../space/rng';
import { acsfPerAtom, fitAcsfLayout } from '../representations/acsfPooled';
import { confusionMatrix } from './metrics';
import { fitSoftmax, predictClasses, predictProbabilities, softmaxLossAndGradient } from './softmaxClassifier';

describe('softmax classifier', () => {
  it('analytic gradient of the cross-entropy matches central differences', () => {
    const rng = createRng(1);
    const m = 20, dim = 3, C = 4, l2 = 0.1;
    const Z = Float64Array.from({ length: m * dim }, () => rng.normal());
    const y = Int32Array.from({ length: m }, () => rng.int(C));
    const theta = Float64Array.from({ length: C * dim + C }, () => 0.5 * rng.normal());
    const g = new Float64Array(theta.length), scratch = new Float64Array(theta.length);
    softmaxLossAndGradient(theta, Z, y, dim, C, l2, g);
    const h = 1e-6;
    for (let p = 0; p < theta.length; p++) {
      const tp = theta.slice(), tm = theta.slice();
      tp[p] += h;
      tm[p] -= h;
      const fd = (softmaxLossAndGradient(tp, Z, y, dim, C, l2, scratch) - softmaxLossAndGradient(tm, Z, y, dim, C, l2, scratch)) / (2 * h);
      expect(g[p]).toBeCloseTo(fd, 7);
    }
  });

  it('separates three Gaussian blobs; probabilities sum to 1; confusion matrix by hand', () => {
    const rng = createRng(2);
    const centres = [[0, 0], [4, 0], [0, 4]];
    const n = 150;
    const X = new Float64Array(2 * n), labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % 3;
      labels[i] = c;
      X[2 * i] = centres[c][0] + 0.7 * rng.normal();
      X[2 * i + 1] = centres[c][1] + 0.7 * rng.normal();
    }
    const fit = fitSoftmax(X, n, 2, labels, ['a', 'b', 'c'], { l2: 1e-3 });
    expect(fit.converged).toBe(true);
    const pred = predictClasses(fit.model, X, n);
    const cm = confusionMatrix(labels, pred, 3);
    expect(cm.accuracy).toBeGreaterThan(0.97);
    const p = predictProbabilities(fit.model, X, 5);
    for (let q = 0; q < 5; q++) expect(p[3 * q] + p[3 * q + 1] + p[3 * q + 2]).toBeCloseTo(1, 14);
    const hand = confusionMatrix([0, 0, 1, 1, 2, -1], [0, 1, 1, 1, 0, 2], 3);
    expect(hand.matrix).toEqual([[1, 1, 0], [0, 2, 0], [1, 0, 0]]);
    expect(hand.accuracy).toBeCloseTo(3 / 5, 15);
    expect(hand.perClass[1]).toEqual({ precision: 2 / 3, recall: 1, support: 2 });
  });
});

/** Periodic Cu crystal with nearest-neighbour distance 2.55 Å, atoms displaced by σ = noiseA. */
function crystal(kind: 'fcc' | 'bcc' | 'hcp', noiseA: number, seed: number): Frame {
  const rng = createRng(seed);
  const d = 2.55;
  let cell: number[], basis: number[][], reps: [number, number, number];
  if (kind === 'fcc') {
    const a = d * Math.SQRT2;
    cell = [a, 0, 0, 0, a, 0, 0, 0, a];
    basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
    reps = [3, 3, 3];
  } else if (kind === 'bcc') {
    const a = (2 * d) / Math.sqrt(3);
    cell = [a, 0, 0, 0, a, 0, 0, 0, a];
    basis = [[0, 0, 0], [0.5, 0.5, 0.5]];
    reps = [4, 4, 4];
  } else {
    const a = d, c = a * Math.sqrt(8 / 3);
    cell = [a, 0, 0, -a / 2, (a * Math.sqrt(3)) / 2, 0, 0, 0, c];
    basis = [[0, 0, 0], [1 / 3, 2 / 3, 0.5]];
    reps = [4, 4, 3];
  }
  const pos: number[] = [];
  for (let i = 0; i < reps[0]; i++)
    for (let j = 0; j < reps[1]; j++)
      for (let k = 0; k < reps[2]; k++)
        for (const b of basis) {
          const f = [i + b[0], j + b[1], k + b[2]];
          for (let x = 0; x < 3; x++) pos.push(f[0] * cell[x] + f[1] * cell[3 + x] + f[2] * cell[6 + x] + noiseA * rng.normal());
        }
  const big = cell.map((v, q) => v * reps[Math.floor(q / 3)]);
  return makeFrame({ symbols: new Array(pos.length / 3).fill('Cu'), positionsA: pos, cellA: big, pbc: [true, true, true] });
}

describe('per-atom local-structure classification (fcc / bcc / hcp) on symmetry functions', () => {
  it('trained on one noisy crystal of each kind, labels atoms of new noisy crystals', () => {
    const kinds = ['bcc', 'fcc', 'hcp'] as const;
    const train = kinds.map((k, i) => crystal(k, 0.06, 10 + i));
    const test = kinds.map((k, i) => crystal(k, 0.06, 20 + i));
    const layout = fitAcsfLayout(train);
    const stack = (frames: Frame[]) => {
      const rows: number[] = [], labels: number[] = [];
      frames.forEach((f, c) => {
        const { values } = acsfPerAtom(f, layout);
        rows.push(...values);
        for (let i = 0; i < f.numbers.length; i++) labels.push(c);
      });
      return { X: Float64Array.from(rows), labels: Int32Array.from(labels) };
    };
    const tr = stack(train), te = stack(test);
    const F = layout.perAtom;
    const fit = fitSoftmax(tr.X, tr.labels.length, F, tr.labels, [...kinds], { l2: 1e-2 });
    const pred = predictClasses(fit.model, te.X, te.labels.length);
    const cm = confusionMatrix(te.labels, pred, 3);
    expect(cm.accuracy).toBeGreaterThan(0.95);
    for (const pc of cm.perClass) expect(pc.recall).toBeGreaterThan(0.9);
  });
});
