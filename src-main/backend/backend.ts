// The host-side API implementation shared by Electron main and the browser-mode host. Handlers
// validate parameters (zod schemas of src-shared/protocol), call the core, run parsing in a worker
// thread and stream progress events back. No physics here.
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, promises as fsp, type WriteStream } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { Frame } from '../../src-shared/atoms/frame';
import { SummaryBuilder } from '../../src-shared/atoms/summary';
import { FORMATS } from '../../src-shared/io/registry';
import {
  ApiError,
  type AppInfo,
  type DatasetInfo,
  type Events,
  type EventName,
  type Method,
  type OpenSource,
  type Params,
  type ReadOptionsDto,
  type Results,
  validateParams,
} from '../../src-shared/protocol/api';
import { buildFrameIndex, buildFramePayload } from '../../src-shared/protocol/payload';
import type { FromIoWorker, ToIoWorker } from '../workers/ioMessages';
import { RecentStore } from './recent';
import { MdRuns } from './mdRuns';
import { TrainRuns } from './trainRuns';
import { UncertaintyJobs } from './uncertaintyJobs';
import { PropertyJobs } from './propertyJobs';
import { BackendProbes } from './backendProbes';
import { resolvePotential } from '../node/potentialFiles';

export interface BackendOptions {
  mode: 'electron' | 'browser';
  version: string;
  /** Folder for recent files, upload copies and settings. */
  userDataDir: string;
  /** Folder holding examples/ (the bundled data). */
  resourcesDir: string;
  spawnIoWorker: () => Worker;
  spawnMdWorker: () => Worker;
  spawnTrainWorker: () => Worker;
  /** Native open dialog (Electron); returns the chosen path or null. */
  showOpenDialog?: () => Promise<string | null>;
  /**
   * Whether `dataset.open` may read any path it is given. Browser mode: yes (the page is
   * authenticated and the user types the path). Electron: no, only paths from the dialog or the
   * recent list (defence against a compromised renderer).
   */
  allowAnyPath: boolean;
}

export interface Connection {
  emit<E extends EventName>(event: E, payload: Events[E]): void;
}

interface Upload {
  id: string;
  name: string;
  sizeBytes: number;
  received: number;
  worker: Worker | null;
  pending: Uint8Array[];
  ended: boolean;
  cachePath: string | null;
  cache: WriteStream | null;
}

interface OpenJob {
  worker: Worker;
  cancel: () => void;
}

interface StoredDataset {
  info: DatasetInfo;
  frames: Frame[];
}

const EXAMPLE_FILE = 'Si_mlearn_test.xyz';
const EXAMPLE_NOTE =
  'mlearn Si test set (Zuo et al., J. Phys. Chem. A 124, 731 (2020)), DFT-PBE energies, forces and stresses; BSD-3-Clause.';
const MAX_CACHED_UPLOAD_BYTES = 512 * 2 ** 20;

export class Backend {
  private datasets = new Map<string, StoredDataset>();
  private uploads = new Map<string, Upload>();
  private jobs = new Map<string, OpenJob>();
  private allowedPaths = new Set<string>();
  private recent: RecentStore;
  private connections = new Set<Connection>();
  readonly md: MdRuns;
  readonly train: TrainRuns;
  readonly uncertainty: UncertaintyJobs;
  readonly property: PropertyJobs;
  readonly backendProbes: BackendProbes;

