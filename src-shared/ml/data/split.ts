// Train / validation / test splits of a dataset, reproducible from a seed.
//  - random: a seeded Fisher-Yates shuffle cut by fractions;
//  - config_type (or any info key via stratifyBy): the same random cut inside every group, so each
//    group (AIMD, surface, vacancy, ...) is represented in validation and test in proportion;
//  - column: an info column names the split per frame (mlearn files carry split=train|test), with
//    validation carved at random from the training rows when the column names none;
//  - indices: explicit lists (a separate validation file appended by the host).
// Group weights come from an info column too (per-group loss weights of issue 4).
import type { Frame, InfoValue } from '../../atoms/frame';
import { createRng, type Rng } from '../../space/rng';

export type SplitConfig =
  | { method: 'random'; validFraction: number; testFraction?: number; seed: number; stratifyBy?: string }
  | { method: 'config_type'; validFraction: number; testFraction?: number; seed: number }
  | {
      method: 'column';
      column: string;
      /** Column values per split; defaults valid|validation|val and test|testing; all other rows train. */
      values?: { valid?: string[]; test?: string[] };
      /** Fraction of the training rows moved to validation when no row is marked valid (default 0.1). */
      validFraction?: number;
      seed: number;
    }
  | { method: 'indices'; train: number[]; valid: number[]; test?: number[] };

export interface Split {
  train: number[];
  valid: number[];
  test: number[];
}

function shuffled(indices: number[], rng: Rng): number[] {
  const a = indices.slice();
  for (let k = a.length - 1; k > 0; k--) {
    const r = rng.int(k + 1);
    const t = a[k];
    a[k] = a[r];
    a[r] = t;
  }
  return a;
}

function cut(indices: number[], validFraction: number, testFraction: number, rng: Rng, out: Split): void {
  const a = shuffled(indices, rng);
  const nTest = Math.round(testFraction * a.length);
  let nValid = Math.round(validFraction * a.length);
  // Keep at least one training frame in every non-empty group.
  if (nTest + nValid >= a.length && a.length > 0) nValid = Math.max(0, a.length - nTest - 1);
  out.test.push(...a.slice(0, nTest));
  out.valid.push(...a.slice(nTest, nTest + nValid));
  out.train.push(...a.slice(nTest + nValid));
}

/** String key of an info value (arrays joined), or '' when absent. */
export function infoKey(v: InfoValue | undefined): string {
  if (v === undefined) return '';
  return Array.isArray(v) ? v.join(' ') : String(v);
}

function checkFraction(name: string, f: number): void {
  if (!(f >= 0 && f < 1)) throw new Error(`split: ${name} must be in [0, 1), got ${f}`);
}

/** Indices of the frames in each split (each list ascending). */
export function splitDataset(frames: readonly Frame[], config: SplitConfig): Split {
  const out: Split = { train: [], valid: [], test: [] };
  const all = frames.map((_, k) => k);
  switch (config.method) {
    case 'random':
    case 'config_type': {
      const vf = config.validFraction, tf = config.testFraction ?? 0;
      checkFraction('validFraction', vf);
      checkFraction('testFraction', tf);
      if (vf + tf >= 1) throw new Error('split: validFraction + testFraction must be < 1');
      const rng = createRng(config.seed);
      const key = config.method === 'config_type' ? 'config_type' : config.stratifyBy;
      if (!key) cut(all, vf, tf, rng, out);
      else {
        const groups = new Map<string, number[]>();
        for (const k of all) {
          const g = infoKey(frames[k].info[key]);
          let list = groups.get(g);
          if (!list) groups.set(g, (list = []));
          list.push(k);
        }
        for (const g of [...groups.keys()].sort()) cut(groups.get(g)!, vf, tf, rng, out);
      }
      break;
    }
    case 'column': {
      const v = config.values ?? {};
      const lower = (xs: string[] | undefined, dflt: string[]) => new Set((xs ?? dflt).map((s) => s.toLowerCase()));
      const validV = lower(v.valid, ['valid', 'validation', 'val']);
      const testV = lower(v.test, ['test', 'testing']);
      const trainRows: number[] = [];
      for (const k of all) {
        const s = infoKey(frames[k].info[config.column]).toLowerCase();
        if (testV.has(s)) out.test.push(k);
        else if (validV.has(s)) out.valid.push(k);
        else trainRows.push(k);
      }
      if (out.valid.length === 0 && (config.validFraction ?? 0.1) > 0) {
        checkFraction('validFraction', config.validFraction ?? 0.1);
        cut(trainRows, config.validFraction ?? 0.1, 0, createRng(config.seed), out);
      } else out.train.push(...trainRows);
      break;
    }
    case 'indices': {
      const n = frames.length;
      const check = (name: string, xs: number[]) => {
        for (const k of xs) if (!(Number.isInteger(k) && k >= 0 && k < n)) throw new Error(`split: ${name} index ${k} is not a frame (0..${n - 1})`);
        return xs.slice();
      };
      out.train = check('train', config.train);
      out.valid = check('valid', config.valid);
      out.test = check('test', config.test ?? []);
      break;
    }
    default:
      throw new Error(`split: unknown method ${(config as { method: string }).method}`);
  }
  const asc = (a: number, b: number) => a - b;
  out.train.sort(asc);
  out.valid.sort(asc);
  out.test.sort(asc);
  return out;
}

