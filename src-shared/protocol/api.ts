// The one API contract between the UI and the host process (Electron main or the browser-mode
// host). Requests are named methods with a zod schema for their parameters (validated on the host
// side before any use) and a TypeScript result type; events stream from host to UI. Electron
// exposes each method as a named function through contextBridge; browser mode carries the same
// messages over a WebSocket. Only the transport differs.
import { z } from 'zod';
import type { DatasetSummary } from '../atoms/summary';
import type { InfoValue } from '../atoms/frame';
import type { ParseErrorInfo, ParseWarning } from '../io/errors';
import type { LabelKeysUsed } from '../io/read';
import { propertyRequestSchemas, type PropertyEvents, type PropertyResults } from './propertyApi';
import { committeeSchema, uncertaintyRequestSchemas, type UncertaintyResults } from './uncertaintyApi';

const labelKeysSchema = z
  .object({
    energy: z.string().max(200).nullable().optional(),
    forces: z.string().max(200).nullable().optional(),
    stress: z.string().max(200).nullable().optional(),
    virial: z.string().max(200).nullable().optional(),
  })
  .strict();

const idSchema = z.string().min(1).max(100).regex(/^[A-Za-z0-9_-]+$/);

export const openSourceSchema = z.discriminatedUnion('kind', [
  /** A path the user chose in the native open dialog or typed into "Open path". */
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(4096) }).strict(),
  /** Bytes streamed from the page (file picker, drag-and-drop) with upload.chunk. */
  z.object({ kind: z.literal('upload'), uploadId: idSchema }).strict(),
  /** The bundled example dataset. */
  z.object({ kind: z.literal('example') }).strict(),
  /** An entry of the recent-files list. */
  z.object({ kind: z.literal('recent'), recentId: idSchema }).strict(),
  /** The trajectory of an MD run. */
  z.object({ kind: z.literal('run'), runId: idSchema }).strict(),
]);
export type OpenSource = z.infer<typeof openSourceSchema>;

export const readOptionsSchema = z
  .object({
    format: z.string().max(40).optional(),
    species: z.array(z.string().min(1).max(3)).max(200).optional(),
    atomStyle: z.string().max(40).optional(),
    labelKeys: labelKeysSchema.optional(),
  })
  .strict();
export type ReadOptionsDto = z.infer<typeof readOptionsSchema>;

const potentialSchema = z
  .object({
    /** Registry spec, e.g. "lj:epsilon=0.0104,sigma=3.4,cutoff=8.5", "sw:bundled:Si_StillingerWeber1985.sw". */
    spec: z.string().min(1).max(4000),
    /** Text of the parameter file picked in the page (eam/sw), so no path is needed. */
    fileText: z.string().max(64 * 2 ** 20).optional(),
  })
  .strict();
export type PotentialDto = z.infer<typeof potentialSchema>;

/** Δ-learning baseline: a potential spec (bundled, analytic, or a file's text) or data keys. */
const baselineSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('potential'), spec: z.string().min(1).max(4000), fileText: z.string().max(64 * 2 ** 20).optional() }).strict(),
  z.object({ kind: z.literal('data'), energyKey: z.string().min(1).max(200), forcesKey: z.string().max(200).optional(), stressKey: z.string().max(200).optional() }).strict(),
]);
export type BaselineDto = z.infer<typeof baselineSchema>;

const finiteNumber = z.number().refine(Number.isFinite, 'must be a finite number');

const mdSettingsSchema = z
  .object({
    integrator: z.enum(['nve', 'langevin', 'bussi', 'nose-hoover-chain', 'npt-scr']),
    params: z.record(z.string().max(40), finiteNumber),
    steps: z.number().int().min(1).max(1e8),
    seed: z.number().int().min(0).max(2 ** 32 - 1),
    initialTemperatureK: finiteNumber.optional(),
    thermoStride: z.number().int().min(1).max(1e6),
    frameStride: z.number().int().min(1).max(1e7),
    /** Committee runs (issue 6): stop / export frames above a largest per-atom force spread (eV/Å). */
    uncertainty: z.object({ stopAboveEvPerA: z.number().positive().max(1e3).optional(), exportAboveEvPerA: z.number().positive().max(1e3).optional() }).strict().optional(),
  })
  .strict();
export type MdSettings = z.infer<typeof mdSettingsSchema>;

