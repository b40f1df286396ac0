// An MD job: the loop the UI's worker and the CLI both run. It draws Maxwell-Boltzmann velocities,
// steps an integrator from the registry, reports thermo rows and frames at strides, checks for
// blow-ups (non-finite energy, runaway temperature), honours pause/stop between batches, and yields
// to the host between batches so control messages get through. Pure core: files and messages are
// the host's business (hooks).
import { massAmu } from '../atoms/elements';
import type { Calculator } from '../calculators/calculator';
import { createRng } from '../space/rng';
import { integratorSpec, type IntegratorId } from './integrators';
import { maxwellBoltzmannVelocities } from './maxwellBoltzmann';
import { pressureGpa, temperatureK } from './observables';
import type { MdState, MdSystem } from './state';

export interface MdJobConfig {
  integrator: IntegratorId;
  /** Integrator parameters (dtFs, temperatureK, frictionPerFs, tauFs, pressureGpa, ...). */
  params: Record<string, number>;
  steps: number;
  seed: number;
  /** Temperature of the initial Maxwell-Boltzmann velocities, K (default: params.temperatureK, else 0). */
  initialTemperatureK?: number;
  /** Thermo row every this many steps (default 10). */
  thermoStride?: number;
  /** Trajectory frame every this many steps (default 100). */
  frameStride?: number;
  /** Stop when T exceeds this many times max(initial, target) + 1000 K (default 20). */
  runawayFactor?: number;
}

export interface ThermoSample {
  step: number;
  timeFs: number;
  epotEv: number;
  ekinEv: number;
  etotEv: number;
  temperatureK: number;
  /** NaN when the calculator gives no stress or the system has no cell. */
  pressureGpa: number;
  conservedEv: number;
}

export interface MdJobHooks {
  onThermo(row: ThermoSample): void;
  onFrame(state: MdState): void;
  /** Progress after each batch. */
  onProgress?(p: { step: number; steps: number; atomStepsPerS: number; etaS: number | null }): void;
  /** Between batches: give the host a chance to process messages (await setImmediate). */
  yieldToHost?(): Promise<void>;
  /** Resolves when the job may continue; called between batches. */
  waitWhilePaused?(): Promise<void>;
  shouldStop?(): boolean;
}

export type MdJobOutcome =
  | { status: 'finished'; steps: number }
  | { status: 'stopped'; steps: number }
  | { status: 'failed'; steps: number; message: string };

/** Validate a configuration before any work starts; returns the messages of what is wrong. */
export function validateMdConfig(c: MdJobConfig, nAtoms: number): string[] {
  const errs: string[] = [];
  let spec;
  try {
    spec = integratorSpec(c.integrator);
  } catch (e) {
    return [(e as Error).message];
  }
  for (const p of spec.params) {
    const v = c.params[p.key] ?? p.default;
    if (!Number.isFinite(v)) errs.push(`${p.label} (${p.key}) must be a number, got ${v}`);
    else if (p.min !== undefined && v < p.min) errs.push(`${p.label} (${p.key}) must be >= ${p.min} ${p.unit}, got ${v}`);
  }
  const dt = c.params.dtFs ?? 1;
  if (!(dt > 0)) errs.push(`time step must be > 0 fs, got ${dt}`);
  else if (dt > 20) errs.push(`time step ${dt} fs is far too large for atomistic MD (typical: 0.5-5 fs)`);
  if (!Number.isInteger(c.steps) || c.steps < 1) errs.push(`steps must be a positive integer, got ${c.steps}`);
  else if (c.steps > 1e8) errs.push(`steps = ${c.steps} is more than 1e8; split the run`);
  if (!Number.isInteger(c.seed)) errs.push(`seed must be an integer, got ${c.seed}`);
  for (const k of ['thermoStride', 'frameStride'] as const) {
    const v = c[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) errs.push(`${k} must be a positive integer, got ${v}`);
  }
  if (c.initialTemperatureK !== undefined && !(c.initialTemperatureK >= 0)) errs.push(`initial temperature must be >= 0 K, got ${c.initialTemperatureK}`);
  if (nAtoms < 1) errs.push('the structure has no atoms');
  return errs;
}

export function thermoSample(s: MdState): ThermoSample {
  return {
    step: s.step,
    timeFs: s.timeFs,
    epotEv: s.potentialEnergyEv,
    ekinEv: s.kineticEnergyEv,
    etotEv: s.potentialEnergyEv + s.kineticEnergyEv,
    temperatureK: temperatureK(s),
    pressureGpa: s.stressEvPerA3 && s.cellA ? pressureGpa(s) : NaN,
    conservedEv: s.conservedEnergyEv,
  };
}

