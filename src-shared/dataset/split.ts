// Train / validation / test splits of a dataset, reproducible from a seed (xoshiro128** in
// space/rng.ts, Fisher-Yates shuffle). Either frame by frame, or by group (config_type or any key):
// whole groups go to one split, so that near-identical frames of one MD run or one configuration
// family cannot sit on both sides (the leakage that makes validation errors look too good).
// Group splits aim at the frame fractions greedily: groups in seeded random order each go to the
// split furthest below its target. Indices within a split keep the dataset order.
import { createRng } from '../space/rng';

export interface SplitFractions {
  train: number;
  valid: number;
  /** Default: 1 - train - valid. */
  test?: number;
}

export interface SplitResult {
  train: number[];
  valid: number[];
  test: number[];
}

function checkFractions(f: SplitFractions): [number, number, number] {
  const test = f.test ?? 1 - f.train - f.valid;
  const all = [f.train, f.valid, test];
  if (all.some((x) => !(x >= -1e-12 && x <= 1 + 1e-12))) throw new Error(`split fractions must lie in [0, 1], got train ${f.train}, valid ${f.valid}, test ${test}`);
  if (Math.abs(f.train + f.valid + test - 1) > 1e-9) throw new Error(`split fractions must add up to 1, got ${f.train + f.valid + test}`);
  return [f.train, f.valid, Math.max(0, test)];
}

function shuffled(n: number, seed: number): number[] {
  const rng = createRng(seed);
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Random split of n frames: round(train n) and round(valid n) frames, the rest test. */
export function splitByFraction(n: number, fractions: SplitFractions, seed: number): SplitResult {
  const [tr, va] = checkFractions(fractions);
  const order = shuffled(n, seed);
  const nTrain = Math.round(tr * n);
  const nValid = Math.min(n - nTrain, Math.round(va * n));
  const sort = (a: number[]) => a.sort((x, y) => x - y);
  return { train: sort(order.slice(0, nTrain)), valid: sort(order.slice(nTrain, nTrain + nValid)), test: sort(order.slice(nTrain + nValid)) };
}

/**
 * Split by group: `groupOf[i]` is the group of frame i (null = its own group of one). Whole groups
 * go to one split, aiming at the frame fractions.
 */
export function splitByGroup(groupOf: readonly (string | null)[], fractions: SplitFractions, seed: number): SplitResult & { groups: Record<'train' | 'valid' | 'test', string[]> } {
  const target = checkFractions(fractions).map((x) => x * groupOf.length);
  const members = new Map<string, number[]>();
  groupOf.forEach((g, i) => {
    const key = g === null ? `\u0000frame ${i}` : g;
    let m = members.get(key);
    if (!m) members.set(key, (m = []));
    m.push(i);
  });
  const keys = [...members.keys()].sort();
  const order = shuffled(keys.length, seed).map((k) => keys[k]);
  const out: number[][] = [[], [], []];
  const names: string[][] = [[], [], []];
  for (const key of order) {
    const m = members.get(key)!;
    // The split with the largest remaining need (target minus what it has), ties to train first.
    let best = 0;
    let bestNeed = -Infinity;
    for (let s = 0; s < 3; s++) {
      if (target[s] <= 0) continue;
      const need = target[s] - out[s].length;
      if (need > bestNeed + 1e-12) {
        best = s;
        bestNeed = need;
      }
    }
    out[best].push(...m);
    if (!key.startsWith('\u0000')) names[best].push(key);
  }
  const sort = (a: number[]) => a.sort((x, y) => x - y);
  return { train: sort(out[0]), valid: sort(out[1]), test: sort(out[2]), groups: { train: names[0].sort(), valid: names[1].sort(), test: names[2].sort() } };
}
