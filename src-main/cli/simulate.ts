// CLI commands of the physics engine (issue 3): calc, md, relax, rdf, msd. Same core as the UI's MD
// worker (src-shared/md/job.ts), progress on stderr, `--json` summaries with units in the keys.
import { basename } from 'node:path';
import type { Frame } from '../../src-shared/atoms/frame';
import { formatExtxyzFrame } from '../../src-shared/io/formats/extxyz';
import { fitDrift } from '../../src-shared/md/drift';
import { INTEGRATORS, type IntegratorId } from '../../src-shared/md/integrators';
import { runMdJob, validateMdConfig, type MdJobConfig, type ThermoSample } from '../../src-shared/md/job';
import { relax } from '../../src-shared/relax/relax';
import { msdOfFrames, rdfOfFrames } from '../../src-shared/analysis/trajectoryAnalysis';
import { ThermoWriter, TrajectoryWriter } from '../node/runFiles';
import { load, readOptions, writeAtomic, type Command, optString as str, optNumber as num, fail } from './common';
import { CALCULATOR_OPTIONS, calculatorFromOptions } from './calculatorOption';
export { calculatorFromCli } from './calculatorOption';

function pickFrame(frames: Frame[], o: Record<string, string | boolean>): Frame | string {
  const i = num(o, 'frame') ?? 0;
  const idx = i < 0 ? frames.length + i : i;
  if (!Number.isInteger(idx) || idx < 0 || idx >= frames.length) return `--frame ${i} is out of range (the file has ${frames.length} frames; negative counts from the end)`;
  return frames[idx];
}

const calc: Command = {
  spec: {
    name: 'calc',
    summary: 'energy, forces and stress of every frame with a potential, written as extended XYZ',
    positionals: [
      { name: 'IN', help: 'structures' },
      { name: 'OUT', help: 'output extended XYZ (energy=, forces, stress= 9 values)' },
    ],
    options: [...CALCULATOR_OPTIONS, ...readOptions],
  },
  async run({ positionals: [input, output], options }) {
    const c = await calculatorFromOptions(options);
    if (typeof c === 'string') return fail(c);
    const d = await load(input, options);
    if (!d) return 1;
    const out: Frame[] = [];
    for (let k = 0; k < d.frames.length; k++) {
      const f = d.frames[k];
      const periodic = !!f.cellA && f.pbc.every(Boolean);
      c.reset?.();
      let r;
      try {
        r = c.compute(f, { forces: true, stress: periodic, energies: true });
      } catch (e) {
        return fail(`${basename(input)} frame ${k}: ${(e as Error).message}`);
      }
      const arrays = { ...f.arrays, energies: { kind: 'real' as const, width: 1, data: r.energiesEv!.slice() } };
      out.push({ ...f, energyEv: r.energyEv, forcesEvPerA: r.forcesEvPerA!.slice(), stressEvPerA3: periodic ? r.stressEvPerA3!.slice() : undefined, arrays });
    }
    await writeAtomic(output, (function* () {
      for (let k = 0; k < out.length; k++) yield formatExtxyzFrame(out[k], k, { fileName: basename(output) });
    })());
    console.error(`wrote ${out.length} frame(s) with energy, forces${out.some((f) => f.stressEvPerA3) ? ', stress' : ''} to ${output} (${c.name})`);
    return 0;
  },
};

const ENSEMBLES: Record<string, IntegratorId> = { nve: 'nve', langevin: 'langevin', bussi: 'bussi', nhc: 'nose-hoover-chain', npt: 'npt-scr' };