  constructor(private opts: BackendOptions) {
    this.recent = new RecentStore(opts.userDataDir);
    this.md = new MdRuns({
      runsDir: join(opts.userDataDir, 'runs'),
      bundledPotentialsDir: join(opts.resourcesDir, 'potentials'),
      spawnMdWorker: opts.spawnMdWorker,
      getFrame: (datasetId, index) => {
        const d = this.datasets.get(datasetId);
        if (!d) throw new ApiError({ code: 'not-found', message: `no open dataset ${datasetId}` });
        if (index >= d.frames.length) throw new ApiError({ code: 'not-found', message: `frame ${index} is out of range (dataset has ${d.frames.length})` });
        return d.frames[index];
      },
      allowPath: (p) => opts.allowAnyPath || this.allowedPaths.has(resolve(p)),
      modelDir: (runId) => this.train.modelDir(runId),
      broadcast: (event, payload) => this.broadcast(event, payload),
    });
    this.train = new TrainRuns({
      runsDir: join(opts.userDataDir, 'runs'),
      spawnTrainWorker: opts.spawnTrainWorker,
      getDataset: (id) => {
        const d = this.datasets.get(id);
        if (!d) throw new ApiError({ code: 'not-found', message: `no open dataset ${id}` });
        return { name: d.info.name, frames: d.frames };
      },
      resolveBaseline: (b) => {
        if (b.kind === 'data' || b.fileText !== undefined) return b;
        const r = resolvePotential(b, { bundledDir: join(opts.resourcesDir, 'potentials'), allowPath: (p) => opts.allowAnyPath || this.allowedPaths.has(resolve(p)) });
        if ('error' in r) throw new ApiError({ code: 'invalid-params', message: `baseline: ${r.error}` });
        return { kind: 'potential', spec: r.spec, fileText: r.fileText };
      },
      broadcast: (event, payload) => this.broadcast(event, payload),
    });
    this.backendProbes = new BackendProbes({ spawnTrainWorker: opts.spawnTrainWorker });
    this.property = new PropertyJobs({ spawnTrainWorker: opts.spawnTrainWorker, framesOf: (id) => this.framesOf(id), broadcast: (event, payload) => this.broadcast(event, payload) });
    this.uncertainty = new UncertaintyJobs({
      spawnTrainWorker: opts.spawnTrainWorker,
      framesOf: (id) => this.framesOf(id),
      datasetName: (id) => this.datasets.get(id)?.info.name ?? id,
      runDir: (runId) => this.train.runDir(runId),
    });
  }

  private broadcast<E extends EventName>(event: E, payload: Events[E]) {
    for (const c of this.connections) c.emit(event, payload);
  }

  /** Register a window/socket for broadcast events (MD status, thermo, frames); returns detach. */
  attach(conn: Connection): () => void {
    this.connections.add(conn);
    return () => this.connections.delete(conn);
  }

  /** Validate and run one request. Throws ApiError for the transport to report. */
  async dispatch<M extends Method>(method: M, rawParams: unknown, conn: Connection): Promise<Results[M]> {
    const params = validateParams(method, rawParams);
    const handler = (this.handlers as unknown as Record<string, (p: unknown, c: Connection) => Promise<unknown>>)[method];
    return (await handler.call(this, params, conn)) as Results[M];
  }

