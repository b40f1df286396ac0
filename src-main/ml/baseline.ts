// Baselines for Δ-learning on the host side: parse `--baseline SPEC | data:KEY`, embed the potential
// file's text (so a saved Δ-model is self-contained), build the baseline calculator, and wrap a
// trained correction into baseline + correction for evaluation and MD.
import { join } from 'node:path';
import type { Calculator } from '../../src-shared/calculators/calculator';
import { sumCalculator } from '../../src-shared/calculators/calculator';
import type { BaselineSpec } from '../../src-shared/ml/data/delta';
import { calculatorFromSpec } from '../../src-shared/potentials/registry';
import { RESOURCES_DIR } from '../node/paths';
import { resolvePotential } from '../node/potentialFiles';

export function parseBaselineArg(arg: string, allowPath: (p: string) => boolean = () => true): BaselineSpec | { error: string } {
  const a = arg.trim();
  if (a.startsWith('data:')) {
    const key = a.slice(5).trim();
    if (!key) return { error: '--baseline data:KEY needs the info key holding the baseline energy, e.g. data:energy_baseline' };
    // Forces and stress by convention: forces_baseline / stress_baseline, or KEY with energy->forces.
    const forcesKey = key.includes('energy') ? key.replace('energy', 'forces') : undefined;
    const stressKey = key.includes('energy') ? key.replace('energy', 'stress') : undefined;
    return { kind: 'data', energyKey: key, forcesKey, stressKey };
  }
  const r = resolvePotential({ spec: a }, { bundledDir: join(RESOURCES_DIR, 'potentials'), allowPath });
  if ('error' in r) return { error: `--baseline: ${r.error}` };
  return { kind: 'potential', spec: r.spec, fileText: r.fileText };
}

export function baselineCalculator(b: BaselineSpec): Calculator | null {
  if (b.kind !== 'potential') return null;
  const r = calculatorFromSpec(b.spec, b.fileText);
  if ('error' in r) throw new Error(`baseline ${b.spec}: ${r.error}`);
  return r.calculator;
}

/** baseline + correction as one calculator; refuses data baselines (they exist only on dataset frames). */
export function withBaseline(correction: Calculator, baseline: BaselineSpec | undefined): Calculator {
  if (!baseline) return correction;
  if (baseline.kind === 'data') {
    throw new Error(
      `this Δ-model corrects a baseline stored in the data (${baseline.energyKey}); it can be evaluated on frames carrying that key (eval), but not on new structures (MD, relax). Train with a potential baseline for that.`,
    );
  }
  const base = baselineCalculator(baseline)!;
  return sumCalculator([base, correction], `${base.name} + Δ ${correction.name}`);
}