/** Set up the state: masses, Maxwell-Boltzmann velocities (seeded), forces. */
export function initMdState(calc: Calculator, system: MdSystem, config: MdJobConfig) {
  const spec = integratorSpec(config.integrator);
  const rng = createRng(config.seed);
  const n = system.numbers.length;
  const masses = system.massesAmu ?? Float64Array.from(system.numbers, (z) => massAmu(z));
  const t0 = config.initialTemperatureK ?? config.params.temperatureK ?? 0;
  const velocities = system.velocitiesAPerFs ?? (t0 > 0 ? maxwellBoltzmannVelocities(masses, t0, rng, { zeroMomentum: true }) : new Float64Array(3 * n));
  const withStress = !!system.cellA && system.pbc.every(Boolean) && calc.implementedProperties.includes('stress');
  const params = { ...config.params };
  const integrator = spec.create(calc, params, spec.stochastic ? rng : undefined, { computeStress: withStress });
  const state = integrator.init({ ...system, massesAmu: masses, velocitiesAPerFs: velocities });
  return { integrator, state, initialTemperatureK: t0 };
}

/** Run the job to the end, to a stop request, or to a failure. Never throws. */
export async function runMdJob(calc: Calculator, system: MdSystem, config: MdJobConfig, hooks: MdJobHooks): Promise<MdJobOutcome> {
  let steps = 0;
  try {
    const errs = validateMdConfig(config, system.numbers.length);
    if (errs.length) return { status: 'failed', steps: 0, message: errs.join('; ') };
    const { integrator, state, initialTemperatureK } = initMdState(calc, system, config);
    const thermoStride = config.thermoStride ?? 10;
    const frameStride = config.frameStride ?? 100;
    const n = system.numbers.length;
    const targetT = config.params.temperatureK ?? 0;
    const runawayK = (config.runawayFactor ?? 20) * Math.max(initialTemperatureK, targetT) + 1000;
    hooks.onThermo(thermoSample(state));
    hooks.onFrame(state);
    const t0 = Date.now();
    // Batches of about 50 ms of work keep control messages responsive.
    let batch = Math.max(1, Math.min(100, Math.floor(20000 / Math.max(1, n))));
    while (steps < config.steps) {
      if (hooks.shouldStop?.()) return { status: 'stopped', steps };
      if (hooks.waitWhilePaused) await hooks.waitWhilePaused();
      if (hooks.shouldStop?.()) return { status: 'stopped', steps };
      const tb = Date.now();
      const end = Math.min(config.steps, steps + batch);
      for (; steps < end; steps++) {
        integrator.step(state);
        const step = state.step;
        if (!Number.isFinite(state.potentialEnergyEv) || !Number.isFinite(state.kineticEnergyEv)) {
          return { status: 'failed', steps, message: `MD blew up at step ${step} (t = ${state.timeFs.toFixed(2)} fs): the energy is not finite. Reduce the time step or check the structure for overlapping atoms.` };
        }
        if (step % thermoStride === 0) {
          const row = thermoSample(state);
          hooks.onThermo(row);
          if (row.temperatureK > runawayK) {
            return { status: 'failed', steps: steps + 1, message: `stopped at step ${step}: the temperature ran away to ${row.temperatureK.toExponential(3)} K (limit ${runawayK.toFixed(0)} K). Reduce the time step, or check the potential covers this structure.` };
          }
        }
        if (step % frameStride === 0) hooks.onFrame(state);
      }
      const el = (Date.now() - t0) / 1000;
      const rate = (steps * n) / Math.max(el, 1e-6);
      hooks.onProgress?.({ step: steps, steps: config.steps, atomStepsPerS: rate, etaS: steps > 0 ? ((config.steps - steps) * n) / rate : null });
      const ms = Date.now() - tb;
      if (ms < 25) batch = Math.min(batch * 2, 100000);
      else if (ms > 100) batch = Math.max(1, Math.floor(batch / 2));
      if (hooks.yieldToHost) await hooks.yieldToHost();
    }
    // The final state is always recorded, whatever the strides.
    if (state.step % thermoStride !== 0) hooks.onThermo(thermoSample(state));
    if (state.step % frameStride !== 0) hooks.onFrame(state);
    return { status: 'finished', steps };
  } catch (e) {
    return { status: 'failed', steps, message: e instanceof Error ? e.message : String(e) };
  }
}
