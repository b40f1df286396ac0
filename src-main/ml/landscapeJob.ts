// Loss landscape of a trained run folder (Li et al., NeurIPS 2018; src-shared/ml/landscape/):
// 1D and 2D slices of the training loss around the saved weights along filter-normalised random
// directions, on a fixed seeded subset of the given frames, with the optimiser path projected onto
// the plane.
//
// The path comes from per-epoch weights when the run saved them (RUNDIR/weights/epoch-NNNNNN.f32:
// the float32 weights of every tensor back to back, in the model's variable order; written by
// saveEpochWeights from a trainer hook), else from what every run folder has: the initial weights
// (re-created from the model type and the run's seed, which fixes the initialisation), the live
// weights of the last checkpoint, and the saved (best / averaged) weights at the centre.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from '../../src-shared/atoms/frame';
import { subtractBaseline } from '../../src-shared/ml/data/delta';
import { speciesTable } from '../../src-shared/ml/data/species';
import { computeLandscape, type LandscapeResult } from '../../src-shared/ml/landscape/modelLoss';
import { loadModel, modelType } from '../../src-shared/ml/models/registry';
import type { SavedModel } from '../../src-shared/ml/models/serialization';
import { dataForModel } from '../../src-shared/ml/train/evaluate';
import { defaultTrainConfig, type TrainConfig } from '../../src-shared/ml/train/trainer';
import { createRng } from '../../src-shared/space/rng';
import { baselineCalculator } from './baseline';
import { memberDirs } from './committee';
import { baselineOf } from './modelFiles';
import { loadCheckpoint, loadModelFiles, readRunJson, writeBytesAtomic } from './runFolder';
import { tfNode } from './tfNode';

export const EPOCH_WEIGHTS_DIR = 'weights';

/** Write one epoch's weights (model.variables order) as RUNDIR/weights/epoch-NNNNNN.f32. */
export function saveEpochWeights(runDir: string, epoch: number, weights: readonly Float32Array[]): void {
  const dir = join(runDir, EPOCH_WEIGHTS_DIR);
  mkdirSync(dir, { recursive: true });
  const n = weights.reduce((s, w) => s + w.length, 0);
  const all = new Float32Array(n);
  let o = 0;
  for (const w of weights) {
    all.set(w, o);
    o += w.length;
  }
  writeBytesAtomic(join(dir, `epoch-${String(epoch).padStart(6, '0')}.f32`), new Uint8Array(all.buffer));
}

/** Per-epoch weights saved in the run folder, split per tensor like saved.weights, by epoch. */
export function loadEpochWeights(runDir: string, saved: SavedModel): { label: string; weights: Float32Array[] }[] {
  const dir = join(runDir, EPOCH_WEIGHTS_DIR);
  if (!existsSync(dir)) return [];
  const sizes = saved.weights.map((w) => w.data.length);
  const total = sizes.reduce((a, b) => a + b, 0);
  return readdirSync(dir)
    .filter((f) => /^epoch-\d+\.f32$/.test(f))
    .sort()
    .flatMap((f) => {
      const b = readFileSync(join(dir, f));
      if (b.byteLength !== 4 * total) return []; // another architecture or a torn file
      const all = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      let o = 0;
      const weights = sizes.map((n) => all.slice(o, (o += n)));
      return [{ label: `epoch ${Number(f.slice(6, -4))}`, weights }];
    });
}

export interface LandscapeJobOptions {
  frames: readonly Frame[];
  /** Frames in the fixed subset (seeded choice; default 16). */
  maxFrames?: number;
  grid2d?: number;
  grid1d?: number;
  span?: number;
  seed?: number;
  directions?: 'random' | 'pca';
  /** Committee folders: which member (default 0). */
  member?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  log?: (m: string) => void;
}

export type LandscapeJobResult = LandscapeResult & { pathSource: 'epochs' | 'checkpoint' | 'none'; runDir: string };

export async function runLandscapeJob(dir: string, o: LandscapeJobOptions): Promise<LandscapeJobResult> {
  const dirs = memberDirs(dir);
  const runDir = dirs[Math.min(o.member ?? 0, dirs.length - 1)];
  const saved = loadModelFiles(runDir);
  const { tf } = await tfNode();
  const run = readRunJson<{ settings?: { train?: Partial<TrainConfig> } }>(runDir);
  const lossWeights = { ...defaultTrainConfig().loss, ...(run?.settings?.train?.loss ?? {}) };
  // the fixed subset
  const rng = createRng(o.seed ?? 0);
  const order = o.frames.map((_, k) => k);
  for (let k = order.length - 1; k > 0; k--) {
    const r = rng.int(k + 1);
    [order[k], order[r]] = [order[r], order[k]];
  }
  const pick = order.slice(0, Math.max(1, o.maxFrames ?? 16)).sort((a, b) => a - b);
  let frames = pick.map((k) => o.frames[k]);
  const base = baselineOf(saved);
  if (base) frames = subtractBaseline(frames, base, baselineCalculator(base) ?? undefined).frames;
  // the optimiser path
  let path = loadEpochWeights(runDir, saved);
  let pathSource: LandscapeJobResult['pathSource'] = path.length ? 'epochs' : 'none';
  if (!path.length) {
    const seed = run?.settings?.train?.seed;
    if (seed !== undefined && modelType(saved.type).fitting === 'gradient') {
      try {
        const t = modelType(saved.type);
        const init = t.create(tf, t.parseConfig(saved.config), { species: speciesTable(saved.species), e0: { method: saved.e0.method as 'least_squares', valuesEv: Float64Array.from(saved.e0.valuesEv) }, scales: saved.scales, seed });
        path.push({ label: 'initial', weights: init.save().weights.map((w) => w.data as Float32Array) });
        init.dispose();
      } catch (e) {
        o.log?.(`initial weights not re-created: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const cp = loadCheckpoint(runDir);
    if (cp) path.push({ label: `checkpoint (epoch ${cp.position.epoch})`, weights: cp.model.weights.map((w) => w.data as Float32Array) });
    if (path.length) {
      path.push({ label: 'final', weights: saved.weights.map((w) => w.data as Float32Array) });
      pathSource = 'checkpoint';
    }
  }
  path = path.filter((p) => p.weights.length === saved.weights.length && p.weights.every((w, t) => w.length === saved.weights[t].data.length));
  const model = loadModel(tf, saved);
  try {
    const { data, graphs } = dataForModel(model, frames);
    o.log?.(`loss landscape of ${runDir}: ${frames.length} frames, ${(o.grid2d ?? 15) ** 2 + (o.grid1d ?? 21)} evaluations, path of ${path.length} points (${pathSource})`);
    const res = computeLandscape(model, data, graphs, data.split.train, lossWeights, {
      grid1d: o.grid1d,
      grid2d: o.grid2d,
      span: o.span,
      seed: o.seed,
      directions: o.directions,
      path,
      onProgress: o.onProgress,
      cancelled: () => !!o.signal?.aborted,
    });
    return { ...res, pathSource, runDir };
  } finally {
    model.dispose();
  }
}
