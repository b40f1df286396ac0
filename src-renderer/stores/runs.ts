// MD runs as the UI sees them: status per run, thermo columns accumulated as they stream in, the
// live frame of the followed run (shown in the viewer), drift of the conserved quantity, and
// time-step studies. Arrays stay raw (never deep-reactive).
import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef, triggerRef } from 'vue';
import type { MdRunInfo, MdSettings, PotentialCatalog, PotentialDto, StudyPoint, StudyResult, ThermoColumns } from '../../src-shared/protocol/api';
import { symbolOf } from '../../src-shared/atoms/elements';
import { fitDrift, type DriftFit } from '../../src-shared/md/drift';
import { api } from '../api/client';
import { useWorkbench } from './workbench';

/** What the drift study returns (src-shared/md/driftStudy.ts), as the UI reads it. */
export interface DriftStudyDto {
  atoms: number;
  runs: {
    variant: string;
    dtFs: number;
    driftMevPerAtomPerPs: number;
    driftStderrMevPerAtomPerPs: number;
    fluctuationMevPerAtom: number;
    energyChangeMevPerAtom: number;
    injectedWorkMevPerAtom: number;
    series: { timeFs: number[]; energyChangeMevPerAtom: number[]; injectedWorkMevPerAtom: number[] };
    failed?: string;
  }[];
  verdicts: { variant: string; cause: string; message?: string; verdict?: string }[];
}

const KEYS = ['step', 'timeFs', 'epotEv', 'ekinEv', 'etotEv', 'temperatureK', 'pressureGpa', 'conservedEv'] as const;

/** Growable columns (amortised doubling). */
export class ThermoSeries {
  n = 0;
  cols: Record<(typeof KEYS)[number], Float64Array>;
  constructor() {
    this.cols = Object.fromEntries(KEYS.map((k) => [k, new Float64Array(256)])) as ThermoSeries['cols'];
  }
  append(rows: ThermoColumns) {
    const m = rows.step.length;
    if (this.n + m > this.cols.step.length) {
      const cap = Math.max(2 * this.cols.step.length, this.n + m);
      for (const k of KEYS) {
        const a = new Float64Array(cap);
        a.set(this.cols[k].subarray(0, this.n));
        this.cols[k] = a;
      }
    }
    for (const k of KEYS) this.cols[k].set(rows[k], this.n);
    // committee runs (issue 6): largest per-atom force spread, eV/Å
    if (rows.forceStdMaxEvPerA || this.sigma) {
      if (!this.sigma || this.sigma.length < this.cols.step.length) {
        const a = new Float64Array(this.cols.step.length).fill(NaN);
        if (this.sigma) a.set(this.sigma.subarray(0, this.n));
        this.sigma = a;
      }
      if (rows.forceStdMaxEvPerA) this.sigma.set(rows.forceStdMaxEvPerA, this.n);
    }
    this.n += m;
  }
  /** Committee runs: max_i σF,i per row (eV/Å), or null. */
  sigma: Float64Array | null = null;
  sigmaView(): Float64Array | null {
    return this.sigma ? this.sigma.subarray(0, this.n) : null;
  }
  view(k: (typeof KEYS)[number]): Float64Array {
    return this.cols[k].subarray(0, this.n);
  }
}

let counter = 0;
const newId = (p: string) => `${p}${Date.now().toString(36)}${(counter++).toString(36)}`;

