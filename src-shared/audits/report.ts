// What every audit returns: a plain JSON-able object (numbers, strings, arrays, null; no typed
// arrays) whose keys are snake_case and carry their units (`force_error_ev_per_a`), so the same
// object is printed by the CLI's --json, sent to the UI and written to files unchanged. Each report
// has a verdict ('pass' or 'flag'), the thresholds it was judged against (units in the names) and a
// list of human-readable reasons for every flag. A flag is a warning to look closer, not a proof
// that the calculator is wrong (and a pass is only as good as the structures given).
import type { AtomicSystem, Calculator } from '../calculators/calculator';

export type AuditKind = 'symmetry' | 'extensivity' | 'conservation' | 'elastic' | 'errors';
export type Verdict = 'pass' | 'flag';

export interface AuditReportBase {
  audit: AuditKind;
  /** The calculator's name. */
  calculator: string;
  verdict: Verdict;
  /** Thresholds used for the verdict; units in the keys. */
  thresholds: Record<string, number>;
  /** Why the verdict is 'flag' (empty on a pass). Notes that are not flags go to `notes`. */
  flags: string[];
  notes: string[];
}

/** Options shared by the audits: progress and cancellation (long jobs, GUIDE §3.7). */
export interface AuditRunOptions {
  /** Called after each unit of work with (done, total). */
  onProgress?: (done: number, total: number) => void;
  signal?: { readonly aborted: boolean };
}

export class AuditAborted extends Error {
  constructor() {
    super('audit cancelled');
  }
}

export function checkAborted(signal?: { readonly aborted: boolean }): void {
  if (signal?.aborted) throw new AuditAborted();
}

/** Energy with fresh calculator state (neighbour lists rebuilt), eV. */
export function freshEnergy(calc: Calculator, sys: AtomicSystem): number {
  calc.reset?.();
  return calc.compute(sys, {}).energyEv;
}

/** Largest of the given numbers, ignoring null; null when all are null. NaN is the worst. */
export function maxOrNull(values: readonly (number | null)[]): number | null {
  let m: number | null = null;
  for (const v of values) {
    if (v === null) continue;
    if (Number.isNaN(v)) return NaN;
    if (m === null || v > m) m = v;
  }
  return m;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** Human-readable number for flag messages. */
export function fmt(x: number | null): string {
  if (x === null) return 'n/a';
  if (x === 0 || !Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? String(Number(x.toPrecision(4))) : x.toExponential(3);
}