const md: Command = {
  spec: {
    name: 'md',
    summary: 'molecular dynamics with a potential; trajectory (extxyz) and thermo CSV',
    positionals: [{ name: 'IN', help: 'starting structure (first frame, or --frame I)' }],
    options: [
      ...CALCULATOR_OPTIONS,
      { name: 'ensemble', type: 'string', valueName: 'nve|langevin|bussi|nhc|npt', help: 'integrator (default nve)' },
      { name: 'temperature-k', type: 'string', valueName: 'T', help: 'initial Maxwell-Boltzmann temperature and thermostat target, K' },
      { name: 'pressure-gpa', type: 'string', valueName: 'P', help: 'barostat target (npt), GPa' },
      { name: 'dt-fs', type: 'string', valueName: 'DT', help: 'time step, fs' },
      { name: 'steps', type: 'string', valueName: 'N', help: 'number of steps' },
      { name: 'seed', type: 'string', valueName: 'S', help: 'random seed (velocities, thermostat noise); default 1' },
      { name: 'stride', type: 'string', valueName: 'K', help: 'write a frame and a thermo row every K steps (default 10)' },
      { name: 'friction-per-fs', type: 'string', valueName: 'G', help: 'Langevin friction, 1/fs (default 0.01)' },
      { name: 'tau-fs', type: 'string', valueName: 'TAU', help: 'thermostat time constant, fs (default 100)' },
      { name: 'barostat-tau-fs', type: 'string', valueName: 'TAU', help: 'barostat time constant, fs (default 1000)' },
      { name: 'frame', type: 'string', valueName: 'I', help: 'frame of IN to start from (default 0; -1 = last)' },
      { name: 'out', type: 'string', valueName: 'TRAJ.xyz', help: 'trajectory output (extended XYZ)' },
      { name: 'thermo', type: 'string', valueName: 'THERMO.csv', help: 'thermo output: step,time_fs,epot_ev,ekin_ev,etot_ev,temperature_k,pressure_gpa,conserved_ev' },
      { name: 'json', type: 'boolean', help: 'print a JSON summary (drift, fluctuation, speed)' },
      ...readOptions,
    ],
  },
  async run({ positionals: [input], options }) {
    let cfg: MdJobConfig;
    try {
      const ens = str(options, 'ensemble') ?? 'nve';
      const integrator = ENSEMBLES[ens];
      if (!integrator) return fail(`--ensemble must be one of ${Object.keys(ENSEMBLES).join(', ')}, got "${ens}"`);
      const spec = INTEGRATORS.find((i) => i.id === integrator)!;
      const T = num(options, 'temperature-k');
      const params: Record<string, number> = { dtFs: num(options, 'dt-fs') ?? NaN };
      if (!str(options, 'dt-fs')) return fail('--dt-fs is required (typical: 1 fs for metals, 0.5 fs with hydrogen)');
      if (spec.params.some((p) => p.key === 'temperatureK')) {
        if (T === undefined) return fail(`--temperature-k is required for --ensemble ${ens}`);
        params.temperatureK = T;
      }
      const set = (key: string, opt: string) => {
        const v = num(options, opt);
        if (v !== undefined) {
          if (!spec.params.some((p) => p.key === key)) throw new Error(`--${opt} does not apply to --ensemble ${ens}`);
          params[key] = v;
        }
      };
      set('frictionPerFs', 'friction-per-fs');
      set(integrator === 'npt-scr' ? 'thermostatTauFs' : 'tauFs', 'tau-fs');
      set('pressureGpa', 'pressure-gpa');
      set('barostatTauFs', 'barostat-tau-fs');
      const stride = num(options, 'stride') ?? 10;
      const steps = num(options, 'steps');
      if (steps === undefined) return fail('--steps is required');
      cfg = { integrator, params, steps, seed: num(options, 'seed') ?? 1, initialTemperatureK: T ?? 0, thermoStride: stride, frameStride: stride };
    } catch (e) {
      return fail((e as Error).message);
    }
    const trajPath = str(options, 'out');
    const thermoPath = str(options, 'thermo');
    if (!trajPath || !thermoPath) return fail('--out TRAJ.xyz and --thermo THERMO.csv are required');
    const c = await calculatorFromOptions(options);
    if (typeof c === 'string') return fail(c);
    const d = await load(input, options);
    if (!d) return 1;
    const frame = pickFrame(d.frames, options);
    if (typeof frame === 'string') return fail(frame);
    const errs = validateMdConfig(cfg, frame.numbers.length);
    if (errs.length) return fail(errs.join('; '));
    let traj: TrajectoryWriter;
    let thermo: ThermoWriter;
    try {
      traj = new TrajectoryWriter(trajPath);
      thermo = new ThermoWriter(thermoPath);
    } catch (e) {
      return fail(e instanceof Error ? e.message : String(e));
    }
    const rows: ThermoSample[] = [];
    const tty = process.stderr.isTTY || process.env.ATOMFORGE_PROGRESS === '1';
    const t0 = Date.now();
    const outcome = await runMdJob(c, frame, cfg, {
      onThermo(r) {
        thermo.append(r);
        rows.push(r);
      },
      onFrame(s) {
        traj.append({
          symbols: frame.symbols,
          numbers: s.numbers,
          positionsA: s.positionsA,
          cellA: s.cellA,
          pbc: frame.pbc,
          energyEv: s.potentialEnergyEv,
          forcesEvPerA: s.forcesEvPerA,
          stressEvPerA3: s.stressEvPerA3 ?? undefined,
          info: { step: s.step, time_fs: s.timeFs, kinetic_energy_ev: s.kineticEnergyEv, conserved_energy_ev: s.conservedEnergyEv },
          arrays: { velocities: { kind: 'real', width: 3, data: s.velocitiesAPerFs } },
        });
      },
      onProgress(p) {
        if (tty) process.stderr.write(`\rmd: step ${p.step}/${p.steps}  ${(p.atomStepsPerS / 1e3).toFixed(0)}k atom-steps/s${p.etaS !== null ? `  ~${Math.ceil(p.etaS)} s left` : ''}   `);
      },
    });
    if (tty) process.stderr.write('\n');
    // A full disk or a deleted output folder is a clear error here, not an internal one (issue 9).
    let closeError: string | null = null;
    for (const w of [traj, thermo]) {
      try {
        w.close();
      } catch (e) {
        closeError ??= e instanceof Error ? e.message : String(e);
      }
    }
    if (closeError && outcome.status !== 'failed') return fail(closeError);
    const n = frame.numbers.length;
    const drift = rows.length >= 3 ? fitDrift(rows.map((r) => r.timeFs), rows.map((r) => r.conservedEv), n) : null;
    const summary = {
      status: outcome.status,
      steps: outcome.steps,
      atoms: n,
      potential: c.name,
      ensemble: cfg.integrator,
      trajectory: trajPath,
      thermo: thermoPath,
      frames_written: traj.frames,
      wall_s: (Date.now() - t0) / 1000,
      atom_steps_per_s: (outcome.steps * n) / Math.max(1e-3, (Date.now() - t0) / 1000),
      conserved_drift_mev_per_atom_per_ps: drift?.slopeMevPerAtomPerPs ?? null,
      conserved_drift_stderr_mev_per_atom_per_ps: drift?.slopeStdErrCorrectedMevPerAtomPerPs ?? null,
      conserved_fluctuation_mev_per_atom: drift?.rmsFluctuationMevPerAtom ?? null,
      mean_temperature_k: rows.length ? rows.reduce((s, r) => s + r.temperatureK, 0) / rows.length : null,
      message: outcome.status === 'failed' ? outcome.message : null,
    };
    if (options.json) console.log(JSON.stringify(summary));
    else {
      console.error(`md ${summary.status}: ${summary.steps} steps of ${n} atoms, ${traj.frames} frames -> ${trajPath}, thermo -> ${thermoPath}`);
      if (drift) console.error(`conserved quantity: drift ${drift.slopeMevPerAtomPerPs.toExponential(3)} ± ${drift.slopeStdErrCorrectedMevPerAtomPerPs.toExponential(2)} meV/atom/ps, fluctuation ${drift.rmsFluctuationMevPerAtom.toExponential(3)} meV/atom`);
    }
    if (outcome.status === 'failed') {
      console.error(`atomforge: ${outcome.message}`);
      return 1;
    }
    return 0;
  },
};