  private handlers: { [M in Method]: (p: Params<M>, c: Connection) => Promise<Results[M]> } = {
    'app.info': async () => this.appInfo(),
    'dialog.openFile': async () => {
      if (!this.opts.showOpenDialog) throw new ApiError({ code: 'unsupported', message: 'no native file dialog in browser mode: use the file picker or drag and drop' });
      const p = await this.opts.showOpenDialog();
      if (!p) return null;
      this.allowedPaths.add(resolve(p));
      return { path: p };
    },
    'upload.begin': async (p) => {
      const id = randomUUID();
      const cacheable = p.sizeBytes <= MAX_CACHED_UPLOAD_BYTES;
      let cachePath: string | null = null;
      let cache: WriteStream | null = null;
      if (cacheable) {
        const dir = join(this.opts.userDataDir, 'uploads');
        await fsp.mkdir(dir, { recursive: true });
        cachePath = join(dir, `${id}-${basename(p.name).replace(/[^A-Za-z0-9._-]/g, '_')}`);
        cache = createWriteStream(cachePath);
        // Write errors are reported through the write callbacks; a cancelled upload destroys the
        // stream while a chunk may be in flight, which must not become an unhandled 'error' event.
        cache.on('error', () => undefined);
      }
      this.uploads.set(id, { id, name: basename(p.name), sizeBytes: p.sizeBytes, received: 0, worker: null, pending: [], ended: false, cachePath, cache });
      return { uploadId: id };
    },
    'upload.chunk': async (p) => {
      const u = this.uploads.get(p.uploadId);
      if (!u) throw new ApiError({ code: 'cancelled', message: 'upload was cancelled or is unknown' });
      u.received += p.bytes.length;
      if (u.cache && !u.cache.destroyed) {
        try {
          await new Promise<void>((res, rej) => u.cache!.write(p.bytes, (e) => (e ? rej(e) : res())));
        } catch (e) {
          // The job was cancelled (or failed) while this chunk was in flight.
          if (!this.uploads.has(u.id)) throw new ApiError({ code: 'cancelled', message: 'upload was cancelled' });
          throw e;
        }
      }
      if (!this.uploads.has(u.id)) throw new ApiError({ code: 'cancelled', message: 'upload was cancelled' });
      if (u.worker) this.post(u.worker, { type: 'chunk', bytes: p.bytes });
      else u.pending.push(p.bytes);
      return { receivedBytes: u.received };
    },
    'upload.end': async (p) => {
      const u = this.uploads.get(p.uploadId);
      if (!u) throw new ApiError({ code: 'cancelled', message: 'upload was cancelled or is unknown' });
      u.ended = true;
      if (u.cache && !u.cache.destroyed) await new Promise<void>((res) => u.cache!.end(res));
      if (!this.uploads.has(u.id)) throw new ApiError({ code: 'cancelled', message: 'upload was cancelled' });
      if (u.worker) this.post(u.worker, { type: 'end' });
      return { receivedBytes: u.received };
    },
    'dataset.open': async (p, conn) => this.open(p.jobId, p.source, p.options ?? {}, conn),
    'job.cancel': async (p) => {
      const job = this.jobs.get(p.jobId);
      if (!job) return { cancelled: false };
      job.cancel();
      return { cancelled: true };
    },
    'dataset.list': async () => [...this.datasets.values()].map((d) => d.info),
    'dataset.frame': async (p) => {
      const d = this.datasets.get(p.datasetId);
      if (!d) throw new ApiError({ code: 'not-found', message: `no open dataset ${p.datasetId}` });
      if (p.index >= d.frames.length) throw new ApiError({ code: 'not-found', message: `frame ${p.index} is out of range (dataset has ${d.frames.length})` });
      return buildFramePayload(p.datasetId, p.index, d.frames[p.index]);
    },
    'dataset.close': async (p) => ({ closed: this.datasets.delete(p.datasetId) }),
    'recent.list': async () => this.recent.list(),
    'recent.remove': async (p) => ({ removed: await this.recent.remove(p.recentId) }),
    'potential.list': async () => this.md.catalog(),
    'md.start': async (p) => this.md.start(p),
    'md.control': async (p) => this.md.control(p.runId, p.action),
    'md.list': async () => this.md.list(),
    'md.study': async (p) => this.md.study(p),
    'train.options': async () => this.train.options(),
    'train.backends': async (p) => this.backendProbes.list(p),
    'train.start': async (p) => this.train.start(p),
    'train.control': async (p) => this.train.control(p.runId, p.action),
    'train.list': async () => this.train.list(),
    'train.details': async (p) => this.train.details(p.runId),
    'train.delete': async (p) => ({ deleted: this.train.delete(p.runId) }),
    'study.learningCurve': async (p) => this.train.learningCurve(p),
    'md.driftStudy': async (p) => this.md.driftStudy(p),
    'audit.run': async (p) => this.md.audit(p, this.framesOf(p.datasetId)),
    'analysis.rdf': async (p) => this.md.analyze('rdf', this.framesOf(p.datasetId), { rMaxA: p.rMaxA, bins: p.bins }),
    'analysis.msd': async (p) => this.md.analyze('msd', this.framesOf(p.datasetId), { frameIntervalFs: p.frameIntervalFs, removeDrift: p.removeDrift }),
    'uncertainty.shift': async (p) => this.uncertainty.shift(p),
    'uncertainty.atoms': async (p) => this.uncertainty.atoms(p),
    'uncertainty.landscape': async (p) => this.uncertainty.landscape(p),
    'property.options': async () => this.property.options(),
    'property.study': async (p) => this.property.study(p),
    'property.cancel': async (p) => this.property.cancel(p.jobId),
    'property.classify': async (p) => this.property.classify(p),
  };

