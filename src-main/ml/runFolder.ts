// Training run folders: one folder per run holding run.json (settings, state, model card), a
// metrics log (one JSON line per epoch), the latest checkpoint, the final model, parity data and the
// per-element / per-group error table. Every file is written atomically (temp, fsync, rename).
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel, encodeModel, type SavedModel } from '../../src-shared/ml/models/serialization';
import { decodeCheckpoint, encodeCheckpoint } from '../../src-shared/ml/train/checkpoint';
import type { Checkpoint } from '../../src-shared/ml/train/trainer';
import { fsyncDir, writeBytesAtomic, writeJsonAtomic } from '../node/runFiles';

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

export { fsyncDir, writeBytesAtomic };

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

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** Checkpoint blobs are named by their content: checkpoint.json (the commit point) names its blob. */
const CHECKPOINT_BLOB = /^checkpoint\.[0-9a-f]{16}\.bin$/;

/**
 * Save a checkpoint so that a crash (kill -9, power cut) at any moment leaves a complete one: the
 * blob goes to a new file named by its hash, then checkpoint.json, which names the blob and its
 * SHA-256, replaces the old one atomically; only then are superseded blobs removed. The previous
 * checkpoint stays valid until the new one is complete.
 */
export function saveCheckpoint(dir: string, c: Checkpoint): void {
  const { json, bin } = encodeCheckpoint(c);
  const hash = sha256(bin);
  const blob = `checkpoint.${hash.slice(0, 16)}.bin`;
  writeBytesAtomic(join(dir, blob), bin);
  const doc = JSON.parse(json) as Record<string, unknown>;
  writeBytesAtomic(join(dir, RUN_FILES.checkpointJson), JSON.stringify({ ...doc, $blob: { file: blob, sha256: hash } }));
  for (const f of readdirSync(dir)) {
    if ((CHECKPOINT_BLOB.test(f) && f !== blob) || f === RUN_FILES.checkpointBin) rmSync(join(dir, f), { force: true });
  }
}

/** The run folder's checkpoint, or null when there is none; throws when it is damaged. */
export function loadCheckpoint(dir: string): Checkpoint | null {
  const j = join(dir, RUN_FILES.checkpointJson);
  if (!existsSync(j)) return null;
  const doc = JSON.parse(readFileSync(j, 'utf8')) as Record<string, unknown> & { $blob?: { file?: unknown; sha256?: unknown } };
  const ref = doc.$blob;
  delete doc.$blob;
  // Older folders: checkpoint.bin next to checkpoint.json. The blob name is checked (data only, no path).
  const file = ref === undefined ? RUN_FILES.checkpointBin : typeof ref.file === 'string' && CHECKPOINT_BLOB.test(ref.file) ? ref.file : null;
  if (!file) throw new Error(`${j}: the checkpoint names an invalid data file ${JSON.stringify(ref?.file)}`);
  const bin = new Uint8Array(readFileSync(join(dir, file)));
  if (ref && ref.sha256 !== sha256(bin)) throw new Error(`${join(dir, file)}: checksum mismatch; the checkpoint is damaged`);
  return decodeCheckpoint(JSON.stringify(doc), bin);
}

/** Append one epoch record; a line torn by a crash is ended first so that it cannot swallow this one. */
export function appendMetrics(dir: string, record: unknown): void {
  const fd = openSync(join(dir, RUN_FILES.metrics), 'a+');
  try {
    const size = fstatSync(fd).size;
    const last = new Uint8Array(1);
    const torn = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 10;
    writeSync(fd, (torn ? '\n' : '') + JSON.stringify(record) + '\n');
  } finally {
    closeSync(fd);
  }
}

/**
 * Epoch records in order. A torn line (a crash while appending) is skipped; after a resume the
 * epochs redone since the checkpoint appear twice in the file, and the later record is kept.
 */
export function readMetrics(dir: string): unknown[] {
  const p = join(dir, RUN_FILES.metrics);
  if (!existsSync(p)) return [];
  const byEpoch = new Map<unknown, unknown>();
  let other = 0;
  for (const line of readFileSync(p, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as { epoch?: unknown };
      const key = r && typeof r === 'object' && typeof r.epoch === 'number' ? r.epoch : `#${other++}`;
      byEpoch.delete(key);
      byEpoch.set(key, r);
    } catch {
      /* a torn line after a crash: skip it */
    }
  }
  return [...byEpoch.values()];
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