export interface GroupWeightConfig {
  /** Info key naming the group (default config_type). */
  column?: string;
  /** Loss weight per group value; frames of other groups get `defaultWeight`. */
  weights: Record<string, number>;
  defaultWeight?: number;
}

/** The weight of group `g`: its own, else the default. */
function weightOf(config: GroupWeightConfig, g: string): number {
  return Object.prototype.hasOwnProperty.call(config.weights, g) ? config.weights[g] : (config.defaultWeight ?? 1);
}

/** What is wrong with a group-weight setting as read from JSON (empty when nothing). */
export function groupWeightProblems(config: unknown): string[] {
  if (config === undefined) return [];
  const c = config as Partial<GroupWeightConfig>;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return ['groupWeights must be an object like {"column": "config_type", "weights": {"Surface": 5}, "defaultWeight": 1}'];
  const out: string[] = [];
  if (c.column !== undefined && (typeof c.column !== 'string' || !c.column)) out.push(`groupWeights.column must be an info key name, got ${JSON.stringify(c.column)}`);
  if (typeof c.weights !== 'object' || c.weights === null || Array.isArray(c.weights)) out.push('groupWeights.weights must map group names to weights, e.g. {"Surface": 5}');
  else for (const [g, v] of Object.entries(c.weights)) if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) out.push(`groupWeights.weights["${g}"] must be a finite number >= 0, got ${JSON.stringify(v)}`);
  if (c.defaultWeight !== undefined && !(typeof c.defaultWeight === 'number' && Number.isFinite(c.defaultWeight) && c.defaultWeight >= 0)) out.push(`groupWeights.defaultWeight must be a finite number >= 0, got ${JSON.stringify(c.defaultWeight)}`);
  return out;
}

/** Frames per group value and the weight each group gets, for the log (named groups without frames listed as 0). */
export function describeGroupWeights(frames: readonly Frame[], config: GroupWeightConfig): { group: string; frames: number; weight: number }[] {
  const col = config.column ?? 'config_type';
  const n = new Map<string, number>();
  for (const f of frames) {
    const g = infoKey(f.info[col]);
    n.set(g, (n.get(g) ?? 0) + 1);
  }
  for (const g of Object.keys(config.weights)) if (!n.has(g)) n.set(g, 0);
  return [...n].map(([group, k]) => ({ group, frames: k, weight: weightOf(config, group) }));
}

/** [nFrames] per-frame loss weights (1 without a config). */
export function groupWeights(frames: readonly Frame[], config?: GroupWeightConfig): Float64Array {
  const w = new Float64Array(frames.length).fill(1);
  if (!config) return w;
  const col = config.column ?? 'config_type';
  frames.forEach((f, k) => {
    const g = infoKey(f.info[col]);
    const v = weightOf(config, g);
    if (!(v >= 0 && Number.isFinite(v))) throw new Error(`group weight for "${g}" must be a finite number >= 0, got ${v}`);
    w[k] = v;
  });
  return w;
}
