// Fast float64 Calculator for the symmetry-function models (bpnn, linear, kernel) built from a
// SavedModel, without tfjs: the MD path (issue 5). Per call
//   1. pairGeometry: Verlet half list kept between calls (cutoff + skin; the cosine cutoff makes the
//      energy smooth at rc, so the skin changes nothing but the rebuild rate), pairs r < rc;
//   2. G [N, F] from the pairs and triplets (symmetryFunctionsFast.ts or the WebAssembly kernel);
//   3. E_i = NN_{Z_i}(G_i) and dE/dG_i (atomicNetworks.ts, standardisation folded in; or the
//      kernel model's E_i(G_i), models/kernel.ts);
//   4. g_p = dE/dd_p by the reverse pass through the descriptors, then F and the virial stress
//      (pairGeometry.pairForces).
// Equal to the training graph (models/calculator.ts, float32 tfjs) within float32 rounding, and to
// the model's float64 reference (behlerParrinelloF64) to ~1e-12 (inference.spec.ts).
// One instance serves one system at a time (the list); reset() forgets it.
import type { AtomicSystem, CalcProperty, CalcRequest, CalcResult, Calculator } from '../../calculators/calculator';
import { prepareOutput } from '../../potentials/calculatorKit';
import { atomicNumber } from '../../atoms/elements';
import { parseBehlerParrinelloConfig } from '../models/behlerParrinello';
import { parseLinearConfig } from '../models/linear';
import { kernelAtomEnergy, kernelParameters, parseKernelConfig } from '../models/kernel';
import type { SavedModel } from '../models/serialization';
import type { SymmetryFunctionConfig } from '../models/symmetryFunctions';
import { atomicNetworksOf, evaluateNetworks, networkScratch, type AtomicNetworks } from './atomicNetworks';
import { createPairGeometry, gatherPairs, pairForces, stressFromVirial, type PairGeometry } from './pairGeometry';
import { powerSpectrumBackward, powerSpectrumForward, powerSpectrumScratch } from '../models/powerSpectrum';
import { angularPass, radialBackward, radialForward, symmetryFunctionPlan, symmetryFunctionScratch, type SymmetryFunctionPlan } from './symmetryFunctionsFast';

export type FastKernel = 'auto' | 'wasm' | 'ts';

export interface FastCalculatorOptions {
  /** Verlet skin, Å (default 1). */
  skinA?: number;
  /** 'auto' (WebAssembly SIMD where it loads, else TypeScript), 'wasm' (throws if unavailable), 'ts'. */
  kernel?: FastKernel;
  /** PaiNN only: tabulated filters W(r) (default true, painnFilterTable.ts); false: the exact per-pair Bessel GEMVs. */
  filterTable?: boolean;
}

/** A fast calculator plus diagnostics. */
export interface FastModelCalculator extends Calculator {
  readonly skinA: number;
  /** Which kernel runs: 'wasm-simd' or 'ts'. */
  readonly kernel: 'wasm-simd' | 'ts';
  readonly neighborListBuilds: number;
  reset(): void;
}

/**
 * The descriptor + network work of one call, on gathered pairs. Fills `energies` [N] (E0 included)
 * and, when `gradients`, geometry.grad = dE/dd_p. Returns the energy.
 */
export interface SymmetryFunctionEngine {
  readonly kind: 'wasm-simd' | 'ts';
  evaluate(geometry: PairGeometry, species: Int32Array, energies: Float64Array, gradients: boolean): number;
}

/** The symmetry-function config of a bpnn, linear or kernel model, or null for other types. */
export function symmetryFunctionConfigOf(saved: SavedModel): SymmetryFunctionConfig | null {
  if (saved.type === 'bpnn') return parseBehlerParrinelloConfig(saved.config).symmetryFunctions;
  if (saved.type === 'linear') return parseLinearConfig(saved.config).symmetryFunctions;
  if (saved.type === 'kernel') return parseKernelConfig(saved.config).symmetryFunctions;
  return null;
}

/**
 * The per-atom model on top of the descriptors: E_i (E0 included) into `energies` [N] and, with
 * `dEdG` [N·F] given, dE_i/dG_i. Returns Σ_i E_i.
 */
export interface AtomicEnergyFunction {
  evaluate(G: Float64Array, species: Int32Array, n: number, energies: Float64Array, dEdG: Float64Array | null): number;
}

/** The per-element networks of a bpnn or linear model (atomicNetworks.ts). */
export function networkEnergyFunction(net: AtomicNetworks): AtomicEnergyFunction {
  const ns = networkScratch(net);
  return { evaluate: (G, species, n, energies, dEdG) => evaluateNetworks(net, G, species, n, energies, dEdG, ns) };
}

/** The sparse kernel of a kernel model (models/kernel.ts), float64. */
export function kernelEnergyFunction(saved: SavedModel): AtomicEnergyFunction {
  const p = kernelParameters(saved);
  const x = new Float64Array(p.nFeatures);
  const e0 = Float64Array.from(saved.e0.valuesEv);
  return {
    evaluate(G, species, n, energies, dEdG) {
      let total = 0;
      for (let i = 0; i < n; i++) {
        const e = kernelAtomEnergy(p, species[i], G, i * p.nFeatures, dEdG, x) + e0[species[i]];
        energies[i] = e;
        total += e;
      }
      return total;
    },
  };
}

