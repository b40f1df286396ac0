// Per-element and per-group error breakdown of any calculator against a labelled dataset: where
// does a model (or a classical potential) fail? A low overall error can hide one element the
// descriptors cannot describe, or one kind of structure (surfaces, liquid, defects) that the
// training set lacked.
//
// Metrics (MAE = mean absolute error, RMSE = root mean square), labels masked per frame (a frame
// without forces contributes no force error, never a zero):
//   energy   |E_pred - E_ref| / N per frame, meV/atom (after the optional per-element shift);
//   forces   over Cartesian components |F_pred - F_ref|, eV/Å (per element: that element's atoms);
//   stress   over the 6 Voigt components, GPa (frames with a stress label, periodic).
// Per element, energies are the frames containing that element (an energy cannot be split into
// atoms without a model of how); forces are exactly per element.
// Groups are the values of an info key (default `config_type`, extxyz convention), "(none)" when
// absent.
//
// Energy references: a classical potential and a DFT dataset differ by per-element constants
// (isolated-atom energies, GUIDE §6.3). With energyShift 'per_element', the constants μ_Z that
// minimise Σ_frames (E_ref - E_pred - Σ_Z n_Z μ_Z)² are fitted (least squares, tiny ridge for
// collinear compositions) and removed before the energy errors; they are reported.
//
// Flag rule (documented thresholds): an element or group is "systematically failing" when its
// metric exceeds ratioToMedian × the median of the OTHER elements/groups (leave-one-out, so that
// with two elements one is compared with the other) and is above an absolute floor (so that tiny
// errors are not flagged for being relatively larger), or when it exceeds an absolute maximum if
// one is given. Elements are judged on force MAE, groups on energy, force and stress MAE.
// Items with fewer than minSamples samples (atoms for elements, frames for groups) are not judged.
import type { Frame } from '../atoms/frame';
import type { Calculator } from '../calculators/calculator';
import { GPA_EV_PER_A3 } from '../units';
import { checkAborted, fmt, median, type AuditReportBase, type AuditRunOptions } from './report';
import { isPeriodic3, toVoigt } from './transforms';

export interface ErrorBreakdownOptions extends AuditRunOptions {
  /** info key whose value names a frame's group. Default 'config_type'. */
  groupKey?: string;
  /** Remove fitted per-element energy constants first. Default 'none'. */
  energyShift?: 'none' | 'per_element';
  /** Flag above this multiple of the others' median. Default 2. */
  ratioToMedian?: number;
  /** Never flag a force MAE below this, eV/Å. Default 0.02. */
  forceMaeFloorEvPerA?: number;
  /** Never flag an energy MAE below this, meV/atom. Default 2. */
  energyMaeFloorMevPerAtom?: number;
  /** Never flag a stress MAE below this, GPa. Default 0.1. */
  stressMaeFloorGpa?: number;
  /** Always flag a force MAE above this, eV/Å (optional). */
  forceMaeMaxEvPerA?: number;
  /** Always flag an energy MAE above this, meV/atom (optional). */
  energyMaeMaxMevPerAtom?: number;
  /** Minimum samples to judge an item (atoms for elements, frames for groups). Default 3. */
  minSamples?: number;
  /** How many worst frames to list. Default 10. */
  worstFrames?: number;
}

export interface ErrorStats {
  frames: number;
  atoms: number;
  energy_mae_mev_per_atom: number | null;
  energy_rmse_mev_per_atom: number | null;
  force_mae_ev_per_a: number | null;
  force_rmse_ev_per_a: number | null;
  stress_mae_gpa: number | null;
  stress_rmse_gpa: number | null;
}

export interface ElementErrors extends ErrorStats {
  element: string;
  flagged: boolean;
  reasons: string[];
}

export interface GroupErrors extends ErrorStats {
  group: string;
  flagged: boolean;
  reasons: string[];
}

export interface FrameError {
  index: number;
  group: string;
  atoms: number;
  energy_error_mev_per_atom: number | null;
  force_mae_ev_per_a: number | null;
  stress_mae_gpa: number | null;
}