export const requestSchemas = {
  'app.info': z.object({}).strict(),
  'dialog.openFile': z.object({}).strict(),
  'upload.begin': z.object({ name: z.string().min(1).max(512), sizeBytes: z.number().int().nonnegative().max(2 ** 45) }).strict(),
  'upload.chunk': z.object({ uploadId: idSchema, bytes: z.instanceof(Uint8Array) }).strict(),
  'upload.end': z.object({ uploadId: idSchema }).strict(),
  'dataset.open': z.object({ jobId: idSchema, source: openSourceSchema, options: readOptionsSchema.optional() }).strict(),
  'job.cancel': z.object({ jobId: idSchema }).strict(),
  'dataset.list': z.object({}).strict(),
  'dataset.frame': z.object({ datasetId: idSchema, index: z.number().int().nonnegative() }).strict(),
  'dataset.close': z.object({ datasetId: idSchema }).strict(),
  'recent.list': z.object({}).strict(),
  'recent.remove': z.object({ recentId: idSchema }).strict(),
  'potential.list': z.object({}).strict(),
  'md.start': z
    .object({ runId: idSchema, datasetId: idSchema, frameIndex: z.number().int().nonnegative(), potential: potentialSchema, settings: mdSettingsSchema, label: z.string().max(200).optional() })
    .strict(),
  'md.control': z.object({ runId: idSchema, action: z.enum(['pause', 'resume', 'stop']) }).strict(),
  'md.list': z.object({}).strict(),
  'md.study': z
    .object({
      studyId: idSchema,
      datasetId: idSchema,
      frameIndex: z.number().int().nonnegative(),
      potential: potentialSchema,
      temperatureK: finiteNumber,
      dtFs: z.array(z.number().positive().max(20)).min(2).max(6),
      durationFs: z.number().positive().max(1e6),
      seed: z.number().int().min(0).max(2 ** 32 - 1),
    })
    .strict(),
  'train.options': z.object({}).strict(),
  /** Compute backends of this machine (issue 10), each optionally timed on the given model. */
  'train.backends': z.object({ modelType: z.string().min(1).max(40).optional(), modelConfig: z.record(z.string().max(60), z.unknown()).optional(), probe: z.boolean() }).strict(),
  'train.start': z
    .object({
      runId: idSchema,
      datasetId: idSchema,
      validDatasetId: idSchema.optional(),
      label: z.string().max(200).optional(),
      modelType: z.string().min(1).max(40),
      modelConfig: z.record(z.string().max(60), z.unknown()),
      train: z.record(z.string().max(60), z.unknown()),
      split: z.object({ method: z.enum(['random', 'config_type']), validFraction: z.number().min(0).max(0.9), seed: z.number().int().min(0).max(2 ** 32 - 1) }).strict(),
      maxMinutes: z.number().positive().max(60 * 24 * 14).optional(),
      backend: z.enum(['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu']),
      baseline: baselineSchema.optional(),
      /** Train a committee of K members with seeds seed..seed+K-1 in one run folder (issue 6). */
      committee: committeeSchema.optional(),
      /** Loss weight per group (an info key's value, default config_type) on every term of a frame. */
      groupWeights: z
        .object({
          column: z.string().min(1).max(60).optional(),
          weights: z.record(z.string().max(200), z.number().nonnegative().max(1e6)),
          defaultWeight: z.number().nonnegative().max(1e6).optional(),
        })
        .strict()
        .optional(),
    })
    .strict(),
  'study.learningCurve': z
    .object({
      studyId: idSchema,
      trainDatasetId: idSchema,
      testDatasetId: idSchema,
      modelType: z.string().min(1).max(40),
      modelConfig: z.record(z.string().max(60), z.unknown()),
      train: z.record(z.string().max(60), z.unknown()),
      sizes: z.array(z.number().int().min(1).max(1e6)).min(2).max(12),
      baseline: baselineSchema.optional(),
      maxMinutesEach: z.number().positive().max(600).optional(),
      seed: z.number().int().min(0).max(2 ** 32 - 1),
    })
    .strict(),
  'train.control': z.object({ runId: idSchema, action: z.enum(['pause', 'resume', 'stop']) }).strict(),
  'train.list': z.object({}).strict(),
  'train.details': z.object({ runId: idSchema }).strict(),
  'train.delete': z.object({ runId: idSchema }).strict(),
  'md.driftStudy': z
    .object({
      studyId: idSchema,
      datasetId: idSchema,
      frameIndex: z.number().int().nonnegative(),
      potential: potentialSchema,
      temperatureK: z.number().min(0).max(1e5),
      dtFs: z.array(z.number().positive().max(20)).min(2).max(6),
      durationFs: z.number().positive().max(1e6),
      seed: z.number().int().min(0).max(2 ** 32 - 1),
      noiseEvPerA: z.number().min(0).max(100),
      biasFraction: z.number().min(0).max(1),
    })
    .strict(),
  'audit.run': z
    .object({
      auditId: idSchema,
      kind: z.enum(['symmetry', 'extensivity', 'conservation', 'elastic', 'errors']),
      datasetId: idSchema,
      /** Frames to audit (default: the elastic audit takes frame 0, the others up to 8 frames evenly spaced). */
      frames: z.array(z.number().int().nonnegative()).max(1000).optional(),
      potential: potentialSchema,
      seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
    })
    .strict(),
  'analysis.rdf': z.object({ datasetId: idSchema, rMaxA: z.number().positive().max(1000).optional(), bins: z.number().int().min(10).max(5000).optional() }).strict(),
  'analysis.msd': z.object({ datasetId: idSchema, frameIntervalFs: z.number().positive().max(1e9).optional(), removeDrift: z.boolean().optional() }).strict(),
  ...propertyRequestSchemas,
  ...uncertaintyRequestSchemas,
} as const;

