// Uncertainty jobs run in a training worker for the host API (issue 6): committee training with
// the training-run protocol (log / epoch / done), the domain-shift report of a run on two
// datasets, per-atom values of one structure for the viewer, and the loss landscape. The CLI
// (cli/uncertainty.ts) uses the same building blocks; here results are plain JSON for the page.
import type { Frame } from '../../src-shared/atoms/frame';
import type { EpochEvent } from '../../src-shared/ml/train/trainer';
import { scoreFrames } from '../../src-shared/ml/uncertainty/descriptorRange';
import { domainShiftReport, mapElements } from '../../src-shared/ml/uncertainty/domainShift';
import { energyDecomposition, forceSensitivity } from '../../src-shared/ml/uncertainty/perAtom';
import type { AtomUncertaintyDto, DomainShiftDto, LandscapeDto } from '../../src-shared/protocol/uncertaintyApi';
import { domainModelForRun, loadUncertaintyModel, memberDirs, runCommitteeJob } from './committee';
import { runLandscapeJob } from './landscapeJob';
import type { TrainJobResult, TrainSettings } from './trainJob';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES } from './runFolder';

export type UncertaintyRequest =
  | {
      kind: 'committee';
      runId: string;
      runDir: string;
      label: string;
      datasetName: string;
      frames: Frame[];
      validFrames?: Frame[];
      settings: TrainSettings;
      k: number;
      bootstrap?: boolean;
    }
  | { kind: 'shift'; runDir: string; reference: { name: string; frames: Frame[] }; target: { name: string; frames: Frame[] }; elementMap?: Record<string, string>; bins?: number }
  | { kind: 'atoms'; runDir: string; frame: Frame; elementMap?: Record<string, string> }
  | { kind: 'landscape'; runDir: string; frames: Frame[]; grid2d?: number; grid1d?: number; span?: number; maxFrames?: number; directions?: 'random' | 'pca'; seed?: number };

/** What the worker posts back (a subset of FromTrainWorker). */
export type UncertaintyMessage =
  | { type: 'log'; message: string }
  | { type: 'epoch'; record: ReturnType<typeof epochRecord>; etaMs: number | null; epoch: number }
  | { type: 'done'; result: TrainJobResult }
  | { type: 'uncertainty-done'; result: unknown }
  | { type: 'error'; message: string };

export function epochRecord(e: EpochEvent) {
  return { epoch: e.epoch, step: e.step, lr: e.lr, train: { ...e.train }, valid: e.valid ? { loss: { ...e.valid.loss }, metrics: { ...e.valid.metrics } } : null, ms: e.ms };
}

/** Typed arrays to plain arrays, recursively (for structured clone and JSON). */
export function plain<T>(v: T): T {
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>) as unknown as T;
  if (Array.isArray(v)) return v.map(plain) as unknown as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) as T;
  return v;
}

/** True when the folder holds a committee with at least one trained member, or a trained model. */
export function runHasModel(dir: string): boolean {
  try {
    return memberDirs(dir).some((d) => existsSync(join(d, RUN_FILES.modelJson)));
  } catch {
    return false;
  }
}

async function committeeJob(r: Extract<UncertaintyRequest, { kind: 'committee' }>, post: (m: UncertaintyMessage) => void, signal: AbortSignal): Promise<void> {
  const perMember = r.settings.train.maxEpochs ?? 100;
  let member = 0;
  let last: TrainJobResult | null = null;
  const manifest = await runCommitteeJob(
    { runDir: r.runDir, k: r.k, datasetName: r.datasetName, frames: r.frames, validFrames: r.validFrames, settings: r.settings, bootstrap: r.bootstrap, writeRootRunJson: false },
    {
      log: (message) => {
        const m = /^committee member (\d+)\//.exec(message);
        if (m) member = Number(m[1]) - 1;
        post({ type: 'log', message });
      },
      signal,
      onEpoch: (e) => {
        const g = member * perMember + e.epoch;
        post({ type: 'epoch', epoch: g, etaMs: null, record: { ...epochRecord(e), epoch: g } });
      },
      onMember: (_k, res) => (last = res),
    },
  );
  const finished = manifest.members.filter((m) => m.state === 'finished').length;
  const state: TrainJobResult['state'] = manifest.state === 'running' ? 'stopped' : manifest.state;
  const lastRes = last as TrainJobResult | null;
  post({
    type: 'done',
    result: {
      state,
      reason: lastRes?.reason ?? (state === 'stopped' ? 'cancelled' : 'error'),
      card: lastRes?.card ?? null,
      message: state === 'finished' ? `committee of ${finished} members` : `${finished}/${r.k} members finished${lastRes?.message ? `: ${lastRes.message}` : ''}`,
    },
  });
}

