// Training runs as the UI sees them: the run list (live and from disk), the selected run's epoch
// history (streamed), log lines, and details (model card, parity data, error table) once finished.
import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef } from 'vue';
import type { EpochRecordDto, TrainDetails, TrainOptions, TrainRunInfo } from '../../src-shared/protocol/api';
import { api } from '../api/client';

let counter = 0;
const newId = () => `tr${Date.now().toString(36)}${(counter++).toString(36)}`;

export const useTraining = defineStore('training', () => {
  const options = shallowRef<TrainOptions | null>(null);
  const runs = shallowRef<TrainRunInfo[]>([]);
  const selectedId = ref<string | null>(null);
  const histories = new Map<string, EpochRecordDto[]>();
  const logs = new Map<string, string[]>();
  const tick = shallowRef(0);
  const details = shallowRef<TrainDetails | null>(null);

  const selected = computed(() => runs.value.find((r) => r.runId === selectedId.value) ?? null);

  function upsert(info: TrainRunInfo) {
    const i = runs.value.findIndex((r) => r.runId === info.runId);
    const next = runs.value.slice();
    if (i >= 0) next[i] = markRaw(info);
    else next.unshift(markRaw(info));
    runs.value = next;
  }

  api.on('train.status', (info) => {
    const prev = runs.value.find((r) => r.runId === info.runId);
    upsert(info);
    if (info.runId === selectedId.value && prev?.state !== info.state && ['finished', 'stopped', 'failed', 'paused'].includes(info.state)) void loadDetails(info.runId);
  });
  api.on('train.epoch', ({ runId, record }) => {
    let h = histories.get(runId);
    if (!h) histories.set(runId, (h = []));
    h.push(record);
    tick.value++;
  });
  api.on('train.log', ({ runId, message }) => {
    let l = logs.get(runId);
    if (!l) logs.set(runId, (l = []));
    l.push(message);
    tick.value++;
  });

  async function init() {
    options.value = markRaw(await api.call('train.options', {}));
    await refresh();
  }

  async function refresh() {
    const list = await api.call('train.list', {});
    runs.value = list.map((r) => markRaw(r));
  }

  async function start(p: Omit<Parameters<typeof api.call<'train.start'>>[1], 'runId'>) {
    const runId = newId();
    histories.set(runId, []);
    logs.set(runId, []);
    selectedId.value = runId;
    details.value = null;
    const info = await api.call('train.start', { ...p, runId });
    upsert(info);
    return info;
  }

  async function control(runId: string, action: 'pause' | 'resume' | 'stop') {
    upsert(await api.call('train.control', { runId, action }));
  }

  async function loadDetails(runId: string) {
    const d = await api.call('train.details', { runId });
    if (!histories.get(runId)?.length) histories.set(runId, d.history);
    if (d.log.length && !logs.get(runId)?.length) logs.set(runId, d.log);
    if (selectedId.value === runId) details.value = markRaw(d);
    tick.value++;
  }

  async function select(runId: string) {
    selectedId.value = runId;
    details.value = null;
    await loadDetails(runId);
  }

  async function remove(runId: string) {
    await api.call('train.delete', { runId });
    if (selectedId.value === runId) {
      selectedId.value = null;
      details.value = null;
    }
    await refresh();
  }

  function historyOf(runId: string | null): EpochRecordDto[] {
    void tick.value;
    // A new array each time: consumers' computeds must see a change when records are appended.
    return runId ? (histories.get(runId) ?? []).slice() : [];
  }
  /** Fitted by one solve (linear, kernel): no epochs or loss curves to show. */
  function isClosedForm(modelType: string | undefined): boolean {
    return options.value?.modelTypes.find((t) => t.name === modelType)?.fitting === 'closed_form';
  }
  function logOf(runId: string | null): string[] {
    void tick.value;
    return runId ? (logs.get(runId) ?? []).slice() : [];
  }

  return { options, runs, selectedId, selected, details, tick, init, refresh, start, control, select, remove, historyOf, logOf, isClosedForm };
});