export type Method = keyof typeof requestSchemas;
export const METHODS = Object.keys(requestSchemas) as Method[];
export type Params<M extends Method> = z.infer<(typeof requestSchemas)[M]>;

export interface FormatInfo {
  name: string;
  title: string;
  extensions: string[];
  canRead: boolean;
  canWrite: boolean;
}

export interface AppInfo {
  name: string;
  version: string;
  mode: 'electron' | 'browser';
  platform: string;
  formats: FormatInfo[];
  canUseNativeDialog: boolean;
}

/** Per-frame index of a dataset in columnar form (cheap for 10^5 frames). */
export interface FrameIndex {
  /** [F] atom counts. */
  atoms: Int32Array;
  /** [F] total energies, eV (NaN where the frame has none). */
  energyEv: Float64Array;
  /** [F] bit flags: 1 energy, 2 forces, 4 stress, 8 cell, 16 any periodic axis. */
  flags: Uint8Array;
  /** [F] index into groups (config_type), -1 when none. */
  group: Int32Array;
  groups: string[];
}

export const FRAME_FLAG = { energy: 1, forces: 2, stress: 4, cell: 8, periodic: 16 } as const;

export interface DatasetInfo {
  id: string;
  name: string;
  /** Where it came from: a path, an upload, the bundled example. */
  origin: 'path' | 'upload' | 'example';
  path: string | null;
  format: string;
  formatTitle: string;
  sizeBytes: number;
  summary: DatasetSummary;
  index: FrameIndex;
  labelKeys: LabelKeysUsed;
  warnings: ParseWarning[];
  warningCount: number;
  loadMs: number;
  /** Provenance note for bundled data. */
  note?: string;
}

export interface PerAtomColumn {
  name: string;
  width: number;
  kind: 'real' | 'int' | 'bool' | 'string';
  /** Numeric columns as float32 [N*width]; string columns as strings. */
  values: Float32Array | string[];
}

/** One frame for the viewer and the properties panel. */
export interface FramePayload {
  datasetId: string;
  index: number;
  symbols: string[];
  numbers: Int32Array;
  /** [3N] Å, float32 for the GPU. */
  positionsA: Float32Array;
  cellA: number[] | null;
  pbc: [boolean, boolean, boolean];
  energyEv: number | null;
  /** [3N] eV/Å. */
  forcesEvPerA: Float32Array | null;
  /** [9] eV/Å³, ASE sign. */
  stressEvPerA3: number[] | null;
  info: Record<string, InfoValue>;
  columns: PerAtomColumn[];
}

export interface RecentEntry {
  id: string;
  name: string;
  path: string | null;
  format: string;
  frames: number;
  atoms: number;
  sizeBytes: number;
  openedAt: string;
  /** False when the file (or its cached copy) is gone. */
  available: boolean;
}

export interface PotentialInfo {
  kind: string;
  title: string;
  description: string;
  needsFile: boolean;
  fileExtensions: string[];
  parameters: { key: string; label: string; unit: string; type: 'number' | 'boolean'; default?: number | boolean; description: string }[];
  example: string;
  reference: string;
}

export interface IntegratorInfo {
  id: string;
  label: string;
  ensemble: string;
  stochastic: boolean;
  params: { key: string; label: string; unit: string; default: number; min?: number }[];
  reference: string;
}

export interface BundledPotential {
  /** Spec to use, e.g. "sw:bundled:Si_StillingerWeber1985.sw". */
  spec: string;
  title: string;
  elements: string[];
}

export interface PotentialCatalog {
  potentials: PotentialInfo[];
  integrators: IntegratorInfo[];
  bundled: BundledPotential[];
}

