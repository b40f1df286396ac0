// Test helper: run Debian's LAMMPS (`lmp`, units metal) on a system with given pair commands and
// potential files, `run 0`, and read back energy, forces, per-atom energies and stress (ASE sign,
// eV/Å³: stress = -p / nktv2p with LAMMPS's metal constant nktv2p = 1.6021765e6 bar per eV/Å³,
// which undoes its own conversion exactly). Cells must be LAMMPS-shaped: rows a = (lx,0,0),
// b = (xy,ly,0), c = (xz,yz,lz).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AtomicSystem } from '../src-shared/calculators/calculator';
import { atomicNumber, massAmu, symbolOf } from '../src-shared/atoms/elements';

export const LMP = process.env.LMP ?? '/usr/bin/lmp';
export const NKTV2P_METAL = 1.6021765e6;

/** Why LAMMPS cannot run here (for skip messages), or null when it can. */
export function lammpsUnavailable(): string | null {
  if (!existsSync(LMP)) return `LAMMPS not found at ${LMP} (Debian: apt-get install lammps; CI installs it)`;
  return null;
}

export interface LammpsResult {
  energyEv: number;
  forcesEvPerA: Float64Array;
  energiesEv: Float64Array;
  stressEvPerA3: Float64Array;
  log: string;
}

export function runLammps(system: AtomicSystem, elements: readonly string[], pairLines: readonly string[], files: Record<string, string>, extra: readonly string[] = []): LammpsResult {
  const n = system.numbers.length;
  const dir = mkdtempSync(join(tmpdir(), 'atomforge-lmp-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    writeFileSync(join(dir, 'data.lmp'), lammpsData(system, elements));
    const script = [
      'units metal', 'atom_style atomic', 'boundary p p p', 'atom_modify map array', 'box tilt large',
      'read_data data.lmp', ...pairLines, ...extra,
      'compute peatom all pe/atom',
      'thermo_style custom step pe pxx pyy pzz pxy pxz pyz',
      'thermo_modify format float %.17g',
      'dump d all custom 1 dump.txt id type fx fy fz c_peatom',
      'dump_modify d sort id format float %.17g',
      'run 0', '',
    ].join('\n');
    writeFileSync(join(dir, 'in.lmp'), script);
    const r = spawnSync(LMP, ['-in', 'in.lmp', '-log', 'log.lammps', '-screen', 'none'], { cwd: dir, env: { ...process.env, OMP_NUM_THREADS: '1' }, encoding: 'utf8' });
    const log = existsSync(join(dir, 'log.lammps')) ? readFileSync(join(dir, 'log.lammps'), 'utf8') : '';
    if (r.status !== 0) throw new Error(`lmp failed (${r.status}): ${log.slice(-2000)} ${r.stderr}`);
    const lines = log.split('\n');
    const k = lines.findIndex((l) => l.trim().split(/\s+/).slice(0, 2).join(' ') === 'Step PotEng');
    const vals = lines[k + 1].trim().split(/\s+/).map(Number);
    const [pxx, pyy, pzz, pxy, pxz, pyz] = vals.slice(2, 8);
    const dump = readFileSync(join(dir, 'dump.txt'), 'utf8').split('\n');
    const d0 = dump.findIndex((l) => l.startsWith('ITEM: ATOMS'));
    const forces = new Float64Array(3 * n), energies = new Float64Array(n);
    for (let q = 0; q < n; q++) {
      const w = dump[d0 + 1 + q].trim().split(/\s+/).map(Number);
      const a = w[0] - 1;
      forces[3 * a] = w[2]; forces[3 * a + 1] = w[3]; forces[3 * a + 2] = w[4];
      energies[a] = w[5];
    }
    const s = [pxx, pxy, pxz, pxy, pyy, pyz, pxz, pyz, pzz].map((p) => -p / NKTV2P_METAL);
    return { energyEv: vals[1], forcesEvPerA: forces, energiesEv: energies, stressEvPerA3: Float64Array.from(s), log };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A LAMMPS data file (atom_style atomic) for a system with a lower-triangular cell. */
export function lammpsData(system: AtomicSystem, elements: readonly string[]): string {
  const c = system.cellA!;
  if (c[1] !== 0 || c[2] !== 0 || c[5] !== 0) throw new Error('lammpsData: the cell must be lower triangular (LAMMPS box)');
  const n = system.numbers.length;
  const typeOf = (z: number) => elements.indexOf(symbolOf(z)) + 1;
  const data = [
    'Atomforge test system', '', `${n} atoms`, `${elements.length} atom types`, '',
    `0 ${c[0]} xlo xhi`, `0 ${c[4]} ylo yhi`, `0 ${c[8]} zlo zhi`, `${c[3]} ${c[6]} ${c[7]} xy xz yz`, '',
    'Masses', '', ...elements.map((e, t) => `${t + 1} ${massAmu(atomicNumber(e))}`), '',
    'Atoms # atomic', '',
  ];
  for (let a = 0; a < n; a++) {
    const t = typeOf(system.numbers[a]);
    if (t < 1) throw new Error(`lammpsData: element ${symbolOf(system.numbers[a])} is not in ${elements.join(', ')}`);
    data.push(`${a + 1} ${t} ${system.positionsA[3 * a]} ${system.positionsA[3 * a + 1]} ${system.positionsA[3 * a + 2]}`);
  }
  return data.join('\n') + '\n';
}

/** Run an input script in a folder holding `files`; returns the log (throws when lmp fails). */
export function runLammpsInput(files: Record<string, string>, input = 'in.lammps'): string {
  const dir = mkdtempSync(join(tmpdir(), 'atomforge-lmp-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const r = spawnSync(LMP, ['-in', input, '-log', 'log.lammps', '-screen', 'none'], { cwd: dir, env: { ...process.env, OMP_NUM_THREADS: '1' }, encoding: 'utf8' });
    const log = existsSync(join(dir, 'log.lammps')) ? readFileSync(join(dir, 'log.lammps'), 'utf8') : '';
    if (r.status !== 0) throw new Error(`lmp failed (${r.status}): ${log.slice(-2000)} ${r.stderr}`);
    return log;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
