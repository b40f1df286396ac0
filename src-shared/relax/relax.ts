// Geometry (and optionally cell) relaxation driver, the loop of ASE's Optimizer.run(fmax, steps):
// evaluate, report, stop when converged, otherwise ask the optimiser for a step and take it.
// Converged when every atomic force is below fmaxEvPerA and, when the cell is relaxed, every
// relaxable component of σ + P₀I is below stressTolGpa (ASE instead folds the cell into one
// fmax via the UnitCellFilter's virial/N rows; separate, unit-carrying criteria are clearer).
import type { AtomicSystem, Calculator } from '../calculators/calculator';
import { evPerA3ToGpa } from '../units';
import { fire, type FireOptions } from './fire';
import { lbfgs, type LbfgsOptions } from './lbfgs';
import { atomsOptimizable, cellFilter, type CellFilterOptions, type Optimizable } from './optimizable';
import type { OptimizerStepper } from './stepper';

export interface RelaxOptions extends CellFilterOptions {
  /** 'fire' (default), 'lbfgs', or a stepper instance. */
  optimizer?: 'fire' | 'lbfgs' | OptimizerStepper;
  fireOptions?: FireOptions;
  lbfgsOptions?: LbfgsOptions;
  /** Force criterion, eV/Å. Default 0.05 (ASE's default). */
  fmaxEvPerA?: number;
  /** Relax the cell too (UnitCellFilter), towards pressureGpa. Default false. */
  relaxCell?: boolean;
  /** Stress criterion for the cell, GPa. Default 0.01 GPa. */
  stressTolGpa?: number;
  /** Step limit. Default 1000. */
  maxSteps?: number;
  /** Called after every evaluation (step 0 is the starting structure). */
  onStep?: (s: RelaxStep) => void;
  signal?: { readonly aborted: boolean };
}

export interface RelaxStep {
  step: number;
  energyEv: number;
  /** E + P₀V when relaxing the cell, else E. */
  enthalpyEv: number;
  fmaxEvPerA: number;
  /** Largest residual stress component |σ + P₀I|, GPa (0 without the cell). */
  maxStressGpa: number;
}

export interface RelaxResult {
  converged: boolean;
  aborted: boolean;
  /** Optimiser steps taken. */
  steps: number;
  /** The relaxed structure (a copy; the input is never modified). */
  system: AtomicSystem;
  energyEv: number;
  enthalpyEv: number;
  fmaxEvPerA: number;
  maxStressGpa: number;
  /** [9] eV/Å³ at the final structure when the cell was relaxed, else null. */
  stressEvPerA3: Float64Array | null;
  history: RelaxStep[];
}

function makeStepper(o: RelaxOptions): OptimizerStepper {
  const opt = o.optimizer ?? 'fire';
  if (opt === 'fire') return fire(o.fireOptions);
  if (opt === 'lbfgs') return lbfgs(o.lbfgsOptions);
  return opt;
}

/** Relax `system` with `calc`. */
export function relax(calc: Calculator, system: AtomicSystem, options: RelaxOptions = {}): RelaxResult {
  const fmax = options.fmaxEvPerA ?? 0.05;
  const stressTol = options.stressTolGpa ?? 0.01;
  const maxSteps = options.maxSteps ?? 1000;
  const target: Optimizable = options.relaxCell ? cellFilter(calc, system, options) : atomsOptimizable(calc, system);
  const stepper = makeStepper(options);
  stepper.reset();
  const x = new Float64Array(target.size);
  const f = new Float64Array(target.size);
  const dx = new Float64Array(target.size);
  const history: RelaxStep[] = [];
  target.getX(x);
  let step = 0;
  let converged = false;
  let aborted = false;
  let last: RelaxStep;
  for (;;) {
    const ev = target.evaluate(f);
    if (!Number.isFinite(ev.energyEv)) throw new Error(`relax: energy is ${ev.energyEv} at step ${step}`);
    last = {
      step,
      energyEv: ev.energyEv,
      enthalpyEv: ev.objectiveEv,
      fmaxEvPerA: ev.fmaxEvPerA,
      maxStressGpa: evPerA3ToGpa(ev.maxStressEvPerA3),
    };
    history.push(last);
    options.onStep?.(last);
    converged = ev.fmaxEvPerA < fmax && (!options.relaxCell || last.maxStressGpa < stressTol);
    if (converged || step >= maxSteps) break;
    if (options.signal?.aborted) {
      aborted = true;
      break;
    }
    stepper.step(x, f, dx);
    for (let k = 0; k < x.length; k++) x[k] += dx[k];
    target.setX(x);
    step++;
  }
  return {
    converged,
    aborted,
    steps: step,
    system: target.system,
    energyEv: last.energyEv,
    enthalpyEv: last.enthalpyEv,
    fmaxEvPerA: last.fmaxEvPerA,
    maxStressGpa: last.maxStressGpa,
    stressEvPerA3: options.relaxCell && target.stressEvPerA3 ? Float64Array.from(target.stressEvPerA3) : null,
    history,
  };
}
