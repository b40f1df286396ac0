// CLI `study drift IN.xyz --model RUNDIR|--potential SPEC --temperature-k T --dt-fs 0.5,1,2
// --steps N --json`: the energy-drift diagnosis of src-shared/md/driftStudy.ts from the command line.
// The same start runs in NVE with the conservative calculator, a direct-force variant (when a model
// with a direct force head is given), white force noise and a deterministic bias, at each dt for the
// same physical time (N steps at the largest dt). Output: drift (meV/atom/ps ± corrected SE) and
// fluctuation per variant and dt, the injected work W = ∫ v·(F_var − F_ref) dt next to the observed
// energy change, and a verdict per variant from how the drift scales with dt.
//
// Models: `--model RUNDIR` whose PaiNN was trained with `directForces` gives BOTH the conservative
// calculator (the same network with the head switched off: energy + autodiff forces) and the direct
// variant (energy from the energy head, forces from the vector head). `--direct-model RUNDIR` takes
// the direct forces from another run instead.
import type { Calculator } from '../../src-shared/calculators/calculator';
import { driftStudy, type DriftRun, type DriftVariant } from '../../src-shared/md/driftStudy';
import {
  anisotropicForceScalingCalculator,
  directForcesCalculator,
  noisyForcesCalculator,
  rotatedForcesCalculator,
} from '../../src-shared/md/forceVariants';
import { modelCalculator } from '../../src-shared/ml/models/calculator';
import { hasDirectForces } from '../../src-shared/ml/models/directForces';
import { loadModel } from '../../src-shared/ml/models/registry';
import type { SavedModel } from '../../src-shared/ml/models/serialization';
import type { OptionSpec } from './args';
import { calculatorFromOptions } from './calculatorOption';
import { load, optString as str, optNumber, fail } from './common';
import { loadModelFiles } from '../ml/runFolder';
import { tfNode } from '../ml/tfNode';

export const DRIFT_STUDY_OPTIONS: OptionSpec[] = [
  { name: 'model', type: 'string', valueName: 'RUNDIR', help: 'drift: a trained model (run folder); with a direct-force head it also gives the direct variant' },
  { name: 'potential', type: 'string', valueName: 'SPEC', help: 'drift: a classical potential instead of --model (lj:..., sw:FILE, eam:FILE, ...)' },
  { name: 'direct-model', type: 'string', valueName: 'RUNDIR', help: 'drift: take the direct-variant forces from this model (energy stays the conservative one)' },
  { name: 'temperature-k', type: 'string', valueName: 'T', help: 'drift: Maxwell-Boltzmann temperature of the start, K' },
  { name: 'dt-fs', type: 'string', valueName: '0.5,1,2', help: 'drift: time steps, fs (default 0.5,1,2)' },
  { name: 'steps', type: 'string', valueName: 'N', help: 'drift: steps at the largest dt; smaller dt run the same time (default 1000)' },
  { name: 'frame', type: 'string', valueName: 'I', help: 'drift: frame of IN to start from (default 0; -1 = last)' },
  { name: 'seed', type: 'string', valueName: 'S', help: 'random seed (velocities; noise uses S+1); default 1' },
  { name: 'noise-ev-per-a', type: 'string', valueName: 'SIGMA', help: 'drift: RMS of the white force noise per component, eV/Å (default 0.05; 0 = skip)' },
  { name: 'bias', type: 'string', valueName: 'FRACTION', help: 'drift: relative size of the deterministic force bias (default 0.05; 0 = skip)' },
  { name: 'bias-kind', type: 'string', valueName: 'rotate|scale-x', help: 'drift: rotate every force (default; heats) or scale x components (conserves a modified energy)' },
  { name: 'json', type: 'boolean', help: 'print one JSON object' },
];

function num(o: Record<string, string | boolean>, k: string, dflt: number): number {
  return optNumber(o, k) ?? dflt;
}

interface ModelPair {
  conservative: Calculator;
  /** Present when the run's model has a direct-force head. */
  direct?: Calculator;
}

/** A run folder as calculators: the conservative one, and the direct one when the model has a head. */
async function modelCalculators(runDir: string): Promise<ModelPair> {
  const saved = loadModelFiles(runDir);
  const { tf } = await tfNode();
  const model = loadModel(tf, saved);
  if (!hasDirectForces(model)) return { conservative: modelCalculator(model, `${saved.type} model (${runDir})`) };
  // The same network with the head switched off (PaiNN's option `directForces`, weights forceHead/*).
  const twinSaved: SavedModel = {
    ...saved,
    config: { ...(saved.config as Record<string, unknown>), directForces: false },
    weights: saved.weights.filter((w) => !w.name.startsWith('forceHead/')),
  };
  const twin = loadModel(tf, twinSaved);
  if (hasDirectForces(twin)) throw new Error(`${runDir}: cannot switch off the direct-force head of this ${saved.type} model`);
  return {
    conservative: modelCalculator(twin, `${saved.type} model (${runDir}), energy head + autodiff forces`),
    direct: modelCalculator(model, `${saved.type} model (${runDir}), direct-force head`),
  };
}

