// Committees on the host (issue 6, uncertainty): train K models with different seeds into one
// folder, load them back as one committee Calculator, and find the training / validation frames
// of a run to build the descriptor-space domain model (src-shared/ml/uncertainty/).
//
// Layout of a committee folder:
//   RUNDIR/committee.json      manifest: members, seeds, dataset, split, state
//   RUNDIR/member-0/ ...       ordinary training run folders (run.json, model.json/bin, metrics, ...)
//   RUNDIR/domain.json         descriptor statistics + calibration (written on first use)
// All members share the data split (settings.split with the base seed, or the --valid file) and
// the E0 / label scales fitted on it; member k trains with train.seed = base + k, which changes the
// weight initialisation and the batch order (trainer.ts epochPlan). Models fitted in closed form
// (linear) do not depend on a seed, so their members are bagged instead (Breiman, Machine Learning
// 24, 123 (1996)): member k fits a bootstrap resample (seed base + k) of the training frames, with
// the validation frames shared; `bootstrap: true` bags gradient-trained members too. A single
// training run folder works wherever a committee folder does (one member, no spread).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Frame } from '../../src-shared/atoms/frame';
import type { Calculator } from '../../src-shared/calculators/calculator';
import { splitDataset, type SplitConfig } from '../../src-shared/ml/data/split';
import { modelType } from '../../src-shared/ml/models/registry';
import { createRng } from '../../src-shared/space/rng';
import type { SavedModel } from '../../src-shared/ml/models/serialization';
import { committeeFromSaved, savedModelCalculator, type CommitteeCalculator } from '../../src-shared/ml/uncertainty/committee';
import { buildDomainModel, parseDomainModel, type DomainModel } from '../../src-shared/ml/uncertainty/descriptorRange';
import { readFramesFromPath, type ReadFileOptions } from '../node/readFile';
import { loadModelFiles, readRunJson, writeBytesAtomic, writeRunJson, RUN_FILES } from './runFolder';
import { runTrainJob, type TrainJobHooks, type TrainJobResult, type TrainSettings } from './trainJob';
import { tfNode } from './tfNode';

export const COMMITTEE_FILE = 'committee.json';
export const DOMAIN_FILE = 'domain.json';

export interface CommitteeMember {
  dir: string;
  seed: number;
  state: TrainJobResult['state'] | 'pending';
  reason: string | null;
  message: string | null;
}

export interface CommitteeManifest {
  format: 'atomforge-committee';
  version: 1;
  k: number;
  modelType: string;
  baseSeed: number;
  /** Members fitted on bootstrap resamples of the training frames (bagging). */
  bootstrap: boolean;
  /** Absolute paths of the data (for rebuilding the domain model), and how to read them. */
  dataset: string | null;
  valid: string | null;
  readOptions: Pick<ReadFileOptions, 'format' | 'species' | 'labelKeys'>;
  split: SplitConfig;
  settings: TrainSettings;
  members: CommitteeMember[];
  state: 'running' | 'finished' | 'stopped' | 'failed';
  createdAt: string;
  finishedAt?: string;
}

export interface CommitteeJobInput {
  runDir: string;
  k: number;
  datasetName: string;
  datasetPath?: string;
  frames: Frame[];
  validFrames?: Frame[];
  validPath?: string;
  readOptions?: CommitteeManifest['readOptions'];
  /** Settings of every member; train.seed is the base seed (member k: base + k). */
  settings: TrainSettings;
  /** Bag the members (default: only for closed-form models, whose fit does not depend on a seed). */
  bootstrap?: boolean;
  /** Write RUNDIR/run.json (default true; the app's run list keeps its own there). */
  writeRootRunJson?: boolean;
}

/** Train / validation frames of one bagged member: a bootstrap resample of the training split. */
export function bootstrapMemberFrames(frames: readonly Frame[], validFrames: readonly Frame[] | undefined, split: SplitConfig, seed: number): { train: Frame[]; valid: Frame[] } {
  let train: Frame[], valid: Frame[];
  if (validFrames) {
    train = [...frames];
    valid = [...validFrames];
  } else {
    const s = splitDataset(frames, split);
    train = s.train.map((k) => frames[k]);
    valid = s.valid.map((k) => frames[k]);
  }
  if (train.length === 0) throw new Error('bagging needs training frames; the split left none');
  const rng = createRng(seed);
  return { train: Array.from({ length: train.length }, () => train[rng.int(train.length)]), valid };
}