export interface ErrorBreakdownReport extends AuditReportBase {
  audit: 'errors';
  group_key: string;
  frames: number;
  frames_with_energy: number;
  frames_with_forces: number;
  frames_with_stress: number;
  energy_shift: 'none' | 'per_element';
  /** μ_Z in eV per atom of element Z, removed from the errors (energy_shift 'per_element'). */
  energy_shift_ev_per_atom: Record<string, number> | null;
  overall: ErrorStats;
  elements: ElementErrors[];
  groups: GroupErrors[];
  /** Frames with the largest energy error per atom (or force MAE when there are no energies). */
  worst_frames: FrameError[];
  /** Signed energy error (pred - ref) per frame, for parity plots and histograms; null = no label. */
  per_frame: FrameError[];
}

/** Running sums for MAE / RMSE. */
class Acc {
  n = 0;
  abs = 0;
  sq = 0;
  add(e: number): void {
    this.n++;
    this.abs += Math.abs(e);
    this.sq += e * e;
  }
  mae(): number | null {
    return this.n ? this.abs / this.n : null;
  }
  rmse(): number | null {
    return this.n ? Math.sqrt(this.sq / this.n) : null;
  }
}

class StatsAcc {
  frames = new Set<number>();
  atoms = 0;
  energy = new Acc();
  forces = new Acc();
  stress = new Acc();
  stats(): ErrorStats {
    return {
      frames: this.frames.size,
      atoms: this.atoms,
      energy_mae_mev_per_atom: this.energy.mae(),
      energy_rmse_mev_per_atom: this.energy.rmse(),
      force_mae_ev_per_a: this.forces.mae(),
      force_rmse_ev_per_a: this.forces.rmse(),
      stress_mae_gpa: this.stress.mae(),
      stress_rmse_gpa: this.stress.rmse(),
    };
  }
}

/** Least-squares per-element constants: min Σ_f (r_f - Σ_Z n_fZ μ_Z)², tiny ridge. */
export function fitPerElementShift(compositions: Map<string, number>[], residualsEv: number[]): Record<string, number> {
  const els = [...new Set(compositions.flatMap((c) => [...c.keys()]))].sort();
  const m = els.length;
  const A = Array.from({ length: m }, () => new Array<number>(m + 1).fill(0));
  compositions.forEach((c, f) => {
    const row = els.map((e) => c.get(e) ?? 0);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) A[i][j] += row[i] * row[j];
      A[i][m] += row[i] * residualsEv[f];
    }
  });
  const tr = A.reduce((s, r, i) => s + r[i], 0);
  for (let i = 0; i < m; i++) A[i][i] += 1e-10 * (tr / Math.max(1, m)) + 1e-300;
  // Gaussian elimination with partial pivoting on the (positive semi-definite + ridge) system
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    [A[c], A[p]] = [A[p], A[c]];
    for (let r = c + 1; r < m; r++) {
      const f = A[r][c] / A[c][c];
      for (let k = c; k <= m; k++) A[r][k] -= f * A[c][k];
    }
  }
  const mu = new Array<number>(m).fill(0);
  for (let i = m - 1; i >= 0; i--) {
    let s = A[i][m];
    for (let k = i + 1; k < m; k++) s -= A[i][k] * mu[k];
    mu[i] = s / A[i][i];
  }
  return Object.fromEntries(els.map((e, i) => [e, mu[i]]));
}

