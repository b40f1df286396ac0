import { describe, expect, it } from 'vitest';
import { createRng } from '../../space/rng';
import { useBackend } from '../testing/tfTesting';
import { gatherInto, registerMissingKernels, segmentSumInto } from './kernels';

function naiveSegmentSum(x: number[], ids: number[], inner: number, num: number): number[] {
  const out = new Array(num * inner).fill(0);
  ids.forEach((s, r) => {
    if (s < 0 || s >= num) return;
    for (let k = 0; k < inner; k++) out[s * inner + k] += x[r * inner + k];
  });
  return out;
}

describe('segment sum and gather kernels', () => {
  it('host loops match the definition (ids out of range are dropped)', () => {
    const rng = createRng(1);
    for (const inner of [1, 3, 5]) {
      const rows = 40, num = 7;
      const x = Array.from({ length: rows * inner }, () => rng.normal());
      const ids = Array.from({ length: rows }, () => rng.int(num + 2) - 1);
      const out = new Float32Array(num * inner);
      segmentSumInto(out, Float32Array.from(x), Int32Array.from(ids), rows, inner, num);
      const want = naiveSegmentSum(x, ids, inner, num);
      want.forEach((v, k) => expect(out[k]).toBeCloseTo(v, 5));
      const idx = Int32Array.from({ length: 9 }, () => rng.int(rows));
      const g = new Float32Array(9 * inner);
      gatherInto(g, Float32Array.from(x), idx, 1, rows, inner);
      idx.forEach((r, q) => {
        for (let k = 0; k < inner; k++) expect(g[q * inner + k]).toBe(Math.fround(x[r * inner + k]));
      });
    }
    expect(() => gatherInto(new Float32Array(1), new Float32Array(2), Int32Array.from([2]), 1, 2, 1)).toThrow(/index 2/);
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`${backend}: unsortedSegmentSum, gather and the gradient of gather`, async () => {
      const { tf } = await useBackend(backend);
      expect(registerMissingKernels(tf)).toEqual([]); // idempotent: installed by useBackend
      const rng = createRng(2);
      const rows = 50, inner = 3, num = 11;
      const x = Array.from({ length: rows * inner }, () => rng.normal());
      const ids = Array.from({ length: rows }, () => rng.int(num));
      const before = tf.memory().numTensors;
      const got = tf.tidy(() => tf.unsortedSegmentSum(tf.tensor2d(x, [rows, inner]), tf.tensor1d(ids, 'int32'), num).arraySync() as number[][]);
      const want = naiveSegmentSum(x, ids, inner, num);
      got.flat().forEach((v, k) => expect(v).toBeCloseTo(want[k], 4));
      // int32 data and a rank-1 input
      const gi = tf.tidy(() => tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4], 'int32'), tf.tensor1d([1, 0, 1, 1], 'int32'), 2).arraySync());
      expect(gi).toEqual([2, 8]);
      // d/dx sum(w * gather(x, idx)) = segment sum of w onto idx
      const idx = Array.from({ length: 30 }, () => rng.int(rows));
      const w = Array.from({ length: 30 * inner }, () => rng.normal());
      const grad = tf.tidy(() => tf.grad((t: import('@tensorflow/tfjs').Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor1d(idx, 'int32')), tf.tensor2d(w, [30, inner]))))(tf.tensor2d(x, [rows, inner])).arraySync() as number[][]);
      const gw = naiveSegmentSum(w, idx, inner, rows);
      grad.flat().forEach((v, k) => expect(v).toBeCloseTo(gw[k], 4));
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('broadcasting binary kernels', () => {
  const cases: [number[], number[]][] = [
    [[5, 3], [5, 3]],
    [[5, 3], [5, 1]],
    [[5, 3], [1, 3]],
    [[1, 3], [5, 1]],
    [[4, 2, 3], [4, 1, 3]],
    [[4, 2, 1], [4, 1, 3]],
    [[2, 3, 4, 5], [3, 1, 5]],
    [[6], []],
    [[], [2, 2]],
  ];
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`${backend}: mul, add, sub, div with broadcasting equal the element-wise definition`, async () => {
      const { tf } = await useBackend(backend);
      const rng = createRng(4);
      for (const [sa, sb] of cases) {
        const a = tf.tensor(Array.from({ length: sa.reduce((p, x) => p * x, 1) }, () => rng.normal()), sa);
        const b = tf.tensor(Array.from({ length: sb.reduce((p, x) => p * x, 1) }, () => 0.5 + rng.next()), sb);
        const [A, Bv] = [a.arraySync(), b.arraySync()];
        const outShape = tf.mul(a, b).shape;
        // reference by explicit broadcasting through tile-free indexing
        const at = (x: unknown, shape: number[], idx: number[]): number => {
          let v = x;
          const off = idx.length - shape.length;
          shape.forEach((n, k) => (v = (v as unknown[])[n === 1 ? 0 : idx[off + k]]));
          return v as number;
        };
        for (const [name, f] of [['mul', (x: number, y: number) => x * y], ['add', (x: number, y: number) => x + y], ['sub', (x: number, y: number) => x - y], ['div', (x: number, y: number) => x / y]] as const) {
          const t = name === 'mul' ? tf.mul(a, b) : name === 'add' ? tf.add(a, b) : name === 'sub' ? tf.sub(a, b) : tf.div(a, b);
          const got = t.dataSync();
          const size = outShape.reduce((p, x) => p * x, 1);
          for (let q = 0; q < size; q++) {
            const idx: number[] = [];
            let rem = q;
            for (let k = outShape.length - 1; k >= 0; k--) {
              idx.unshift(rem % outShape[k]);
              rem = Math.floor(rem / outShape[k]);
            }
            expect(got[q]).toBeCloseTo(f(at(A, sa, idx), at(Bv, sb, idx)), 5);
          }
          t.dispose();
        }
        tf.dispose([a, b]);
      }
      // int32 and 5-D inputs fall back to the stock kernels
      expect(tf.add(tf.tensor1d([1, 2], 'int32'), tf.scalar(3, 'int32')).arraySync()).toEqual([4, 5]);
      expect(tf.mul(tf.ones([1, 2, 1, 2, 1]), tf.fill([2, 1, 2, 1, 2], 2)).sum().arraySync()).toBe(64);
    });

    it(`${backend}: segment-sum gradient with negative ids falls back to dropping them`, async () => {
      const { tf } = await useBackend(backend);
      const g = tf.tidy(() => tf.grad((x: import('@tensorflow/tfjs').Tensor) => tf.sum(tf.mul(tf.unsortedSegmentSum(x, tf.tensor1d([0, -1, 1], 'int32'), 2), tf.tensor1d([2, 3]))))(tf.tensor1d([1, 1, 1])).arraySync());
      expect(g).toEqual([2, 0, 3]);
    });
  }
});
