// Loading a trained model from its run folder as a Calculator (for calc, md, relax, audits).
// Two engines: 'fast' = the float64 inference path (src-shared/ml/inference: WebAssembly SIMD or
// TypeScript kernels, Verlet list kept between calls; what MD wants), 'graph' = the tfjs training
// graph in float32 (the reference the fast path is tested against). A model the fast path cannot
// run falls back to the graph, and `onNote` says why.
import { loadModel } from '../../src-shared/ml/models/registry';
import { modelCalculator } from '../../src-shared/ml/models/calculator';
import type { Calculator } from '../../src-shared/calculators/calculator';
import { loadModelFiles } from './runFolder';
import { tfNode } from './tfNode';
import type { SavedModel } from '../../src-shared/ml/models/serialization';
import type { BaselineSpec } from '../../src-shared/ml/data/delta';
import { withBaseline } from './baseline';
import { FAST_MODEL_TYPES, fastModelCalculator, type FastModelCalculator } from '../../src-shared/ml/inference/index';

export async function modelFromSaved(saved: SavedModel) {
  const { tf } = await tfNode();
  return loadModel(tf, saved);
}

/** The saved model's Δ-learning baseline, if it was trained as a correction. */
export function baselineOf(saved: SavedModel): BaselineSpec | undefined {
  return saved.metadata?.baseline as BaselineSpec | undefined;
}

import { MODEL_ENGINES, parseModelSpec, type ModelEngine } from './modelSpec';
export { MODEL_ENGINES, parseModelSpec, type ModelEngine };

export interface ModelCalculatorOptions {
  /** 'graph' (default here, the tfjs training graph) or 'fast' (float64 inference path). */
  engine?: ModelEngine;
  /** Told when 'fast' was asked for and the graph runs instead (and why). */
  onNote?: (message: string) => void;
}

/** `calc` under another name (the fast calculators' own names say only the kernel). */
function renamed(calc: FastModelCalculator, name: string): Calculator {
  return {
    name,
    implementedProperties: calc.implementedProperties,
    cutoffA: calc.cutoffA,
    compute: (sys, req, out) => calc.compute(sys, req, out),
    reset: () => calc.reset(),
  };
}

/** A trained model as a calculator: baseline + correction for Δ-models. */
export async function modelCalculatorFromSaved(saved: SavedModel, name: string, opts: ModelCalculatorOptions = {}): Promise<Calculator> {
  const baseline = baselineOf(saved);
  if (opts.engine === 'fast') {
    let why: string;
    try {
      const fast = fastModelCalculator(saved);
      if (fast) return withBaseline(renamed(fast, `${saved.type} model (${name}), float64 ${fast.kernel}`), baseline);
      why = `model type "${saved.type}" has no fast inference path (fast types: ${FAST_MODEL_TYPES.join(', ')})`;
    } catch (e) {
      why = `the fast inference path failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    opts.onNote?.(`${name}: ${why}; using the tfjs graph (float32) instead`);
  }
  const model = await modelFromSaved(saved);
  return withBaseline(modelCalculator(model, `${saved.type} model (${name})${opts.engine === 'fast' ? ', tfjs graph (fast path unavailable)' : ', tfjs graph'}`), baseline);
}

export async function modelCalculatorFromDir(runDir: string, opts: ModelCalculatorOptions = {}): Promise<Calculator> {
  return modelCalculatorFromSaved(loadModelFiles(runDir), runDir, opts);
}