const relaxCmd: Command = {
  spec: {
    name: 'relax',
    summary: 'geometry relaxation (FIRE or L-BFGS), optionally with the cell',
    positionals: [
      { name: 'IN', help: 'structure (first frame, or --frame I)' },
      { name: 'OUT', help: 'relaxed structure (extended XYZ)' },
    ],
    options: [
      ...CALCULATOR_OPTIONS,
      { name: 'cell', type: 'boolean', help: 'relax the cell as well (towards --pressure-gpa)' },
      { name: 'fmax-ev-per-a', type: 'string', valueName: 'F', help: 'force criterion, eV/Å (default 0.05)' },
      { name: 'optimizer', type: 'string', valueName: 'fire|lbfgs', help: 'default fire' },
      { name: 'pressure-gpa', type: 'string', valueName: 'P', help: 'target pressure with --cell, GPa (default 0)' },
      { name: 'max-steps', type: 'string', valueName: 'N', help: 'step limit (default 1000)' },
      { name: 'frame', type: 'string', valueName: 'I', help: 'frame of IN (default 0)' },
      { name: 'json', type: 'boolean', help: 'print a JSON summary' },
      ...readOptions,
    ],
  },
  async run({ positionals: [input, output], options }) {
    let fmax: number, maxSteps: number, pressure: number;
    try {
      fmax = num(options, 'fmax-ev-per-a') ?? 0.05;
      maxSteps = num(options, 'max-steps') ?? 1000;
      pressure = num(options, 'pressure-gpa') ?? 0;
    } catch (e) {
      return fail((e as Error).message);
    }
    if (!(fmax > 0)) return fail(`--fmax-ev-per-a must be > 0, got ${fmax}`);
    if (!Number.isInteger(maxSteps) || maxSteps < 1) return fail(`--max-steps must be a positive integer, got ${maxSteps}`);
    const opt = str(options, 'optimizer') ?? 'fire';
    if (opt !== 'fire' && opt !== 'lbfgs') return fail(`--optimizer must be fire or lbfgs, got "${opt}"`);
    const c = await calculatorFromOptions(options);
    if (typeof c === 'string') return fail(c);
    const d = await load(input, options);
    if (!d) return 1;
    const frame = pickFrame(d.frames, options);
    if (typeof frame === 'string') return fail(frame);
    const tty = process.stderr.isTTY || process.env.ATOMFORGE_PROGRESS === '1';
    let r;
    try {
      r = relax(c, frame, {
        optimizer: opt,
        fmaxEvPerA: fmax,
        relaxCell: !!options.cell,
        pressureGpa: pressure,
        maxSteps,
        onStep: (s) => {
          if (tty) process.stderr.write(`\rrelax: step ${s.step}  E ${s.energyEv.toFixed(6)} eV  fmax ${s.fmaxEvPerA.toExponential(2)} eV/Å${options.cell ? `  max stress ${s.maxStressGpa.toExponential(2)} GPa` : ''}   `);
        },
      });
    } catch (e) {
      return fail((e as Error).message);
    }
    if (tty) process.stderr.write('\n');
    c.reset?.();
    const sys = r.system;
    const periodic = !!sys.cellA && sys.pbc.every(Boolean);
    const fin = c.compute(sys, { forces: true, stress: periodic });
    const outFrame: Frame = {
      ...frame,
      positionsA: sys.positionsA,
      cellA: sys.cellA,
      energyEv: fin.energyEv,
      forcesEvPerA: fin.forcesEvPerA,
      stressEvPerA3: periodic ? fin.stressEvPerA3 : undefined,
      info: { ...frame.info, relax_converged: r.converged, relax_steps: r.steps },
    };
    await writeAtomic(output, [formatExtxyzFrame(outFrame, 0, { fileName: basename(output) })]);
    const summary = { converged: r.converged, steps: r.steps, energy_ev: r.energyEv, fmax_ev_per_a: r.fmaxEvPerA, max_stress_gpa: r.maxStressGpa, output };
    if (options.json) console.log(JSON.stringify(summary));
    else console.error(`relax ${r.converged ? 'converged' : 'did NOT converge'} in ${r.steps} steps: E = ${r.energyEv.toFixed(6)} eV, fmax = ${r.fmaxEvPerA.toExponential(3)} eV/Å -> ${output}`);
    return r.converged ? 0 : 1;
  },
};

