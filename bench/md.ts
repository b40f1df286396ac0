// MD throughput against LAMMPS on one core, measured in the same run: the LAMMPS `bench/in.lj`
// Lennard-Jones melt and an EAM copper crystal, each integrated by Atomforge (velocity Verlet,
// src-shared/md/velocityVerlet.ts, with the classical calculators of src-shared/potentials) and by
// Debian's `lmp` (OMP_NUM_THREADS=1, one MPI rank), printed as atom-steps/s and their ratio.
//
// Cases (bench/md_lj.in, bench/md_eam.in are the LAMMPS inputs):
//   lj   32,000 atoms, fcc at ρ* = 0.8442, cutoff 2.5σ, skin 0.3σ, T* = 1.44, dt = 0.005τ, NVE.
//        Our side runs the same system in real units: argon-like ε = 0.0104 eV, σ = 3.40 Å,
//        m = 39.948 amu (τ = σ√(m/ε) ≈ 21.4 fs, so dt ≈ 0.107 fs, T ≈ 173.8 K, cutoff 8.5 Å).
//        in.lj rebuilds LAMMPS's list every 20 steps unchecked ("every 20 check no", which can miss
//        pairs); ours rebuilds whenever an atom has moved skin/2, so LAMMPS is also run with that
//        policy ("every 1 check yes") and both ratios are printed.
//   eam  32,000 atoms of fcc Cu (a = 3.615 Å) with Cu_u3.eam, 300 K, dt = 1 fs, skin 1 Å, NVE;
//        both codes rebuild when an atom has moved skin/2.
// Timing: the MD loop only (LAMMPS "Loop time"; ours excludes init, which builds the first list
// and forces), so JIT warm-up of the first steps counts against us. Velocities are drawn by each
// code's own generator (same temperature, different numbers), so trajectories differ; the initial
// potential energy (perfect lattice) is printed for both as a check that the systems are the same.
//
// Run: npx tsx bench/md.ts [--case lj,eam] [--steps 200] [--n 20] [--repeats 1] [--no-lammps]
// Profile: node --cpu-prof --import tsx bench/md.ts --no-lammps --case lj
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { velocityVerlet } from '../src-shared/md/velocityVerlet';
import { maxwellBoltzmannVelocities } from '../src-shared/md/maxwellBoltzmann';
import { createRng } from '../src-shared/space/rng';
import { AMU_EV_FS2_PER_A2, KB_EV_PER_K } from '../src-shared/units';
import { createLennardJones } from '../src-shared/potentials/lennardJones';
import { createEam } from '../src-shared/potentials/eam';
import { parseEamFuncfl } from '../src-shared/potentials/eamFile';
import type { ClassicalCalculator } from '../src-shared/potentials/calculatorKit';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 ? args[k + 1] : def;
};
const STEPS = Number(opt('steps', '200'));
const NCELL = Number(opt('n', '20'));
const REPEATS = Number(opt('repeats', '1'));
const CASES = opt('case', 'lj,eam').split(',');
const RUN_LAMMPS = !args.includes('--no-lammps');
const LMP = process.env.LMP ?? '/usr/bin/lmp';
const BENCH = fileURLToPath(new URL('.', import.meta.url));
const EAM_FILE = fileURLToPath(new URL('../fixtures/potentials/Cu_u3.eam', import.meta.url));

/** fcc lattice, n^3 conventional cells of side a (Å), atoms cell by cell. */
function fcc(n: number, a: number): { positionsA: Float64Array; cellA: Float64Array } {
  const basis = [0, 0, 0, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5];
  const r = new Float64Array(12 * n * n * n);
  let q = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      for (let k = 0; k < n; k++)
        for (let b = 0; b < 4; b++) {
          r[q++] = (i + basis[3 * b]) * a;
          r[q++] = (j + basis[3 * b + 1]) * a;
          r[q++] = (k + basis[3 * b + 2]) * a;
        }
  return { positionsA: r, cellA: new Float64Array([n * a, 0, 0, 0, n * a, 0, 0, 0, n * a]) };
}