async function shiftJob(r: Extract<UncertaintyRequest, { kind: 'shift' }>, log: (m: string) => void): Promise<DomainShiftDto> {
  const m = await loadUncertaintyModel(r.runDir);
  try {
    const { domain, reason } = await domainModelForRun(r.runDir, { log, model: m });
    const target = r.elementMap ? mapElements(r.target.frames, r.elementMap) : r.target.frames;
    const rep = domainShiftReport({ calculator: m.calculator, reference: r.reference, target: { name: r.target.name, frames: target }, domain, bins: r.bins });
    return plain({ ...rep, committeeSize: m.committee?.size ?? 1, descriptorNote: reason }) as unknown as DomainShiftDto;
  } finally {
    m.dispose();
  }
}

async function atomsJob(r: Extract<UncertaintyRequest, { kind: 'atoms' }>, log: (m: string) => void): Promise<AtomUncertaintyDto> {
  const m = await loadUncertaintyModel(r.runDir);
  try {
    const frame = r.elementMap ? mapElements([r.frame], r.elementMap)[0] : r.frame;
    const hasEnergies = m.calculator.implementedProperties.includes('energies');
    const dec = hasEnergies ? energyDecomposition(m.calculator, frame) : null;
    const res = m.calculator.compute(frame, { forces: true, energies: hasEnergies });
    const u = m.committee?.lastUncertainty() ?? null;
    const forceStd = u?.forceStdEvPerA ? Float64Array.from(u.forceStdEvPerA) : null;
    const energiesStd = u?.energiesStdEv ? Float64Array.from(u.energiesStdEv) : null;
    const { domain, reason } = await domainModelForRun(r.runDir, { log, model: m });
    const sc = domain ? scoreFrames(domain, [frame]) : null;
    // per-atom force sensitivity (Hutchinson probes, 2 x 8 force calls), for structures up to 2000 atoms
    const sens = frame.numbers.length <= 2000 ? forceSensitivity(m.calculator, frame, { probes: 8, seed: 0 }).sensitivityEvPerA2 : null;
    return plain({
      calculator: m.calculator.name,
      committeeSize: m.committee?.size ?? 1,
      atoms: frame.numbers.length,
      energyEv: res.energyEv,
      energiesEv: dec?.energiesEv ?? null,
      energiesRelativeEv: dec?.relativeToElementMeanEv ?? null,
      forceStdEvPerA: forceStd,
      energiesStdEv: energiesStd,
      forceSensitivityEvPerA2: sens,
      descriptorScore: sc?.atomScores ?? null,
      outOfRangeFeatures: sc?.atomOutOfRange ?? null,
      descriptorThresholds: domain?.calibration?.thresholds ?? null,
      descriptorNote: reason,
    }) as unknown as AtomUncertaintyDto;
  } finally {
    m.dispose();
  }
}

async function landscapeJob(r: Extract<UncertaintyRequest, { kind: 'landscape' }>, log: (m: string) => void, signal: AbortSignal): Promise<LandscapeDto> {
  const res = await runLandscapeJob(r.runDir, { frames: r.frames, grid2d: r.grid2d, grid1d: r.grid1d, span: r.span, maxFrames: r.maxFrames, directions: r.directions, seed: r.seed, signal, log });
  return plain({
    modelType: res.modelType,
    parameters: res.parameters,
    frames: res.frames,
    atoms: res.atoms,
    lossWeights: res.lossWeights as unknown as Record<string, number>,
    lossUnits: res.lossUnits,
    directions: { kind: res.directions.kind, seed: res.directions.seed, cosine: res.directions.cosine, explained: res.directions.explained },
    center: res.center,
    slice1d: { axis: res.slice1d.axis, total: res.slice1d.total },
    slice2d: { alpha: res.slice2d.alpha, beta: res.slice2d.beta, total: res.slice2d.total },
    path: res.path ? { labels: res.path.labels, alpha: res.path.alpha, beta: res.path.beta, residual: res.path.residual, loss: res.path.loss } : null,
    pathSource: res.pathSource,
  });
}

/** Run one request in the worker, posting log lines and the result (or an error). */
export async function runUncertaintyRequest(r: UncertaintyRequest, post: (m: UncertaintyMessage) => void, signal: AbortSignal): Promise<void> {
  const log = (message: string) => post({ type: 'log', message });
  try {
    if (r.kind === 'committee') return await committeeJob(r, post, signal);
    const result = r.kind === 'shift' ? await shiftJob(r, log) : r.kind === 'atoms' ? await atomsJob(r, log) : await landscapeJob(r, log, signal);
    post({ type: 'uncertainty-done', result });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (r.kind === 'committee') post({ type: 'done', result: { state: 'failed', reason: 'error', card: null, message } });
    else post({ type: 'error', message });
  }
}