export type RunState = 'starting' | 'running' | 'paused' | 'finished' | 'stopped' | 'failed';

export interface MdRunInfo {
  runId: string;
  label: string;
  state: RunState;
  step: number;
  steps: number;
  atoms: number;
  potential: string;
  integrator: string;
  settings: MdSettings;
  dir: string;
  trajectoryPath: string;
  thermoPath: string;
  atomStepsPerS: number | null;
  etaS: number | null;
  message: string | null;
  startedAt: string;
  /** Committee runs: frames above the export threshold, for labelling (issue 6). */
  uncertainFramesPath?: string | null;
}

/** Columns of thermo rows (one entry per row). Energies eV, time fs, T K, P GPa (NaN if unknown). */
export interface ThermoColumns {
  step: Float64Array;
  timeFs: Float64Array;
  epotEv: Float64Array;
  ekinEv: Float64Array;
  etotEv: Float64Array;
  temperatureK: Float64Array;
  pressureGpa: Float64Array;
  conservedEv: Float64Array;
  /** Committee runs: largest per-atom force spread max_i σF,i per row (eV/Å). */
  forceStdMaxEvPerA?: Float64Array;
}

export interface StudyPoint {
  dtFs: number;
  steps: number;
  /** RMS fluctuation of the conserved quantity about its linear fit, meV/atom. */
  fluctuationMevPerAtom: number;
  driftMevPerAtomPerPs: number;
  driftStderrMevPerAtomPerPs: number;
  failed?: string;
}

export interface StudyResult {
  studyId: string;
  points: StudyPoint[];
  /** Fitted exponent of fluctuation vs dt (2 for a symplectic second-order integrator). */
  fluctuationExponent: number | null;
}

export interface RdfResultDto {
  frames: number;
  rMaxA: number;
  /** [bins] bin centres, Å. */
  rA: Float64Array;
  g: Float64Array;
  coordination: Float64Array;
  partials: { label: string; g: Float64Array }[];
  densityPerA3: number;
}

export interface MsdResultDto {
  frames: number;
  frameIntervalFs: number;
  lagFs: Float64Array;
  msdA2: Float64Array;
  dA2PerPs: number;
  dStdErrA2PerPs: number;
  dCm2PerS: number;
  fitFromFs: number;
  fitToFs: number;
}

export interface ModelTypeInfo {
  name: string;
  label: string;
  description: string;
  fitting: 'gradient' | 'closed_form';
  defaultConfig: Record<string, unknown>;
}

/** One compute backend as the training worker sees it (issue 10). */
export interface BackendInfoDto {
  backend: 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
  available: boolean;
  /** What it is ("WebAssembly SIMD, 1 thread", the GPU adapter's name) or why it is unavailable. */
  detail: string;
  /** WebGPU adapter ("vendor / architecture / description"). */
  adapter: string | null;
  /** Measured training speed on the probe (null: not probed, unavailable, or the probe failed). */
  stepsPerSecond: number | null;
  msPerStep: number | null;
  atomsPerStep: number | null;
  /** Why the probe failed. */
  error: string | null;
}

export interface TrainOptions {
  modelTypes: ModelTypeInfo[];
  defaultTrain: Record<string, unknown>;
}

export interface TrainMetricsDto {
  frames: number;
  atoms: number;
  energyMaeMevPerAtom: number | null;
  energyRmseMevPerAtom: number | null;
  forceMaeEvPerA: number | null;
  forceRmseEvPerA: number | null;
  stressMaeGpa: number | null;
  stressRmseGpa: number | null;
}

export interface TrainRunInfo {
  runId: string;
  label: string;
  dir: string;
  state: RunState;
  modelType: string;
  datasetName: string;
  epoch: number;
  maxEpochs: number;
  etaS: number | null;
  backend: string | null;
  message: string | null;
  startedAt: string;
  hasModel: boolean;
  /** Latest validation metrics (or training metrics without a validation set). */
  metrics: TrainMetricsDto | null;
  /** Can be resumed from its checkpoint in this session (its dataset is still open). */
  resumable: boolean;
  /** Members when the run is a committee (issue 6). */
  committeeSize?: number;
}

/** One epoch as logged (loss terms dimensionless; metrics in meV/atom, eV/Å, GPa). */
export interface EpochRecordDto {
  epoch: number;
  step: number;
  lr: number;
  train: { total: number; energy: number; forces: number; stress: number };
  valid: { loss: { total: number; energy: number; forces: number; stress: number }; metrics: TrainMetricsDto } | null;
  ms: number;
}