const rdf: Command = {
  spec: {
    name: 'rdf',
    summary: 'radial distribution function g(r) of a trajectory (total and per element pair)',
    positionals: [{ name: 'TRAJ', help: 'trajectory or structure file' }],
    options: [
      { name: 'r-max-a', type: 'string', valueName: 'R', help: 'largest distance, Å (default: just under half the smallest cell height)' },
      { name: 'bins', type: 'string', valueName: 'N', help: 'number of bins (default 200)' },
      { name: 'json', type: 'boolean', help: 'print JSON {r_a, g, coordination, partials}' },
      ...readOptions,
    ],
  },
  async run({ positionals: [input], options }) {
    const d = await load(input, options);
    if (!d) return 1;
    let res;
    try {
      res = rdfOfFrames(d.frames, num(options, 'r-max-a'), num(options, 'bins') ?? 200);
    } catch (e) {
      return fail((e as Error).message);
    }
    if (options.json) {
      console.log(JSON.stringify({ frames: res.frames, r_max_a: res.rMaxA, density_per_a3: res.densityPerA3, r_a: Array.from(res.rA), g: Array.from(res.g), coordination: Array.from(res.coordination), partials: res.partials.map((p) => ({ pair: p.label, g: Array.from(p.g) })) }));
    } else {
      console.log('r_A,g');
      for (let k = 0; k < res.rA.length; k++) console.log(`${res.rA[k]},${res.g[k]}`);
    }
    return 0;
  },
};