/** The atomic energy function of a saved symmetry-function model. */
export function atomicEnergyFunctionOf(saved: SavedModel): AtomicEnergyFunction {
  return saved.type === 'kernel' ? kernelEnergyFunction(saved) : networkEnergyFunction(atomicNetworksOf(saved));
}

/** The TypeScript engine (symmetryFunctionsFast.ts + the atomic energy function). */
export function tsSymmetryFunctionEngine(plan: SymmetryFunctionPlan, model: AtomicEnergyFunction): SymmetryFunctionEngine {
  const F = plan.nFeatures;
  const sfs = symmetryFunctionScratch(plan);
  const pss = powerSpectrumScratch();
  let G = new Float64Array(0), W = new Float64Array(0);
  return {
    kind: 'ts',
    evaluate(geom, species, energies, gradients) {
      const n = geom.nAtoms;
      if (G.length < n * F) {
        G = new Float64Array(n * F);
        W = new Float64Array(n * F);
      }
      G.fill(0, 0, n * F);
      radialForward(plan, geom, species, G, sfs);
      angularPass(plan, geom, species, G, null, sfs);
      if (plan.power) powerSpectrumForward(plan.power, geom, species, G, F, plan.powerOffset, pss);
      const e = model.evaluate(G, species, n, energies, gradients ? W : null);
      if (gradients) {
        radialBackward(plan, geom, species, W, sfs);
        angularPass(plan, geom, species, null, W, sfs);
        if (plan.power) powerSpectrumBackward(plan.power, geom, species, W, F, plan.powerOffset, pss);
      }
      return e;
    },
  };
}

const PROPS: readonly CalcProperty[] = ['energy', 'forces', 'stress', 'energies'];

/**
 * Calculator for a saved bpnn or linear model on a descriptor engine (see index.ts for the
 * factory that picks the engine).
 */
export function symmetryFunctionCalculator(saved: SavedModel, engine: SymmetryFunctionEngine, opts: FastCalculatorOptions = {}): FastModelCalculator {
  const sf = symmetryFunctionConfigOf(saved);
  if (!sf) throw new Error(`symmetryFunctionCalculator: model type "${saved.type}" has no symmetry functions`);
  const skinA = opts.skinA ?? 1.0;
  const geom = createPairGeometry({ cutoffA: sf.cutoffA, angularCutoffA: sf.angular ? sf.angular.cutoffA : 0, skinA });
  const byZ = new Int32Array(119).fill(-1);
  saved.species.forEach((sym, s) => (byZ[atomicNumber(sym)] = s));
  let species = new Int32Array(0), energies = new Float64Array(0);
  const virial = new Float64Array(9);
  return {
    name: `${saved.type}(${saved.species.join(',')}, cutoff=${sf.cutoffA} Å, float64 ${engine.kind})`,
    implementedProperties: PROPS,
    cutoffA: sf.cutoffA,
    skinA,
    kernel: engine.kind,
    get neighborListBuilds() {
      return geom.cache.builds;
    },
    reset: () => geom.cache.reset(),
    compute(system: AtomicSystem, request: CalcRequest = {}, out?: CalcResult): CalcResult {
      const n = system.numbers.length;
      const o = prepareOutput(system, request, out);
      if (species.length < n) {
        species = new Int32Array(n);
        energies = new Float64Array(n);
      }
      for (let a = 0; a < n; a++) {
        const z = system.numbers[a], s = z >= 0 && z < 119 ? byZ[z] : -1;
        if (s < 0) throw new Error(`element Z=${z} is not one of the model's species ${saved.species.join(', ')}`);
        species[a] = s;
      }
      gatherPairs(geom, system);
      const grads = !!o.forces || o.stress;
      const e = engine.evaluate(geom, species, energies, grads);
      o.out.energyEv = e;
      if (o.energies) for (let a = 0; a < n; a++) o.energies[a] = energies[a];
      if (grads) {
        pairForces(geom, o.forces, o.stress ? virial : null);
        if (o.stress) {
          const s = o.out.stressEvPerA3 && o.out.stressEvPerA3.length === 9 ? o.out.stressEvPerA3 : new Float64Array(9);
          o.out.stressEvPerA3 = stressFromVirial(virial, o.volumeA3, s);
        }
      }
      return o.out;
    },
  };
}

/** The TypeScript-kernel calculator of a saved bpnn or linear model. */
export function symmetryFunctionCalculatorTs(saved: SavedModel, opts: FastCalculatorOptions = {}): FastModelCalculator {
  const sf = symmetryFunctionConfigOf(saved);
  if (!sf) throw new Error(`model type "${saved.type}" has no symmetry functions`);
  return symmetryFunctionCalculator(saved, tsSymmetryFunctionEngine(symmetryFunctionPlan(sf, saved.species.length), atomicEnergyFunctionOf(saved)), opts);
}
