// Dataset filters: keep the frames of some groups (config_type, as in extxyz/MACE/nequip datasets;
// see atoms/summary.ts configTypeOf), that contain or avoid elements, whose energy per atom or
// largest per-atom force lies in a range. A frame lacking the label a range is about cannot be
// judged: it is kept unless `dropUnlabelled` (the result counts such frames either way), because
// missing labels are masked in training, never a reason to discard structures silently.
import type { Frame } from '../atoms/frame';
import { configTypeOf } from '../atoms/summary';

export interface FrameFilter {
  /** Keep only frames whose config_type is one of these. */
  groups?: string[];
  /** Drop frames whose config_type is one of these. */
  excludeGroups?: string[];
  /** Keep only frames containing every one of these elements. */
  requireElements?: string[];
  /** Keep only frames made of these elements alone. */
  onlyElements?: string[];
  /** Drop frames containing any of these elements. */
  excludeElements?: string[];
  /** Energy per atom range, eV/atom (inclusive). */
  energyPerAtomEv?: { min?: number; max?: number };
  /** Range of the largest per-atom force magnitude, eV/Å (inclusive). */
  maxForceEvPerA?: { min?: number; max?: number };
  /** Drop frames without the energy / forces that a range refers to (default: keep them). */
  dropUnlabelled?: boolean;
}

export interface FilterResult {
  /** Indices of the frames kept, in order. */
  kept: number[];
  /** Frames removed, by the first reason that removed them. */
  removed: Record<string, number>;
  /** Frames kept although a range could not be checked (label missing). */
  keptUnlabelled: number;
}

/** Largest |F_i| over the atoms, eV/Å. */
export function maxForceNormEvPerA(forcesEvPerA: Float64Array): number {
  let m = 0;
  for (let i = 0; i < forcesEvPerA.length; i += 3) {
    const f = Math.hypot(forcesEvPerA[i], forcesEvPerA[i + 1], forcesEvPerA[i + 2]);
    if (f > m) m = f;
  }
  return m;
}

function inRange(x: number, r: { min?: number; max?: number }): boolean {
  return (r.min === undefined || x >= r.min) && (r.max === undefined || x <= r.max);
}

/** Which frames pass the filter, and why the others did not. */
export function filterFrames(frames: readonly Frame[], filter: FrameFilter): FilterResult {
  const kept: number[] = [];
  const removed: Record<string, number> = {};
  let keptUnlabelled = 0;
  const drop = (reason: string) => {
    removed[reason] = (removed[reason] ?? 0) + 1;
  };
  frames.forEach((f, i) => {
    const ct = configTypeOf(f);
    if (filter.groups && !(ct !== null && filter.groups.includes(ct))) return drop('group not selected');
    if (filter.excludeGroups && ct !== null && filter.excludeGroups.includes(ct)) return drop('group excluded');
    const present = new Set(f.symbols);
    if (filter.requireElements && !filter.requireElements.every((e) => present.has(e))) return drop('required element missing');
    if (filter.onlyElements && [...present].some((e) => !filter.onlyElements!.includes(e))) return drop('element outside the allowed set');
    if (filter.excludeElements && filter.excludeElements.some((e) => present.has(e))) return drop('excluded element present');
    let unlabelled = false;
    if (filter.energyPerAtomEv) {
      if (f.energyEv === undefined) {
        if (filter.dropUnlabelled) return drop('no energy');
        unlabelled = true;
      } else if (!inRange(f.energyEv / f.symbols.length, filter.energyPerAtomEv)) return drop('energy per atom out of range');
    }
    if (filter.maxForceEvPerA) {
      if (!f.forcesEvPerA) {
        if (filter.dropUnlabelled) return drop('no forces');
        unlabelled = true;
      } else if (!inRange(maxForceNormEvPerA(f.forcesEvPerA), filter.maxForceEvPerA)) return drop('max force out of range');
    }
    if (unlabelled) keptUnlabelled++;
    kept.push(i);
  });
  return { kept, removed, keptUnlabelled };
}