interface OurResult {
  loopS: number;
  initS: number;
  e0PerAtomEv: number;
  driftPerAtomEv: number;
  builds: number;
}

function runOurs(calc: ClassicalCalculator, lattice: { positionsA: Float64Array; cellA: Float64Array }, z: number, massAmu: number, temperatureK: number, dtFs: number): OurResult {
  const n = lattice.positionsA.length / 3;
  const masses = new Float64Array(n).fill(massAmu);
  const velocities = maxwellBoltzmannVelocities(masses, temperatureK, createRng(87287), { exactTemperature: true });
  const integ = velocityVerlet(calc, { dtFs });
  const t0 = performance.now();
  const state = integ.init({
    numbers: new Int32Array(n).fill(z), positionsA: lattice.positionsA.slice(), cellA: lattice.cellA, pbc: [true, true, true],
    massesAmu: masses, velocitiesAPerFs: velocities,
  });
  const t1 = performance.now();
  const e0 = state.potentialEnergyEv / n;
  const c0 = state.conservedEnergyEv;
  const builds0 = calc.neighborListBuilds;
  for (let s = 0; s < STEPS; s++) integ.step(state);
  const t2 = performance.now();
  return { loopS: (t2 - t1) / 1000, initS: (t1 - t0) / 1000, e0PerAtomEv: e0, driftPerAtomEv: (state.conservedEnergyEv - c0) / n, builds: calc.neighborListBuilds - builds0 };
}

interface LammpsResult {
  loopS: number;
  pe0: number;
  builds: number;
  atoms: number;
}

function runLammps(input: string, vars: Record<string, string>): LammpsResult {
  const dir = mkdtempSync(join(tmpdir(), 'atomforge-md-bench-'));
  const log = join(dir, 'log.lammps');
  const argv = ['-in', join(BENCH, input), '-log', log, '-screen', 'none'];
  for (const [k, v] of Object.entries(vars)) argv.push('-var', k, v);
  const r = spawnSync(LMP, argv, { cwd: dir, env: { ...process.env, OMP_NUM_THREADS: '1' }, encoding: 'utf8' });
  if (r.error) throw new Error(`could not run ${LMP}: ${r.error.message} (install LAMMPS or pass --no-lammps)`);
  const text = readFileSync(log, 'utf8');
  if (r.status !== 0) throw new Error(`lmp failed (${r.status}):\n${text.slice(-2000)}`);
  const loop = /Loop time of ([\d.eE+-]+) on (\d+) procs for (\d+) steps with (\d+) atoms/.exec(text);
  if (!loop) throw new Error(`no "Loop time" in ${log}`);
  const lines = text.split('\n');
  const h = lines.findIndex((l) => /^\s*Step\s+PotEng/.test(l));
  const pe0 = Number(lines[h + 1].trim().split(/\s+/)[1]);
  const builds = Number(/Neighbor list builds = (\d+)/.exec(text)?.[1] ?? NaN);
  return { loopS: Number(loop[1]), pe0, builds, atoms: Number(loop[4]) };
}