/** The error breakdown of `calc` on labelled frames. */
export function errorBreakdown(calc: Calculator, frames: readonly Frame[], options: ErrorBreakdownOptions = {}): ErrorBreakdownReport {
  if (frames.length === 0) throw new Error('error breakdown: no frames given');
  const groupKey = options.groupKey ?? 'config_type';
  const shiftMode = options.energyShift ?? 'none';
  const th: Record<string, number> = {
    ratio_to_median: options.ratioToMedian ?? 2,
    force_mae_floor_ev_per_a: options.forceMaeFloorEvPerA ?? 0.02,
    energy_mae_floor_mev_per_atom: options.energyMaeFloorMevPerAtom ?? 2,
    stress_mae_floor_gpa: options.stressMaeFloorGpa ?? 0.1,
    min_samples: options.minSamples ?? 3,
  };
  if (options.forceMaeMaxEvPerA !== undefined) th.force_mae_max_ev_per_a = options.forceMaeMaxEvPerA;
  if (options.energyMaeMaxMevPerAtom !== undefined) th.energy_mae_max_mev_per_atom = options.energyMaeMaxMevPerAtom;
  const labelled = frames.filter((f) => (f.energyEv !== undefined && Number.isFinite(f.energyEv)) || f.forcesEvPerA).length;
  if (labelled === 0) throw new Error('error breakdown: no frame has an energy or force label, so there is nothing to compare (check the label keys: energy=, REF_energy, forces, ...)');
  const hasForces = calc.implementedProperties.includes('forces');
  const hasStress = calc.implementedProperties.includes('stress');

  // 1. predictions
  const preds = frames.map((f, index) => {
    checkAborted(options.signal);
    const wantF = hasForces && !!f.forcesEvPerA;
    const wantS = hasStress && !!f.stressEvPerA3 && isPeriodic3(f);
    calc.reset?.();
    const r = calc.compute(f, { forces: wantF, stress: wantS });
    options.onProgress?.(index + 1, frames.length);
    return { energyEv: r.energyEv, forces: wantF ? r.forcesEvPerA!.slice() : null, stress: wantS ? r.stressEvPerA3!.slice() : null };
  });
  const groupOf = (f: Frame) => (f.info[groupKey] === undefined ? '(none)' : String(f.info[groupKey]));
  const composition = (f: Frame) => {
    const c = new Map<string, number>();
    for (const s of f.symbols) c.set(s, (c.get(s) ?? 0) + 1);
    return c;
  };

  // 2. optional per-element energy constants
  let shift: Record<string, number> | null = null;
  const withE = frames.map((f, i) => ({ f, i })).filter(({ f }) => f.energyEv !== undefined && Number.isFinite(f.energyEv));
  if (shiftMode === 'per_element' && withE.length) {
    shift = fitPerElementShift(withE.map(({ f }) => composition(f)), withE.map(({ f, i }) => f.energyEv! - preds[i].energyEv));
  }

  // 3. accumulate
  const overall = new StatsAcc();
  const byEl = new Map<string, StatsAcc>();
  const byGroup = new Map<string, StatsAcc>();
  const perFrame: FrameError[] = [];
  frames.forEach((f, i) => {
    const p = preds[i];
    const n = f.symbols.length;
    const g = groupOf(f);
    const gAcc = byGroup.get(g) ?? byGroup.set(g, new StatsAcc()).get(g)!;
    const comp = composition(f);
    const elAccs = [...comp.keys()].map((e) => byEl.get(e) ?? byEl.set(e, new StatsAcc()).get(e)!);
    for (const a of [overall, gAcc, ...elAccs]) a.frames.add(i);
    overall.atoms += n;
    gAcc.atoms += n;
    for (const [e, c] of comp) byEl.get(e)!.atoms += c;
    const rec: FrameError = { index: i, group: g, atoms: n, energy_error_mev_per_atom: null, force_mae_ev_per_a: null, stress_mae_gpa: null };
    if (f.energyEv !== undefined && Number.isFinite(f.energyEv)) {
      let pred = p.energyEv;
      if (shift) for (const [e, c] of comp) pred += c * shift[e];
      const err = (1000 * (pred - f.energyEv)) / n;
      rec.energy_error_mev_per_atom = err;
      for (const a of [overall, gAcc, ...elAccs]) a.energy.add(err);
    }
    if (p.forces && f.forcesEvPerA) {
      const fa = new Acc();
      for (let a = 0; a < n; a++) {
        const el = byEl.get(f.symbols[a])!;
        for (let q = 0; q < 3; q++) {
          const d = p.forces[3 * a + q] - f.forcesEvPerA[3 * a + q];
          fa.add(d);
          overall.forces.add(d);
          gAcc.forces.add(d);
          el.forces.add(d);
        }
      }
      rec.force_mae_ev_per_a = fa.mae();
    }
    if (p.stress && f.stressEvPerA3) {
      const ours = toVoigt(p.stress), ref = toVoigt(f.stressEvPerA3);
      const sa = new Acc();
      for (let k = 0; k < 6; k++) {
        const d = (ours[k] - ref[k]) / GPA_EV_PER_A3;
        sa.add(d);
        overall.stress.add(d);
        gAcc.stress.add(d);
        for (const el of elAccs) el.stress.add(d);
      }
      rec.stress_mae_gpa = sa.mae();
    }
    perFrame.push(rec);
  });

  // 4. flags (leave-one-out median rule)
  const flags: string[] = [];
  const notes: string[] = [];
  type Item = { name: string; stats: ErrorStats; samples: number; flagged: boolean; reasons: string[] };
  const judge = (items: Item[], what: string, metrics: [keyof ErrorStats, string, number, number | undefined][]) => {
    for (const [key, unit, floor, max] of metrics) {
      const judged = items.filter((it) => it.samples >= th.min_samples && it.stats[key] !== null);
      for (const it of judged) {
        const v = it.stats[key] as number;
        const others = judged.filter((o) => o !== it).map((o) => o.stats[key] as number);
        const med = others.length ? median(others) : null;
        let reason: string | null = null;
        if (max !== undefined && v > max) reason = `${key} = ${fmt(v)} ${unit} above the maximum ${fmt(max)}`;
        else if (med !== null && v > th.ratio_to_median * med && v > floor) {
          reason = `${key} = ${fmt(v)} ${unit} is ${fmt(med > 0 ? v / med : Infinity)}x the median of the other ${what}s (${fmt(med)})`;
        }
        if (reason) {
          it.flagged = true;
          it.reasons.push(reason);
          flags.push(`${what} ${it.name}: ${reason}`);
        }
      }
    }
  };
  const elItems: Item[] = [...byEl.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, a]) => ({ name, stats: a.stats(), samples: a.atoms, flagged: false, reasons: [] }));
  const grItems: Item[] = [...byGroup.entries()].map(([name, a]) => ({ name, stats: a.stats(), samples: a.frames.size, flagged: false, reasons: [] }));
  judge(elItems, 'element', [['force_mae_ev_per_a', 'eV/Å', th.force_mae_floor_ev_per_a, options.forceMaeMaxEvPerA]]);
  judge(grItems, 'group', [
    ['energy_mae_mev_per_atom', 'meV/atom', th.energy_mae_floor_mev_per_atom, options.energyMaeMaxMevPerAtom],
    ['force_mae_ev_per_a', 'eV/Å', th.force_mae_floor_ev_per_a, options.forceMaeMaxEvPerA],
    ['stress_mae_gpa', 'GPa', th.stress_mae_floor_gpa, undefined],
  ]);
  const counts = { e: withE.length, f: frames.filter((f) => f.forcesEvPerA).length, s: frames.filter((f) => f.stressEvPerA3).length };
  if (elItems.length < 2) notes.push('one element only: the per-element comparison has nothing to compare with');
  if (grItems.length < 2) notes.push(`one group only (info key "${groupKey}"): the per-group comparison has nothing to compare with`);
  const worstKey = (r: FrameError) => (r.energy_error_mev_per_atom !== null ? Math.abs(r.energy_error_mev_per_atom) : (r.force_mae_ev_per_a ?? -1));
  const worst = perFrame.slice().sort((a, b) => worstKey(b) - worstKey(a)).slice(0, options.worstFrames ?? 10);
  return {
    audit: 'errors',
    calculator: calc.name,
    verdict: flags.length ? 'flag' : 'pass',
    thresholds: th,
    flags,
    notes,
    group_key: groupKey,
    frames: frames.length,
    frames_with_energy: counts.e,
    frames_with_forces: counts.f,
    frames_with_stress: counts.s,
    energy_shift: shiftMode,
    energy_shift_ev_per_atom: shift,
    overall: overall.stats(),
    elements: elItems.map((it) => ({ element: it.name, ...it.stats, flagged: it.flagged, reasons: it.reasons })),
    groups: grItems.map((it) => ({ group: it.name, ...it.stats, flagged: it.flagged, reasons: it.reasons })),
    worst_frames: worst,
    per_frame: perFrame,
  };
}
