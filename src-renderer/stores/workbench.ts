// Workbench state: open datasets, the active frame, loading jobs with progress, recent files and
// errors. Big arrays (frame payloads, frame indices) are kept raw (markRaw/shallowRef), never deep
// reactive. All host access goes through the transport-neutral api client.
import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef, computed } from 'vue';
import type { AppInfo, DatasetInfo, FramePayload, JobProgress, OpenSource, RecentEntry, ReadOptionsDto } from '../../src-shared/protocol/api';
import { ApiError, type ApiErrorInfo } from '../../src-shared/protocol/api';
import { api, errorMessage, transport } from '../api/client';

export interface JobState {
  jobId: string;
  name: string;
  progress: JobProgress | null;
  startedAt: number;
}

const CHUNK_BYTES = 1 << 20;
let jobCounter = 0;
const newJobId = () => `job-${Date.now().toString(36)}-${(jobCounter++).toString(36)}`;

export const useWorkbench = defineStore('workbench', () => {
  const appInfo = shallowRef<AppInfo | null>(null);
  const datasets = shallowRef<DatasetInfo[]>([]);
  const activeId = ref<string | null>(null);
  const frameIndex = ref(0);
  const frame = shallowRef<FramePayload | null>(null);
  const jobs = ref<JobState[]>([]);
  const recent = shallowRef<RecentEntry[]>([]);
  const error = shallowRef<ApiErrorInfo | null>(null);
  const notice = ref<string | null>(null);
  let frameSeq = 0;

  const active = computed(() => datasets.value.find((d) => d.id === activeId.value) ?? null);
  const frameCount = computed(() => active.value?.summary.frames ?? 0);

  api.on('job.progress', (p) => {
    const j = jobs.value.find((x) => x.jobId === p.jobId);
    if (j) j.progress = p;
  });

  async function init() {
    try {
      appInfo.value = markRaw(await api.call('app.info', {}));
      await refreshRecent();
    } catch (e) {
      showError(e);
    }
  }

  async function refreshRecent() {
    recent.value = markRaw(await api.call('recent.list', {}));
  }

  function showError(e: unknown) {
    if (e instanceof ApiError) {
      if (e.info.code === 'cancelled') {
        notice.value = e.message;
        return;
      }
      error.value = e.info;
    } else error.value = { code: 'internal', message: errorMessage(e) };
  }

  async function runOpen(name: string, source: OpenSource, options?: ReadOptionsDto, feed?: (jobId: string) => Promise<void>) {
    const jobId = newJobId();
    jobs.value.push({ jobId, name, progress: null, startedAt: Date.now() });
    error.value = null;
    try {
      const opening = api.call('dataset.open', { jobId, source, options });
      const feeding = feed ? feed(jobId) : Promise.resolve();
      const [info] = await Promise.all([opening, feeding.catch(() => undefined)]);
      datasets.value = [...datasets.value, markRaw(info)];
      await select(info.id);
      if (info.warningCount > 0) notice.value = `${info.name}: ${info.warningCount} warning(s) while reading; see the dataset panel`;
      await refreshRecent();
      return info;
    } catch (e) {
      showError(e);
      return null;
    } finally {
      jobs.value = jobs.value.filter((j) => j.jobId !== jobId);
    }
  }

  function openExample() {
    return runOpen('bundled example', { kind: 'example' });
  }

  function openPath(path: string, options?: ReadOptionsDto) {
    return runOpen(path.split(/[\\/]/).pop() ?? path, { kind: 'path', path }, options);
  }

  async function openDialog() {
    try {
      const r = await api.call('dialog.openFile', {});
      if (r) return openPath(r.path);
    } catch (e) {
      showError(e);
    }
    return null;
  }

  function openRun(runId: string) {
    return runOpen('MD trajectory', { kind: 'run', runId });
  }

  /** Show a frame that does not belong to an open dataset (a running MD trajectory). */
  function showLiveFrame(f: FramePayload) {
    frameSeq++;
    frame.value = markRaw(f);
  }

  function openRecent(entry: RecentEntry) {
    return runOpen(entry.name, { kind: 'recent', recentId: entry.id });
  }

  /** Stream a File (picker or drag-and-drop) to the host in 1 MB chunks. */
  async function openFile(file: File, options?: ReadOptionsDto) {
    let uploadId: string;
    try {
      uploadId = (await api.call('upload.begin', { name: file.name, sizeBytes: file.size })).uploadId;
    } catch (e) {
      showError(e);
      return null;
    }
    return runOpen(file.name, { kind: 'upload', uploadId }, options, async () => {
      for (let off = 0; off < file.size; off += CHUNK_BYTES) {
        const bytes = new Uint8Array(await file.slice(off, Math.min(file.size, off + CHUNK_BYTES)).arrayBuffer());
        await api.call('upload.chunk', { uploadId, bytes });
      }
      await api.call('upload.end', { uploadId });
    });
  }

  async function cancelJob(jobId: string) {
    await api.call('job.cancel', { jobId }).catch(showError);
  }

  async function select(id: string) {
    activeId.value = id;
    frame.value = null;
    await setFrame(0);
  }

  async function setFrame(i: number) {
    const d = active.value;
    if (!d) return;
    const idx = Math.max(0, Math.min(d.summary.frames - 1, Math.round(i)));
    frameIndex.value = idx;
    const seq = ++frameSeq;
    try {
      const payload = await api.call('dataset.frame', { datasetId: d.id, index: idx });
      if (seq === frameSeq) frame.value = markRaw(payload);
    } catch (e) {
      showError(e);
    }
  }

  async function close(id: string) {
    await api.call('dataset.close', { datasetId: id }).catch(() => undefined);
    datasets.value = datasets.value.filter((d) => d.id !== id);
    if (activeId.value === id) {
      const next = datasets.value[datasets.value.length - 1];
      if (next) await select(next.id);
      else {
        activeId.value = null;
        frame.value = null;
      }
    }
  }

  async function forgetRecent(id: string) {
    await api.call('recent.remove', { recentId: id }).catch(showError);
    await refreshRecent();
  }

  return {
    transport,
    appInfo,
    datasets,
    activeId,
    active,
    frameIndex,
    frameCount,
    frame,
    jobs,
    recent,
    error,
    notice,
    init,
    openExample,
    openPath,
    openDialog,
    openFile,
    openRecent,
    openRun,
    showLiveFrame,
    cancelJob,
    select,
    setFrame,
    close,
    forgetRecent,
    refreshRecent,
  };
});
