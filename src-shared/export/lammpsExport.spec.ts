// Exported LAMMPS tables against our calculators: each exported file is run by Debian's LAMMPS
// (`lmp`, pair_style table spline / eam/alloy) on perturbed triclinic periodic cells, and energy,
// forces, per-atom energies and stress are compared with the calculator the file was made from.
// Skips with a message when lmp is absent (CI installs Debian's lammps).
// The EAM round trip (exported setfl read back by our own reader) runs without LAMMPS.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { calculatorFromSpec } from '../potentials/registry';
import { createEamFromText } from '../potentials/eam';
import { parseEamFile } from '../potentials/eamFile';
import type { Calculator } from '../calculators/calculator';
import { lammpsData, lammpsUnavailable, runLammps, runLammpsInput } from '../../test-support/lammpsRun';
import { exampleLammpsInput } from './lammpsInput';
import { exportPairTable, pairCutoffsFromSpec } from './lammpsPairTable';
import { exportSetfl } from './lammpsSetfl';
import { agreement, perturbedFcc, type Agreement } from './testing';

const POT = fileURLToPath(new URL('../../fixtures/potentials/', import.meta.url));
const noLammps = lammpsUnavailable();
if (noLammps) console.warn(`lammpsExport.spec: LAMMPS checks skipped: ${noLammps}`);

function calc(spec: string): Calculator {
  return built(spec).calculator;
}

function built(spec: string) {
  const b = calculatorFromSpec(spec);
  if ('error' in b) throw new Error(b.error);
  return b;
}

const report: Record<string, Agreement> = {};

const PAIR_CASES = [
  {
    name: 'LJ Ar/Kr per pair, unshifted, per-pair cutoffs (9, 7, 8.5 Å)',
    spec: 'lj:cutoff=8.5;Ar-Ar:epsilon=0.0104,sigma=3.40;Kr-Kr:epsilon=0.014,sigma=3.65,cutoff=9.0;Ar-Kr:epsilon=0.012,sigma=3.52,cutoff=7.0',
    elements: ['Ar', 'Kr'],
    system: perturbedFcc({ latticeA: 5.6, repeat: 3, elements: ['Ar', 'Kr'], rattleA: 0.15, tilt: [0.1, -0.05, 0.08], seed: 6 }),
  },
  {
    name: 'Morse Cu (shifted)',
    spec: 'morse:d0=0.3429,alpha=1.3588,r0=2.866,cutoff=6,shift=true',
    elements: ['Cu'],
    system: perturbedFcc({ latticeA: 3.615, repeat: 3, elements: ['Cu'], rattleA: 0.1, tilt: [0.05, 0.1, -0.07], seed: 2 }),
  },
  {
    name: 'ZBL Si/C (switched 1.5-2.8 Å)',
    spec: 'zbl:inner=1.5,outer=2.8',
    elements: ['C', 'Si'],
    system: perturbedFcc({ latticeA: 3.1, repeat: 3, elements: ['Si', 'C'], rattleA: 0.12, tilt: [-0.1, 0.05, 0.05], seed: 3 }),
  },
];

describe.skipIf(noLammps !== null)('pair_style table export vs our calculator, run by LAMMPS', () => {
  it.each(PAIR_CASES.map((c) => [c.name, c] as const))('%s: energy 1e-8, forces, per-atom energies and stress 1e-6', (name, c) => {
    const { calculator, parsed } = built(c.spec);
    const table = exportPairTable(calculator, { elements: c.elements, points: 10000, fileName: 'pot.table', source: c.spec, cutoffOf: pairCutoffsFromSpec(parsed) });
    const ref = calculator.compute(c.system, { forces: true, stress: true, energies: true });
    const lmp = runLammps(c.system, c.elements, table.pairLines, { 'pot.table': table.text });
    const a = agreement(lmp, ref);
    report[name] = a;
    console.log(`${name}: LAMMPS table (N=${table.points}, inner ${table.innerA} Å) vs Atomforge, relative deviations`, a);
    expect(a.energy).toBeLessThan(1e-8);
    expect(a.forces).toBeLessThan(1e-6);
    expect(a.energies).toBeLessThan(1e-6);
    expect(a.stress).toBeLessThan(1e-6);
  });

  it('per-pair cutoffs matter: tabulating every pair to the largest cutoff puts a jump in the table', () => {
    const c = PAIR_CASES[0];
    const calculator = calc(c.spec);
    const table = exportPairTable(calculator, { elements: c.elements, points: 10000, fileName: 'pot.table' });
    const a = agreement(runLammps(c.system, c.elements, table.pairLines, { 'pot.table': table.text }), calculator.compute(c.system, { forces: true, stress: true, energies: true }));
    console.log('per-pair cutoffs ignored: relative deviations', a);
    expect(a.forces).toBeGreaterThan(1e-6);
  });

  it('the tabulation error falls as h⁴ (cubic spline): N = 2500 vs 5000 points, energy and stress error ratio ~16', () => {
    const c = PAIR_CASES[0];
    const { calculator, parsed } = built(c.spec);
    const ref = calculator.compute(c.system, { forces: true, stress: true, energies: true });
    const err = (points: number) => {
      const table = exportPairTable(calculator, { elements: c.elements, points, fileName: 'pot.table', cutoffOf: pairCutoffsFromSpec(parsed) });
      return agreement(runLammps(c.system, c.elements, table.pairLines, { 'pot.table': table.text }), ref);
    };
    const coarse = err(2500), fine = err(5000);
    console.log('LJ table error vs points: N=2500', coarse, 'N=5000', fine);
    // energy and stress: cubic-spline order h⁴ (ratio 16); forces (LAMMPS splines f/r separately): at least h³
    expect(coarse.energy / fine.energy).toBeGreaterThan(10);
    expect(coarse.energy / fine.energy).toBeLessThan(24);
    expect(coarse.stress / fine.stress).toBeGreaterThan(10);
    expect(coarse.forces / fine.forces).toBeGreaterThan(6);
  });
});

