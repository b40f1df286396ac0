// Uncertainty and looking inside (issue 6) as the UI sees them: the run being inspected, per-atom
// values of one structure as extra viewer columns (atomic energy, committee force spread,
// descriptor score, with units for the colour bar), the domain-shift report and the loss landscape.
import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import { api, errorMessage } from '../api/client';
import type { AtomUncertaintyDto, DomainShiftDto, LandscapeDto } from '../../src-shared/protocol/uncertaintyApi';

/** Per-atom columns the viewer merges into the frame it shows (same dataset and frame only). */
export interface AtomOverlay {
  datasetId: string;
  frameIndex: number;
  columns: Record<string, Float32Array>;
  units: Record<string, string>;
  /** Column to colour by right after computing. */
  focus: string | null;
  result: AtomUncertaintyDto;
}

export const OVERLAY_COLUMNS = {
  energy: 'atomic energy',
  energyRel: 'atomic energy − element mean',
  forceStd: 'committee σF',
  energyStd: 'committee σe',
  score: 'descriptor score',
  outOfRange: 'features out of range',
  sensitivity: 'force sensitivity',
} as const;

/** Parse "Ge=Si, Sn=Si" into a map (throws on bad entries). */
export function parseElementMapText(text: string): Record<string, string> | undefined {
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (!parts.length) return undefined;
  const map: Record<string, string> = {};
  for (const p of parts) {
    const m = /^([A-Z][a-z]{0,2})\s*=\s*([A-Z][a-z]{0,2})$/.exec(p);
    if (!m) throw new Error(`element map: expected FROM=TO element symbols such as Ge=Si, got "${p}"`);
    map[m[1]] = m[2];
  }
  return map;
}

/** Viewer columns from the host's per-atom result. */
export function overlayColumns(r: AtomUncertaintyDto): { columns: Record<string, Float32Array>; units: Record<string, string> } {
  const columns: Record<string, Float32Array> = {}, units: Record<string, string> = {};
  const put = (name: string, v: number[] | null, unit: string) => {
    if (!v) return;
    columns[name] = Float32Array.from(v);
    units[name] = unit;
  };
  put(OVERLAY_COLUMNS.energy, r.energiesEv, 'eV');
  put(OVERLAY_COLUMNS.energyRel, r.energiesRelativeEv, 'eV');
  put(OVERLAY_COLUMNS.forceStd, r.forceStdEvPerA, 'eV/Å');
  put(OVERLAY_COLUMNS.energyStd, r.energiesStdEv, 'eV');
  put(OVERLAY_COLUMNS.score, r.descriptorScore, 'σ-units');
  put(OVERLAY_COLUMNS.outOfRange, r.outOfRangeFeatures, 'features');
  put(OVERLAY_COLUMNS.sensitivity, r.forceSensitivityEvPerA2, 'eV/Å²');
  return { columns, units };
}

export const useUncertainty = defineStore('uncertainty', () => {
  const overlay = shallowRef<AtomOverlay | null>(null);
  const shift = shallowRef<DomainShiftDto | null>(null);
  const landscape = shallowRef<LandscapeDto | null>(null);
  const busy = ref<'atoms' | 'shift' | 'landscape' | null>(null);
  const message = ref<string | null>(null);

  async function guard<T>(kind: 'atoms' | 'shift' | 'landscape', fn: () => Promise<T>): Promise<T | null> {
    busy.value = kind;
    message.value = null;
    try {
      return await fn();
    } catch (e) {
      message.value = errorMessage(e);
      return null;
    } finally {
      busy.value = null;
    }
  }

  async function colourAtoms(runId: string, datasetId: string, frameIndex: number, focus: keyof typeof OVERLAY_COLUMNS, elementMap?: Record<string, string>) {
    const r = await guard('atoms', () => api.call('uncertainty.atoms', { runId, datasetId, frameIndex, elementMap }));
    if (!r) return;
    const { columns, units } = overlayColumns(r);
    const want = OVERLAY_COLUMNS[focus];
    overlay.value = markRaw({ datasetId, frameIndex, columns, units, focus: columns[want] ? want : (Object.keys(columns)[0] ?? null), result: r });
  }

  async function runShift(runId: string, referenceDatasetId: string, targetDatasetId: string, elementMap?: Record<string, string>) {
    const r = await guard('shift', () => api.call('uncertainty.shift', { runId, referenceDatasetId, targetDatasetId, elementMap, bins: 24 }));
    if (r) shift.value = markRaw(r);
  }

  async function runLandscape(runId: string, datasetId: string, opts: { grid2d: number; maxFrames: number; directions: 'random' | 'pca' }) {
    const r = await guard('landscape', () => api.call('uncertainty.landscape', { runId, datasetId, grid2d: opts.grid2d, grid1d: 2 * opts.grid2d + 1, maxFrames: opts.maxFrames, directions: opts.directions }));
    if (r) landscape.value = markRaw(r);
  }

  return { overlay, shift, landscape, busy, message, colourAtoms, runShift, runLandscape };
});