export interface TrainDetails {
  info: TrainRunInfo;
  history: EpochRecordDto[];
  card: Record<string, unknown> | null;
  parity: {
    energy: { refEvPerAtom: number[]; predEvPerAtom: number[] };
    forces: { refEvPerA: number[]; predEvPerA: number[] };
    stress: { refGpa: number[]; predGpa: number[] };
  } | null;
  errors: Record<string, unknown> | null;
  log: string[];
}

export interface CurvePointDto {
  size: number;
  energy_mae_mev_per_atom: number | null;
  force_mae_ev_per_a: number | null;
  stress_mae_gpa: number | null;
  train_seconds: number;
}

export interface LearningCurveDto {
  studyId: string;
  direct: CurvePointDto[];
  delta?: CurvePointDto[];
  data_efficiency_factor?: number | null;
  test_frames: number;
}

export interface Results extends PropertyResults, UncertaintyResults {
  'app.info': AppInfo;
  'dialog.openFile': { path: string } | null;
  'upload.begin': { uploadId: string };
  'upload.chunk': { receivedBytes: number };
  'upload.end': { receivedBytes: number };
  'dataset.open': DatasetInfo;
  'job.cancel': { cancelled: boolean };
  'dataset.list': DatasetInfo[];
  'dataset.frame': FramePayload;
  'dataset.close': { closed: boolean };
  'recent.list': RecentEntry[];
  'recent.remove': { removed: boolean };
  'potential.list': PotentialCatalog;
  'md.start': MdRunInfo;
  'md.control': MdRunInfo;
  'md.list': MdRunInfo[];
  'md.study': StudyResult;
  'train.options': TrainOptions;
  'train.backends': BackendInfoDto[];
  'train.start': TrainRunInfo;
  'train.control': TrainRunInfo;
  'train.list': TrainRunInfo[];
  'train.details': TrainDetails;
  'train.delete': { deleted: boolean };
  'study.learningCurve': LearningCurveDto;
  'audit.run': { auditId: string; report: Record<string, unknown> };
  'md.driftStudy': { studyId: string; result: Record<string, unknown> };
  'analysis.rdf': RdfResultDto;
  'analysis.msd': MsdResultDto;
}

export interface JobProgress {
  jobId: string;
  kind: 'open';
  phase: string;
  bytesDone: number;
  bytesTotal: number | null;
  frames: number;
  /** Estimated seconds left, null when unknown. */
  etaS: number | null;
}

export interface Events extends PropertyEvents {
  'job.progress': JobProgress;
  'md.status': MdRunInfo;
  'md.thermo': { runId: string; rows: ThermoColumns };
  'md.frame': { runId: string; step: number; timeFs: number; numbers: Int32Array; positionsA: Float32Array; cellA: number[] | null; pbc: [boolean, boolean, boolean] };
  'study.progress': { studyId: string; point: StudyPoint; index: number; total: number };
  'train.status': TrainRunInfo;
  'train.epoch': { runId: string; record: EpochRecordDto };
  'train.log': { runId: string; message: string };
  'study.lcProgress': { studyId: string; message: string };
}
export type EventName = keyof Events;
export const EVENT_NAMES: EventName[] = ['job.progress', 'md.status', 'md.thermo', 'md.frame', 'study.progress', 'train.status', 'train.epoch', 'train.log', 'study.lcProgress', 'property.progress'];

/** Errors carried across the transport: a message for the user plus an optional location. */
export interface ApiErrorInfo {
  code: 'invalid-params' | 'not-found' | 'parse-error' | 'cancelled' | 'unsupported' | 'internal';
  message: string;
  parse?: ParseErrorInfo;
}

export class ApiError extends Error {
  readonly info: ApiErrorInfo;
  constructor(info: ApiErrorInfo) {
    super(info.message);
    this.name = 'ApiError';
    this.info = info;
  }
}

/** Typed client surface used by the renderer, whatever the transport. */
export interface AtomforgeApi {
  call<M extends Method>(method: M, params: Params<M>): Promise<Results[M]>;
  on<E extends EventName>(event: E, cb: (payload: Events[E]) => void): () => void;
}

/** Validate parameters; throws ApiError('invalid-params') naming the field. */
export function validateParams<M extends Method>(method: M, raw: unknown): Params<M> {
  const schema = requestSchemas[method];
  if (!schema) throw new ApiError({ code: 'invalid-params', message: `unknown method "${String(method)}"` });
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : '(params)';
    throw new ApiError({ code: 'invalid-params', message: `${method}: invalid ${where}: ${issue.message}` });
  }
  return r.data as Params<M>;
}