  private framesOf(datasetId: string): Frame[] {
    const d = this.datasets.get(datasetId);
    if (!d) throw new ApiError({ code: 'not-found', message: `no open dataset ${datasetId}` });
    return d.frames;
  }

  appInfo(): AppInfo {
    return {
      name: 'Atomforge',
      version: this.opts.version,
      mode: this.opts.mode,
      platform: process.platform,
      formats: FORMATS.map((f) => ({ name: f.name, title: f.title, extensions: f.extensions, canRead: !!f.read, canWrite: !!f.write })),
      canUseNativeDialog: !!this.opts.showOpenDialog,
    };
  }

  private post(worker: Worker, msg: ToIoWorker) {
    if (msg.type === 'chunk') {
      const copy = msg.bytes.slice();
      worker.postMessage({ type: 'chunk', bytes: copy }, [copy.buffer]);
    } else worker.postMessage(msg);
  }

  private async open(jobId: string, source: OpenSource, options: ReadOptionsDto, conn: Connection): Promise<DatasetInfo> {
    if (this.jobs.has(jobId)) throw new ApiError({ code: 'invalid-params', message: `job ${jobId} is already running` });
    let path: string | null = null;
    let name: string;
    let origin: DatasetInfo['origin'];
    let upload: Upload | null = null;
    let recentCache: string | null = null;
    if (source.kind === 'path') {
      path = resolve(source.path);
      if (!this.opts.allowAnyPath && !this.allowedPaths.has(path)) {
        throw new ApiError({ code: 'invalid-params', message: `${source.path}: open files through the file dialog or the file picker` });
      }
      name = basename(path);
      origin = 'path';
    } else if (source.kind === 'example') {
      path = join(this.opts.resourcesDir, 'examples', EXAMPLE_FILE);
      name = EXAMPLE_FILE;
      origin = 'example';
    } else if (source.kind === 'recent') {
      const r = await this.recent.get(source.recentId);
      if (!r) throw new ApiError({ code: 'not-found', message: 'that recent file is no longer in the list' });
      path = r.path ?? r.cachePath;
      if (!path || !existsSync(path)) throw new ApiError({ code: 'not-found', message: `${r.name}: the file is gone (${r.path ?? 'cached copy removed'})` });
      name = r.name;
      origin = r.path ? 'path' : 'upload';
      recentCache = r.cachePath;
      if (r.path) path = resolve(r.path);
    } else if (source.kind === 'run') {
      const run = this.md.get(source.runId);
      if (!run) throw new ApiError({ code: 'not-found', message: `no MD run ${source.runId}` });
      path = run.trajectoryPath;
      if (!existsSync(path)) throw new ApiError({ code: 'not-found', message: `the run has written no trajectory yet (${path})` });
      name = `${run.label} (trajectory)`;
      origin = 'path';
      this.allowedPaths.add(resolve(path));
    } else {
      upload = this.uploads.get(source.uploadId) ?? null;
      if (!upload) throw new ApiError({ code: 'not-found', message: 'unknown upload' });
      name = upload.name;
      origin = 'upload';
    }

    const started = Date.now();
    const worker = this.opts.spawnIoWorker();
    const running = new Promise<Extract<FromIoWorker, { type: 'done' }>>((resolveJob, rejectJob) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        this.jobs.delete(jobId);
        if (upload) {
          upload.cache?.destroy();
          this.uploads.delete(upload.id);
        }
        void worker.terminate();
        fn();
      };
      this.jobs.set(jobId, {
        worker,
        cancel: () => {
          worker.postMessage({ type: 'cancel' } satisfies ToIoWorker);
          settle(() => rejectJob(new ApiError({ code: 'cancelled', message: `${name}: reading cancelled` })));
        },
      });
      worker.on('message', (m: FromIoWorker) => {
        if (m.type === 'progress') {
          const elapsedS = (Date.now() - started) / 1000;
          const rate = m.bytesDone / Math.max(elapsedS, 1e-3);
          conn.emit('job.progress', {
            jobId,
            kind: 'open',
            phase: 'reading',
            bytesDone: m.bytesDone,
            bytesTotal: m.bytesTotal,
            frames: m.frames,
            etaS: m.bytesTotal && rate > 0 && elapsedS > 0.2 ? Math.max(0, (m.bytesTotal - m.bytesDone) / rate) : null,
          });
        } else if (m.type === 'done') settle(() => resolveJob(m));
        else settle(() => rejectJob(new ApiError(m.error)));
      });
      worker.on('error', (e) => settle(() => rejectJob(new ApiError({ code: 'internal', message: `reader worker failed: ${e.message}` }))));
      worker.on('exit', (code) => settle(() => rejectJob(new ApiError({ code: 'internal', message: `reader worker exited (code ${code})` }))));
      if (upload) {
        upload.worker = worker;
        this.post(worker, { type: 'open-stream', fileName: name, sizeBytes: upload.sizeBytes, options });
        for (const b of upload.pending) this.post(worker, { type: 'chunk', bytes: b });
        upload.pending = [];
        if (upload.ended) this.post(worker, { type: 'end' });
      } else {
        this.post(worker, { type: 'open-path', path: path!, options });
      }
    });
    let result: Extract<FromIoWorker, { type: 'done' }>;
    try {
      result = await running;
    } catch (e) {
      if (upload?.cachePath) await fsp.rm(upload.cachePath, { force: true });
      throw e;
    }

    const id = randomUUID().replace(/-/g, '').slice(0, 16);
    const sb = new SummaryBuilder();
    for (const f of result.frames) sb.add(f);
    const info: DatasetInfo = {
      id,
      name,
      origin,
      path: origin === 'path' || origin === 'example' ? path : null,
      format: result.format,
      formatTitle: result.formatTitle,
      sizeBytes: result.sizeBytes,
      summary: sb.build(),
      index: buildFrameIndex(result.frames),
      labelKeys: result.labelKeys,
      warnings: result.warnings.slice(0, 50),
      warningCount: result.warningCount,
      loadMs: Date.now() - started,
      note: origin === 'example' ? EXAMPLE_NOTE : undefined,
    };
    this.datasets.set(id, { info, frames: result.frames });
    if (origin !== 'example') {
      if (path) this.allowedPaths.add(path);
      await this.recent.add({
        id: randomUUID(),
        name,
        path: origin === 'path' ? path : null,
        cachePath: upload ? upload.cachePath : recentCache,
        format: result.format,
        frames: info.summary.frames,
        atoms: info.summary.atomsTotal,
        sizeBytes: result.sizeBytes,
        openedAt: new Date().toISOString(),
      });
    }
    return info;
  }

  dispose(): void {
    this.md.dispose();
    this.train.dispose();
    this.uncertainty.dispose();
    this.property.dispose();
    for (const j of this.jobs.values()) j.cancel();
    for (const u of this.uploads.values()) u.cache?.destroy();
  }
}