export const useRuns = defineStore('runs', () => {
  const catalog = shallowRef<PotentialCatalog | null>(null);
  const runs = shallowRef<MdRunInfo[]>([]);
  const selectedId = ref<string | null>(null);
  const follow = ref(true);
  const series = new Map<string, ThermoSeries>();
  const seriesTick = shallowRef(0);
  const driftThreshold = ref(1.0); // meV/atom/ps
  /** Potential the Simulate panel should select (set by "Use in MD" on a trained model). */
  const preferredPotential = ref<string | null>(null);
  const studies = shallowRef<{ id: string; points: StudyPoint[]; result: StudyResult | null; running: boolean; error: string | null }[]>([]);
  const wb = useWorkbench();

  const selected = computed(() => runs.value.find((r) => r.runId === selectedId.value) ?? null);

  const atomsOf = new Map<string, number>();
  function upsert(info: MdRunInfo) {
    atomsOf.set(info.runId, info.atoms);
    const i = runs.value.findIndex((r) => r.runId === info.runId);
    const next = runs.value.slice();
    if (i >= 0) next[i] = markRaw(info);
    else next.push(markRaw(info));
    runs.value = next;
  }

  api.on('md.status', (info) => upsert(info));
  // Plots and the drift fit follow the data at most 4 times a second, whatever the event rate.
  let tickTimer: ReturnType<typeof setTimeout> | null = null;
  const bumpSeries = () => {
    if (tickTimer) return;
    tickTimer = setTimeout(() => {
      tickTimer = null;
      seriesTick.value++;
    }, 250);
  };
  api.on('md.thermo', ({ runId, rows }) => {
    let s = series.get(runId);
    if (!s) series.set(runId, (s = new ThermoSeries()));
    s.append(rows);
    bumpSeries();
  });
  api.on('md.frame', (f) => {
    if (!follow.value || f.runId !== selectedId.value) return;
    const run = runs.value.find((r) => r.runId === f.runId);
    wb.showLiveFrame({
      datasetId: `run:${f.runId}`,
      index: f.step,
      symbols: Array.from(f.numbers, (z) => symbolOf(z)),
      numbers: f.numbers,
      positionsA: f.positionsA,
      cellA: f.cellA,
      pbc: f.pbc,
      energyEv: null,
      forcesEvPerA: null,
      stressEvPerA3: null,
      info: { run: run?.label ?? f.runId, step: f.step, time_fs: f.timeFs },
      columns: [],
    });
  });
  api.on('study.progress', ({ studyId, point }) => {
    studies.value = studies.value.map((s) => (s.id === studyId ? { ...s, points: [...s.points, point] } : s));
  });

  async function loadCatalog() {
    if (!catalog.value) catalog.value = markRaw(await api.call('potential.list', {}));
    return catalog.value;
  }

  async function start(potential: PotentialDto, settings: MdSettings, label?: string) {
    const d = wb.active;
    if (!d) throw new Error('open a structure first');
    const runId = newId('md');
    series.set(runId, new ThermoSeries());
    selectedId.value = runId;
    follow.value = true;
    const info = await api.call('md.start', { runId, datasetId: d.id, frameIndex: wb.frameIndex, potential, settings, label });
    upsert(info);
    return info;
  }

  async function control(runId: string, action: 'pause' | 'resume' | 'stop') {
    upsert(await api.call('md.control', { runId, action }));
  }

  async function openTrajectory(runId: string) {
    follow.value = false;
    await wb.openRun(runId);
  }

  async function study(potential: PotentialDto, temperatureK: number, dtFs: number[], durationFs: number, seed: number) {
    const d = wb.active;
    if (!d) throw new Error('open a structure first');
    const id = newId('st');
    studies.value = [...studies.value, { id, points: [], result: null, running: true, error: null }];
    try {
      const result = await api.call('md.study', { studyId: id, datasetId: d.id, frameIndex: wb.frameIndex, potential, temperatureK, dtFs, durationFs, seed });
      studies.value = studies.value.map((s) => (s.id === id ? { ...s, result: markRaw(result), points: result.points, running: false } : s));
    } catch (e) {
      studies.value = studies.value.map((s) => (s.id === id ? { ...s, running: false, error: e instanceof Error ? e.message : String(e) } : s));
    }
  }

  const driftStudy = shallowRef<{ running: boolean; result: DriftStudyDto | null; error: string | null } | null>(null);
  async function runDriftStudy(potential: PotentialDto, temperatureK: number, dtFs: number[], durationFs: number, seed: number, noiseEvPerA: number, biasFraction: number) {
    const d = wb.active;
    if (!d) throw new Error('open a structure first');
    driftStudy.value = { running: true, result: null, error: null };
    try {
      const r = await api.call('md.driftStudy', { studyId: newId('ds'), datasetId: d.id, frameIndex: wb.frameIndex, potential, temperatureK, dtFs, durationFs, seed, noiseEvPerA, biasFraction });
      driftStudy.value = { running: false, result: markRaw(r.result as unknown as DriftStudyDto), error: null };
    } catch (e) {
      driftStudy.value = { running: false, result: null, error: e instanceof Error ? e.message : String(e) };
    }
  }

  function seriesOf(runId: string | null): ThermoSeries | null {
    void seriesTick.value;
    return runId ? (series.get(runId) ?? null) : null;
  }

  /** Drift fit of the conserved quantity of a run (null with fewer than 3 rows). */
  function driftOf(runId: string | null): DriftFit | null {
    const s = seriesOf(runId);
    const atoms = runId ? atomsOf.get(runId) : undefined;
    if (!s || !atoms || s.n < 3) return null;
    return fitDrift(s.view('timeFs'), s.view('conservedEv'), atoms);
  }

  function stopFollowing() {
    follow.value = false;
    triggerRef(runs);
    void wb.setFrame(wb.frameIndex);
  }

  function atoms(runId: string | null): number {
    return (runId && atomsOf.get(runId)) || 1;
  }

  return { driftStudy, runDriftStudy, preferredPotential, atoms, catalog, runs, selectedId, selected, follow, seriesTick, driftThreshold, studies, loadCatalog, start, control, openTrajectory, study, seriesOf, driftOf, stopFollowing };
});