const fmt = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(3)} M` : `${(x / 1e3).toFixed(1)} k`);
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`MD benchmark: ${STEPS} steps, ${4 * NCELL ** 3} atoms, ${cpu}, ${cpus().length} logical cores, node ${process.version}`);
console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

const summary: Record<string, unknown>[] = [];
for (const name of CASES) {
  let ours: OurResult | null = null;
  let lmp: LammpsResult | null = null;
  let lmpChecked: LammpsResult | null = null;
  let check = '';
  for (let rep = 0; rep < REPEATS; rep++) {
    let o: OurResult;
    let l: LammpsResult | null = null;
    let lc: LammpsResult | null = null;
    if (name === 'lj') {
      const eps = 0.0104, sigma = 3.4, mass = 39.948;
      const tauFs = sigma * Math.sqrt((mass * AMU_EV_FS2_PER_A2) / eps);
      const a = sigma * Math.cbrt(4 / 0.8442);
      const calc = createLennardJones({ epsilonEv: eps, sigmaA: sigma, cutoffA: 2.5 * sigma, skinA: 0.3 * sigma });
      o = runOurs(calc, fcc(NCELL, a), 18, mass, (1.44 * eps) / KB_EV_PER_K, 0.005 * tauFs);
      if (RUN_LAMMPS) {
        l = runLammps('md_lj.in', { steps: String(STEPS), n: String(NCELL), every: '20', check: 'no' });
        lc = runLammps('md_lj.in', { steps: String(STEPS), n: String(NCELL), every: '1', check: 'yes' });
        check = `initial PE/atom: ours ${(o.e0PerAtomEv / eps).toFixed(10)} ε, LAMMPS ${l.pe0.toFixed(10)} ε`;
      }
    } else if (name === 'eam') {
      const text = readFileSync(EAM_FILE, 'utf8');
      const file = parseEamFuncfl(text, 'Cu_u3.eam');
      const calc = createEam(file, { skinA: 1.0, label: 'Cu_u3.eam' });
      o = runOurs(calc, fcc(NCELL, 3.615), 29, file.massAmu, 300, 1.0);
      if (RUN_LAMMPS) {
        l = runLammps('md_eam.in', { steps: String(STEPS), n: String(NCELL), pot: EAM_FILE });
        check = `initial PE/atom: ours ${o.e0PerAtomEv.toFixed(10)} eV, LAMMPS ${(l.pe0 / l.atoms).toFixed(10)} eV`;
      }
    } else throw new Error(`unknown case ${name} (lj, eam)`);
    if (!ours || o.loopS < ours.loopS) ours = o;
    if (l && (!lmp || l.loopS < lmp.loopS)) lmp = l;
    if (lc && (!lmpChecked || lc.loopS < lmpChecked.loopS)) lmpChecked = lc;
  }
  const n = 4 * NCELL ** 3;
  const oursRate = (n * STEPS) / ours!.loopS;
  console.log(`\n[${name}] ${n} atoms × ${STEPS} steps`);
  console.log(`  Atomforge: ${fmt(oursRate)}atom-steps/s  (loop ${ours!.loopS.toFixed(2)} s, init ${ours!.initS.toFixed(2)} s, ${ours!.builds} list rebuilds, conserved-energy drift ${(ours!.driftPerAtomEv * 1e3).toExponential(2)} meV/atom)`);
  const row: Record<string, unknown> = { case: name, atoms: n, steps: STEPS, atomforge_atom_steps_per_s: oursRate, atomforge_loop_s: ours!.loopS };
  if (lmp) {
    const lmpRate = (n * STEPS) / lmp.loopS;
    const policy = name === 'lj' ? ' [in.lj: every 20 check no]' : '';
    console.log(`  LAMMPS:    ${fmt(lmpRate)}atom-steps/s  (loop ${lmp.loopS.toFixed(2)} s, ${lmp.builds} list builds)${policy}`);
    console.log(`  ratio Atomforge / LAMMPS: ${(oursRate / lmpRate).toFixed(3)}`);
    Object.assign(row, { lammps_atom_steps_per_s: lmpRate, lammps_loop_s: lmp.loopS, ratio: oursRate / lmpRate });
    if (lmpChecked) {
      const r2 = (n * STEPS) / lmpChecked.loopS;
      console.log(`  LAMMPS:    ${fmt(r2)}atom-steps/s  (loop ${lmpChecked.loopS.toFixed(2)} s, ${lmpChecked.builds} list builds) [every 1 check yes, our policy]`);
      console.log(`  ratio Atomforge / LAMMPS (same list policy): ${(oursRate / r2).toFixed(3)}`);
      Object.assign(row, { lammps_checked_atom_steps_per_s: r2, ratio_same_policy: oursRate / r2 });
    }
    console.log(`  ${check}`);
  }
  summary.push(row);
}
console.log(`\nload average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
if (args.includes('--json')) console.log(JSON.stringify(summary));