function runJson(r: DriftRun) {
  return {
    dt_fs: r.dtFs,
    steps: r.steps,
    drift_mev_per_atom_per_ps: r.failed ? null : r.driftMevPerAtomPerPs,
    drift_stderr_mev_per_atom_per_ps: r.failed ? null : r.driftStderrMevPerAtomPerPs,
    fluctuation_mev_per_atom: r.failed ? null : r.fluctuationMevPerAtom,
    energy_change_mev_per_atom: r.failed ? null : r.energyChangeMevPerAtom,
    injected_work_mev_per_atom: r.failed ? null : r.injectedWorkMevPerAtom,
    injected_power_mev_per_atom_per_ps: r.failed ? null : r.injectedPowerMevPerAtomPerPs,
    balance_residual_mev_per_atom: r.failed ? null : r.balanceResidualMevPerAtom,
    series: { time_fs: r.series.timeFs, energy_change_mev_per_atom: r.series.energyChangeMevPerAtom, injected_work_mev_per_atom: r.series.injectedWorkMevPerAtom },
    failed: r.failed ?? null,
  };
}

const f4 = (x: number) => (Number.isFinite(x) ? x.toPrecision(4) : 'nan');

export async function runDriftStudy(input: string, options: Record<string, string | boolean>): Promise<number> {
  let T: number, dts: number[], steps: number, seed: number, sigma: number, bias: number, frameIndex: number;
  try {
    if (str(options, 'temperature-k') === undefined) return fail('--temperature-k is required (the start gets Maxwell-Boltzmann velocities at T)');
    T = num(options, 'temperature-k', NaN);
    if (!(T >= 0)) return fail(`--temperature-k must be >= 0, got ${T}`);
    const dtText = str(options, 'dt-fs') ?? '0.5,1,2';
    dts = dtText.split(',').map((x) => Number(x.trim()));
    if (dts.length === 0 || dts.some((d) => !(d > 0) || !Number.isFinite(d))) return fail(`--dt-fs must be positive numbers separated by commas, got "${dtText}"`);
    if (new Set(dts).size !== dts.length) return fail(`--dt-fs lists a time step twice: "${dtText}"`);
    steps = num(options, 'steps', 1000);
    if (!Number.isInteger(steps) || steps < 10) return fail(`--steps must be an integer >= 10, got ${steps}`);
    seed = num(options, 'seed', 1);
    sigma = num(options, 'noise-ev-per-a', 0.05);
    if (!(sigma >= 0)) return fail(`--noise-ev-per-a must be >= 0, got ${sigma}`);
    bias = num(options, 'bias', 0.05);
    frameIndex = num(options, 'frame', 0);
  } catch (e) {
    return fail((e as Error).message);
  }
  const biasKind = str(options, 'bias-kind') ?? 'rotate';
  if (biasKind !== 'rotate' && biasKind !== 'scale-x') return fail(`--bias-kind must be rotate or scale-x, got "${biasKind}"`);
  if (biasKind === 'rotate' && !(bias >= 0 && bias <= 2)) return fail(`--bias must be in [0, 2] for rotate, got ${bias}`);
  if (biasKind === 'scale-x' && !(bias > -1)) return fail(`--bias must be > -1 for scale-x, got ${bias}`);

  const modelDir = str(options, 'model');
  const directDir = str(options, 'direct-model');
  if (modelDir !== undefined && str(options, 'potential') !== undefined) return fail('give either --potential SPEC or --model RUNDIR, not both');
  let ref: ModelPair;
  if (modelDir !== undefined) {
    try {
      ref = await modelCalculators(modelDir);
    } catch (e) {
      return fail(`--model ${modelDir}: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else {
    const c = await calculatorFromOptions(options);
    if (typeof c === 'string') return fail(c);
    ref = { conservative: c };
  }
  const d = await load(input, options);
  if (!d) return 1;
  const idx = frameIndex < 0 ? d.frames.length + frameIndex : frameIndex;
  if (!Number.isInteger(idx) || idx < 0 || idx >= d.frames.length) return fail(`--frame ${frameIndex} is out of range (the file has ${d.frames.length} frames; negative counts from the end)`);
  const frame = d.frames[idx];

  // One reference instance serves every variant: the runs are sequential and the study resets the
  // calculator (neighbour lists, the noise stream) before each one.
  const variants: DriftVariant[] = [];
  let directNote: string;
  if (directDir !== undefined) {
    let dm: ModelPair;
    try {
      dm = await modelCalculators(directDir);
    } catch (e) {
      return fail(`--direct-model ${directDir}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!dm.direct) console.error(`warning: --direct-model ${directDir} has no direct-force head; its forces are the gradient of its own energy, not of the reference's`);
    variants.push({ id: 'direct', calculator: directForcesCalculator(ref.conservative, dm.direct ?? dm.conservative) });
    directNote = `forces from ${directDir}${dm.direct ? ' (direct-force head)' : ' (no direct head: autodiff forces of another model)'}`;
  } else if (ref.direct) {
    variants.push({ id: 'direct', calculator: directForcesCalculator(ref.conservative, ref.direct) });
    directNote = `forces from the direct-force head of ${modelDir}`;
  } else {
    directNote =
      modelDir !== undefined
        ? `unavailable: ${modelDir} has no direct-force head (train PaiNN with "directForces": true, or pass --direct-model RUNDIR)`
        : 'unavailable: needs a model with a direct-force head (--model or --direct-model RUNDIR)';
  }
  if (sigma > 0) variants.push({ id: 'noisy', calculator: noisyForcesCalculator(ref.conservative, { sigmaEvPerA: sigma, seed: seed + 1 }) });
  if (bias !== 0) {
    const c = ref.conservative;
    variants.push({ id: 'biased', calculator: biasKind === 'rotate' ? rotatedForcesCalculator(c, { fraction: bias }) : anisotropicForceScalingCalculator(c, bias) });
  }

  const dtMax = Math.max(...dts);
  const durationFs = steps * dtMax;
  const t0 = Date.now();
  const n = frame.numbers.length;
  let result;
  try {
    result = await driftStudy(ref.conservative, frame, variants, {
      temperatureK: T,
      dtFs: dts,
      durationFs,
      seed,
      seriesPoints: 100,
      onRun(r, k, total) {
        const what = r.failed ? `FAILED: ${r.failed}` : `drift ${f4(r.driftMevPerAtomPerPs)} ± ${f4(r.driftStderrMevPerAtomPerPs)} meV/atom/ps, fluctuation ${f4(r.fluctuationMevPerAtom)} meV/atom, ΔE ${f4(r.energyChangeMevPerAtom)} vs injected work ${f4(r.injectedWorkMevPerAtom)} meV/atom`;
        console.error(`study drift [${k + 1}/${total}] ${r.variant} dt=${r.dtFs} fs (${r.steps} steps): ${what}`);
      },
      yieldToHost: () => new Promise<void>((res) => setImmediate(res)),
    });
  } catch (e) {
    return fail((e as Error).message);
  }
  const descriptions: Record<string, string> = {
    conservative: ref.conservative.name,
    noisy: `white Gaussian force noise, σ = ${sigma} eV/Å per component (expected heating ∝ σ²·dt)`,
    biased: biasKind === 'rotate' ? `every force rotated so that |ΔF| = ${bias} |F⊥| (systematic, non-conservative)` : `x force components × ${1 + bias} (non-conservative, but NVE conserves E_pot + K_x/(1+ε) + K_y + K_z)`,
  };
  if (variants.some((v) => v.id === 'direct')) descriptions.direct = directNote;
  const byVariant: Record<string, unknown> = {};
  for (const v of result.verdicts) {
    byVariant[v.variant] = {
      description: descriptions[v.variant] ?? v.variant,
      verdict: v.message,
      cause: v.cause,
      drift_exponent: v.driftExponent,
      fluctuation_exponent: v.fluctuationExponent,
      runs: result.runs.filter((r) => r.variant === v.variant).map(runJson),
    };
  }
  const summary = {
    study: 'drift',
    input,
    frame: idx,
    atoms: n,
    calculator: ref.conservative.name,
    temperature_k: T,
    dt_fs: [...dts].sort((a, b) => b - a),
    steps_at_largest_dt: steps,
    duration_fs: durationFs,
    seed,
    noise_ev_per_a: sigma,
    bias_fraction: bias,
    bias_kind: biasKind,
    direct_force: directNote,
    variants: byVariant,
    wall_s: (Date.now() - t0) / 1000,
  };
  if (options.json) console.log(JSON.stringify(summary));
  else {
    console.log('variant,dt_fs,drift_mev_per_atom_per_ps,drift_stderr_mev_per_atom_per_ps,fluctuation_mev_per_atom,energy_change_mev_per_atom,injected_work_mev_per_atom,failed');
    for (const r of result.runs) console.log([r.variant, r.dtFs, r.driftMevPerAtomPerPs, r.driftStderrMevPerAtomPerPs, r.fluctuationMevPerAtom, r.energyChangeMevPerAtom, r.injectedWorkMevPerAtom, r.failed ?? ''].join(','));
    for (const v of result.verdicts) console.log(`${v.variant}: ${v.message}`);
    if (!variants.some((v) => v.id === 'direct')) console.log(`direct: ${directNote}`);
  }
  return result.runs.every((r) => r.failed) ? 1 : 0;
}