export interface CommitteeJobHooks extends TrainJobHooks {
  onMember?(k: number, result: TrainJobResult): void;
}

/** Train K members one after another (maxMinutes applies to each). */
export async function runCommitteeJob(input: CommitteeJobInput, hooks: CommitteeJobHooks): Promise<CommitteeManifest> {
  if (!(Number.isInteger(input.k) && input.k >= 2)) throw new Error(`a committee needs k >= 2 members, got ${input.k}`);
  const runDir = resolve(input.runDir);
  mkdirSync(runDir, { recursive: true });
  const base = input.settings.train.seed ?? 0;
  const bootstrap = input.bootstrap ?? modelType(input.settings.modelType).fitting === 'closed_form';
  const rootRunJson = input.writeRootRunJson ?? true;
  const manifest: CommitteeManifest = {
    format: 'atomforge-committee',
    version: 1,
    k: input.k,
    modelType: input.settings.modelType,
    baseSeed: base,
    bootstrap,
    dataset: input.datasetPath ? resolve(input.datasetPath) : null,
    valid: input.validPath ? resolve(input.validPath) : null,
    readOptions: input.readOptions ?? {},
    split: input.settings.split,
    settings: input.settings,
    members: Array.from({ length: input.k }, (_, k) => ({ dir: `member-${k}`, seed: base + k, state: 'pending' as const, reason: null, message: null })),
    state: 'running',
    createdAt: new Date().toISOString(),
  };
  const save = () => writeBytesAtomic(join(runDir, COMMITTEE_FILE), JSON.stringify(manifest, null, 1));
  save();
  if (rootRunJson) writeRunJson(runDir, { kind: 'committee', id: basename(runDir), label: `committee of ${input.k} ${input.settings.modelType} on ${input.datasetName}`, state: 'running', startedAt: manifest.createdAt });
  for (let k = 0; k < input.k; k++) {
    if (hooks.signal?.aborted) break;
    const m = manifest.members[k];
    const dir = join(runDir, m.dir);
    mkdirSync(dir, { recursive: true });
    const settings: TrainSettings = { ...input.settings, train: { ...input.settings.train, seed: m.seed } };
    const label = `${input.settings.modelType} member ${k} (seed ${m.seed}) on ${input.datasetName}`;
    const runJson = { kind: 'train', id: `${basename(runDir)}-${m.dir}`, label, state: 'running', settings, dataset: manifest.dataset, valid: manifest.valid, committee: basename(runDir), startedAt: new Date().toISOString() };
    writeRunJson(dir, runJson);
    hooks.log(`committee member ${k + 1}/${input.k}: seed ${m.seed}${bootstrap ? ' (bootstrap resample of the training frames)' : ''}`);
    let frames = input.frames, validFrames = input.validFrames;
    if (bootstrap) {
      const b = bootstrapMemberFrames(input.frames, input.validFrames, input.settings.split, m.seed);
      frames = b.train;
      validFrames = b.valid;
    }
    const res = await runTrainJob(
      { runId: runJson.id, runDir: dir, label, datasetName: input.datasetName, frames, validFrames, validName: input.validPath ? basename(input.validPath) : undefined, settings },
      { ...hooks, log: (msg) => hooks.log(`[member ${k}] ${msg}`) },
    );
    writeRunJson(dir, { ...runJson, state: res.state, reason: res.reason, message: res.message, card: res.card, finishedAt: new Date().toISOString() });
    Object.assign(m, { state: res.state, reason: res.reason, message: res.message });
    save();
    hooks.onMember?.(k, res);
    if (res.state === 'failed') break;
  }
  if (manifest.members.some((m) => m.state === 'finished') && !hooks.signal?.aborted) {
    // the descriptor domain model while the training frames are at hand (app runs keep no data path)
    try {
      const { train, valid } = sharedSplit(input);
      const { domain, reason } = await domainModelFromFrames(runDir, train, valid, hooks.log);
      hooks.log(domain ? `descriptor domain model: ${train.length} training frames, calibrated on ${valid.length} validation frames` : `no descriptor domain model: ${reason}`);
    } catch (e) {
      hooks.log(`no descriptor domain model: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const states = manifest.members.map((m) => m.state);
  manifest.state = states.every((s) => s === 'finished') ? 'finished' : states.some((s) => s === 'failed') ? 'failed' : 'stopped';
  manifest.finishedAt = new Date().toISOString();
  save();
  if (rootRunJson) writeRunJson(runDir, { kind: 'committee', id: basename(runDir), label: `committee of ${input.k} ${input.settings.modelType} on ${input.datasetName}`, state: manifest.state, startedAt: manifest.createdAt, finishedAt: manifest.finishedAt });
  return manifest;
}

/** The shared (un-resampled) training and validation frames of a committee job. */
function sharedSplit(input: CommitteeJobInput): { train: Frame[]; valid: Frame[] } {
  if (input.validFrames) return { train: input.frames, valid: input.validFrames };
  const s = splitDataset(input.frames, input.settings.split);
  return { train: s.train.map((k) => input.frames[k]), valid: s.valid.map((k) => input.frames[k]) };
}

/** Build, calibrate (committee mean as calculator) and save RUNDIR/domain.json from frames in memory. */
export async function domainModelFromFrames(dir: string, train: readonly Frame[], valid: readonly Frame[], log?: (m: string) => void): Promise<{ domain: DomainModel | null; reason: string | null }> {
  const saved0 = loadModelFiles(memberDirs(dir)[0]);
  if (!(saved0.config as { symmetryFunctions?: unknown } | null)?.symmetryFunctions) return { domain: null, reason: `descriptor scores need symmetry functions (bpnn, linear, kernel); this is a ${saved0.type} model` };
  log?.(`building the descriptor domain model from ${train.length} training frames, calibrating on ${valid.length} validation frames`);
  const model = await loadUncertaintyModel(dir);
  try {
    const domain = buildDomainModel(saved0, train, [...valid], { calculator: model.calculator });
    writeBytesAtomic(join(dir, DOMAIN_FILE), JSON.stringify(domain));
    return { domain, reason: valid.length ? null : 'no validation frames: scores are uncalibrated' };
  } finally {
    model.dispose();
  }
}

export function isCommitteeDir(dir: string): boolean {
  return existsSync(join(dir, COMMITTEE_FILE));
}

export function readCommitteeManifest(dir: string): CommitteeManifest {
  const m = JSON.parse(readFileSync(join(dir, COMMITTEE_FILE), 'utf8')) as CommitteeManifest;
  if (m.format !== 'atomforge-committee') throw new Error(`${dir}: ${COMMITTEE_FILE} is not a committee manifest`);
  return m;
}

/** Member folders that hold a model (a committee folder), or [dir] for a single run folder. */
export function memberDirs(dir: string): string[] {
  if (!isCommitteeDir(dir)) return [dir];
  const dirs = readCommitteeManifest(dir).members.map((m) => join(dir, m.dir)).filter((d) => existsSync(join(d, RUN_FILES.modelJson)));
  if (dirs.length === 0) throw new Error(`${dir}: no committee member has finished training`);
  return dirs;
}

export interface LoadedUncertaintyModel {
  /** The committee mean, or the single model. */
  calculator: Calculator;
  committee: CommitteeCalculator | null;
  saved: SavedModel[];
  dispose(): void;
}

/** A run folder (single model) or a committee folder as a calculator (committee when >= 2 members). */
export async function loadUncertaintyModel(dir: string): Promise<LoadedUncertaintyModel> {
  const saved = memberDirs(dir).map((d) => loadModelFiles(d));
  const { tf } = await tfNode();
  if (saved.length >= 2) {
    const c = committeeFromSaved(tf, saved, { alwaysForces: true, name: `committee of ${saved.length} ${saved[0].type} models (${basename(dir)})` });
    return { calculator: c, committee: c, saved, dispose: () => c.dispose() };
  }
  const s = savedModelCalculator(tf, saved[0], `${saved[0].type} model (${basename(dir)})`);
  return { calculator: s.calculator, committee: null, saved, dispose: () => s.model.dispose() };
}

/** The committee in `dir` as a Calculator (for calc, md, relax, audits: --model COMMITTEE_DIR). */
export async function committeeCalculatorFromDir(dir: string): Promise<CommitteeCalculator> {
  const m = await loadUncertaintyModel(dir);
  if (!m.committee) {
    m.dispose();
    throw new Error(`${dir}: not a committee with at least 2 trained members`);
  }
  return m.committee;
}

async function readAll(path: string, opts: ReadFileOptions): Promise<Frame[]> {
  const r = await readFramesFromPath(path, opts);
  if ('error' in r) throw new Error(r.error);
  if (!r.result.ok) throw new Error(r.result.error.message);
  return r.result.frames;
}

/**
 * The training and validation frames a run (or committee) was trained on, re-read from the paths
 * in its run.json / committee.json and re-split with its split settings.
 */
export async function trainingFramesOfRun(dir: string): Promise<{ train: Frame[]; valid: Frame[]; dataset: string }> {
  let dataset: string | null = null, valid: string | null = null, split: SplitConfig | undefined, readOptions: ReadFileOptions = {};
  if (isCommitteeDir(dir)) {
    const m = readCommitteeManifest(dir);
    ({ dataset, valid, split } = m);
    readOptions = m.readOptions ?? {};
  } else {
    const r = readRunJson<{ dataset?: string; valid?: string | null; settings?: TrainSettings; readOptions?: ReadFileOptions }>(dir);
    dataset = r?.dataset ?? null;
    valid = r?.valid ?? null;
    split = r?.settings?.split;
    readOptions = r?.readOptions ?? {};
  }
  if (!dataset) throw new Error(`${dir}: the run does not record its training data path`);
  if (!existsSync(dataset)) throw new Error(`${dir}: its training data ${dataset} is no longer there`);
  const frames = await readAll(dataset, readOptions);
  if (valid) return { train: frames, valid: await readAll(valid, readOptions), dataset };
  const s = splitDataset(frames, split ?? { method: 'random', validFraction: 0.1, seed: 0 });
  return { train: s.train.map((k) => frames[k]), valid: s.valid.map((k) => frames[k]), dataset };
}

/**
 * The descriptor-space domain model of a run: domain.json when present (unless `rebuild`), else
 * built from the run's training frames, calibrated on its validation frames with the model (or
 * committee mean) as calculator, and saved. null (with a reason) for models without symmetry functions.
 */
export async function domainModelForRun(dir: string, opts: { rebuild?: boolean; log?: (m: string) => void; model?: LoadedUncertaintyModel; referencePerSpecies?: number } = {}): Promise<{ domain: DomainModel | null; reason: string | null }> {
  const path = join(dir, DOMAIN_FILE);
  if (!opts.rebuild && existsSync(path)) return { domain: parseDomainModel(readFileSync(path, 'utf8')), reason: null };
  const saved0 = loadModelFiles(memberDirs(dir)[0]);
  if (!(saved0.config as { symmetryFunctions?: unknown } | null)?.symmetryFunctions) return { domain: null, reason: `descriptor scores need symmetry functions (bpnn, linear, kernel); this is a ${saved0.type} model` };
  let frames;
  try {
    frames = await trainingFramesOfRun(dir);
  } catch (e) {
    return { domain: null, reason: e instanceof Error ? e.message : String(e) };
  }
  opts.log?.(`building the descriptor domain model from ${frames.train.length} training frames, calibrating on ${frames.valid.length} validation frames (${frames.dataset})`);
  const model = opts.model ?? (await loadUncertaintyModel(dir));
  try {
    const domain = buildDomainModel(saved0, frames.train, frames.valid, { calculator: model.calculator, referencePerSpecies: opts.referencePerSpecies });
    writeBytesAtomic(path, JSON.stringify(domain));
    return { domain, reason: frames.valid.length ? null : 'no validation frames: scores are uncalibrated' };
  } finally {
    if (!opts.model) model.dispose();
  }
}

/** Validation frames of a run (for committee calibration), or [] when its data cannot be found. */
export async function validationFramesOfRun(dir: string): Promise<Frame[]> {
  try {
    return (await trainingFramesOfRun(dir)).valid;
  } catch {
    return [];
  }
}