const msd: Command = {
  spec: {
    name: 'msd',
    summary: 'mean-squared displacement and diffusion coefficient of a trajectory',
    positionals: [{ name: 'TRAJ', help: 'trajectory (frames in time order)' }],
    options: [
      { name: 'frame-interval-fs', type: 'string', valueName: 'DT', help: 'time between frames, fs (default: from the time_fs info key)' },
      { name: 'remove-drift', type: 'boolean', help: 'subtract the centre-of-geometry motion' },
      { name: 'json', type: 'boolean', help: 'print JSON {lag_fs, msd_a2, d_a2_per_ps, d_cm2_per_s}' },
      ...readOptions,
    ],
  },
  async run({ positionals: [input], options }) {
    const d = await load(input, options);
    if (!d) return 1;
    let res;
    try {
      res = msdOfFrames(d.frames, num(options, 'frame-interval-fs'), !!options['remove-drift']);
    } catch (e) {
      return fail((e as Error).message);
    }
    if (options.json) {
      console.log(JSON.stringify({ frames: res.frames, frame_interval_fs: res.frameIntervalFs, lag_fs: Array.from(res.lagFs), msd_a2: Array.from(res.msdA2), d_a2_per_ps: res.dA2PerPs, d_stderr_a2_per_ps: res.dStdErrA2PerPs, d_cm2_per_s: res.dCm2PerS, fit_from_fs: res.fitFromFs, fit_to_fs: res.fitToFs }));
    } else {
      console.log('lag_fs,msd_a2');
      for (let k = 0; k < res.lagFs.length; k++) console.log(`${res.lagFs[k]},${res.msdA2[k]}`);
      console.error(`D = ${res.dA2PerPs.toExponential(4)} ± ${res.dStdErrA2PerPs.toExponential(2)} Å²/ps = ${res.dCm2PerS.toExponential(4)} cm²/s (fit ${res.fitFromFs}-${res.fitToFs} fs)`);
    }
    return 0;
  },
};

export const SIMULATION_COMMANDS: Command[] = [calc, md, relaxCmd, rdf, msd];