describe('eam/alloy setfl export', () => {
  const cases = [
    { name: 'Cu_u3.eam (funcfl)', file: 'Cu_u3.eam', elements: ['Cu'], seed: 4 },
    { name: 'CuNi.eam.alloy (setfl)', file: 'CuNi.eam.alloy', elements: ['Cu', 'Ni'], seed: 5 },
  ];
  const systemOf = (c: (typeof cases)[number]) => perturbedFcc({ latticeA: 3.6, repeat: 3, elements: c.elements, rattleA: 0.1, tilt: [0.05, -0.08, 0.1], seed: c.seed });

  it.each(cases.map((c) => [c.name, c] as const))('%s: our reader on the exported setfl gives the same numbers (round trip)', (_n, c) => {
    const text = readFileSync(POT + c.file, 'utf8');
    const original = createEamFromText(text, c.file);
    const out = exportSetfl(parseEamFile(text, c.file), c.file);
    const back = createEamFromText(out.text, 'export.eam.alloy');
    const sys = systemOf(c);
    const a = agreement(back.compute(sys, { forces: true, stress: true, energies: true }), original.compute(sys, { forces: true, stress: true, energies: true }));
    expect(a.energy).toBeLessThan(1e-13);
    expect(a.forces).toBeLessThan(1e-12);
    expect(a.stress).toBeLessThan(1e-12);
  });

  it.skipIf(noLammps !== null).each(cases.map((c) => [c.name, c] as const))('%s: LAMMPS eam/alloy on the export vs our calculator on the original, within 1e-10', (name, c) => {
    const text = readFileSync(POT + c.file, 'utf8');
    const original = createEamFromText(text, c.file);
    const out = exportSetfl(parseEamFile(text, c.file), c.file);
    const sys = systemOf(c);
    const lmp = runLammps(sys, out.elements, out.pairLines('pot.eam.alloy'), { 'pot.eam.alloy': out.text });
    const a = agreement(lmp, original.compute(sys, { forces: true, stress: true, energies: true }));
    report[name] = a;
    console.log(`${name}: LAMMPS eam/alloy on the export vs Atomforge, relative deviations`, a);
    expect(a.energy).toBeLessThan(1e-10);
    expect(a.forces).toBeLessThan(1e-10);
    expect(a.energies).toBeLessThan(1e-10);
    expect(a.stress).toBeLessThan(1e-10);
  });
});

describe.skipIf(noLammps !== null)('the example in.lammps written with an export runs', () => {
  /** Total energy per atom at the first and last thermo lines of the example's NVE run. */
  function etotalDrift(log: string, nAtoms: number): { first: number; last: number } {
    const lines = log.split('\n');
    const k = lines.findIndex((l) => /^\s*Step\s+Temp\s+PotEng\s+TotEng/.test(l));
    const rows: number[][] = [];
    for (let q = k + 1; q < lines.length && /^\s*\d/.test(lines[q]); q++) rows.push(lines[q].trim().split(/\s+/).map(Number));
    expect(rows.length).toBe(101);
    return { first: rows[0][3] / nAtoms, last: rows[rows.length - 1][3] / nAtoms };
  }
  it('pair table (Morse Cu, shifted): 1000 NVE steps, total energy kept within 1e-4 eV/atom', () => {
    const c = PAIR_CASES[1];
    expect(c.name).toMatch(/^Morse/);
    const table = exportPairTable(calc(c.spec), { elements: c.elements, points: 5000 });
    const input = exampleLammpsInput({ elements: c.elements, pairLines: table.pairLines, title: c.spec });
    const log = runLammpsInput({ 'in.lammps': input, [table.fileName]: table.text, 'structure.data': lammpsData(c.system, c.elements) });
    const d = etotalDrift(log, c.system.numbers.length);
    expect(Math.abs(d.last - d.first)).toBeLessThan(1e-4);
  });
  it('eam/alloy (funcfl Cu_u3 converted): 1000 NVE steps, total energy kept within 1e-4 eV/atom', () => {
    const out = exportSetfl(parseEamFile(readFileSync(POT + 'Cu_u3.eam', 'utf8'), 'Cu_u3.eam'));
    const sys = perturbedFcc({ latticeA: 3.615, repeat: 3, elements: ['Cu'], rattleA: 0.05, seed: 8 });
    const input = exampleLammpsInput({ elements: out.elements, pairLines: out.pairLines('Cu.eam.alloy'), title: 'Cu_u3' });
    const log = runLammpsInput({ 'in.lammps': input, 'Cu.eam.alloy': out.text, 'structure.data': lammpsData(sys, out.elements) });
    const d = etotalDrift(log, sys.numbers.length);
    expect(Math.abs(d.last - d.first)).toBeLessThan(1e-4);
  });
});
