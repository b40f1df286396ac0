// Training run folders: one folder per run holding run.json (settings, state, model card), a
// metrics log (one JSON line per epoch), the latest checkpoint, the final model, parity data and the
// per-element / per-group error table. Every file is written atomically (temp, fsync, rename).
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel, encodeModel, type SavedModel } from '../../src-shared/ml/models/serialization';
import { decodeCheckpoint, encodeCheckpoint } from '../../src-shared/ml/train/checkpoint';
import type { Checkpoint } from '../../src-shared/ml/train/trainer';
import { writeJsonAtomic } from '../node/runFiles';

export const RUN_FILES = {
  run: 'run.json',
  metrics: 'metrics.jsonl',
  checkpointJson: 'checkpoint.json',
  checkpointBin: 'checkpoint.bin',
  modelJson: 'model.json',
  modelBin: 'model.bin',
  parity: 'parity.json',
  errors: 'errors.json',
} as const;

export function writeBytesAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    if (typeof bytes === "string") writeSync(fd, bytes);
    else writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function saveModelFiles(dir: string, model: SavedModel): void {
  const { json, bin } = encodeModel(model);
  // bin first: model.json is the "commit" that makes the pair visible.
  writeBytesAtomic(join(dir, RUN_FILES.modelBin), bin);
  writeBytesAtomic(join(dir, RUN_FILES.modelJson), json);
}

export function loadModelFiles(dir: string): SavedModel {
  const jsonPath = join(dir, RUN_FILES.modelJson);
  if (!existsSync(jsonPath)) throw new Error(`${dir}: no ${RUN_FILES.modelJson} (not a finished training run, or not a run folder)`);
  const binPath = join(dir, RUN_FILES.modelBin);
  const bin = existsSync(binPath) ? new Uint8Array(readFileSync(binPath)) : new Uint8Array(0);
  return decodeModel(readFileSync(jsonPath, 'utf8'), bin);
}

export function saveCheckpoint(dir: string, c: Checkpoint): void {
  const { json, bin } = encodeCheckpoint(c);
  writeBytesAtomic(join(dir, RUN_FILES.checkpointBin), bin);
  writeBytesAtomic(join(dir, RUN_FILES.checkpointJson), json);
}

export function loadCheckpoint(dir: string): Checkpoint | null {
  const j = join(dir, RUN_FILES.checkpointJson);
  if (!existsSync(j)) return null;
  return decodeCheckpoint(readFileSync(j, 'utf8'), new Uint8Array(readFileSync(join(dir, RUN_FILES.checkpointBin))));
}

export function appendMetrics(dir: string, record: unknown): void {
  const fd = openSync(join(dir, RUN_FILES.metrics), 'a');
  try {
    writeSync(fd, JSON.stringify(record) + '\n');
  } finally {
    closeSync(fd);
  }
}

export function readMetrics(dir: string): unknown[] {
  const p = join(dir, RUN_FILES.metrics);
  if (!existsSync(p)) return [];
  const out: unknown[] = [];
  for (const line of readFileSync(p, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      /* a torn last line after a crash: skip it */
    }
  }
  return out;
}

export function writeRunJson(dir: string, value: unknown): void {
  writeJsonAtomic(join(dir, RUN_FILES.run), value);
}

export function readRunJson<T>(dir: string): T | null {
  try {
    return JSON.parse(readFileSync(join(dir, RUN_FILES.run), 'utf8')) as T;
  } catch {
    return null;
  }
}

/** Run folders under `base` whose run.json says kind = 'train'. */
export function listTrainRunDirs(base: string): string[] {
  if (!existsSync(base)) return [];
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name.startsWith('train-'))
    .map((d) => join(base, d.name));
}
