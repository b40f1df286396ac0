// Driving an integrator: a step loop with observers called every `interval` steps (ASE
// ase/md/md.py MolecularDynamics.attach(fn, interval)), cooperative cancellation, and a guard that
// stops with a clear error when the dynamics blows up (non-finite energy: time step too large,
// overlapping atoms, or a calculator outside its domain) instead of streaming NaNs; errors thrown
// inside a step are re-thrown with the step number and time.
import type { Integrator, MdState } from './state';

export interface MdObserver {
  /** Call every this many steps (>= 1); also called once before the first step when `atStart`. */
  interval: number;
  fn: (state: MdState) => void;
  atStart?: boolean;
}

export interface RunMdOptions {
  observers?: MdObserver[];
  /** Checked before every step; set `aborted` to stop early (e.g. an AbortSignal). */
  signal?: { readonly aborted: boolean };
}

export interface RunMdResult {
  state: MdState;
  stepsDone: number;
  aborted: boolean;
}

/** Advance `state` by up to nSteps steps of `integrator`. */
export function runMd(integrator: Integrator, state: MdState, nSteps: number, options: RunMdOptions = {}): RunMdResult {
  const observers = options.observers ?? [];
  for (const o of observers) {
    if (!(o.interval >= 1)) throw new Error(`runMd: observer interval must be >= 1, got ${o.interval}`);
    if (o.atStart) o.fn(state);
  }
  let done = 0;
  while (done < nSteps) {
    if (options.signal?.aborted) return { state, stepsDone: done, aborted: true };
    try {
      integrator.step(state);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new Error(`MD step ${state.step + 1} (t = ${state.timeFs} fs) failed: ${msg}`, { cause: e });
    }
    done++;
    if (!Number.isFinite(state.conservedEnergyEv) || !Number.isFinite(state.potentialEnergyEv)) {
      throw new Error(
        `MD blew up at step ${state.step} (t = ${state.timeFs} fs): energy is ${state.potentialEnergyEv} eV; ` +
          'reduce the time step or check the structure for overlapping atoms',
      );
    }
    for (const o of observers) if (state.step % o.interval === 0) o.fn(state);
  }
  return { state, stepsDone: done, aborted: false };
}
