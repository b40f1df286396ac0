// CP2K output reader on real outputs of Debian's cp2k 2023.1 (fixtures/io/dft/cp2k: inputs and
// outputs, made by scripts/fixtures/gen_dft.py): an 8-atom Si cell with stress, a water molecule
// without periodicity, and an MD run whose trajectory goes to the main output. The reference is
// the printouts converted with ASE's units in the script, and, independently, the same Si cell
// computed through ASE's CP2K calculator (cp2k_shell returns eV and Å itself; ASE flips the sign of
// CP2K's stress), which checks the Hartree/Bohr and GPa conversions and the sign.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BOHR_A, GPA_EV_PER_A3, HARTREE_EV } from '../../units';
import { readText } from '../read';
import { detectFormat } from '../registry';
import { checkFrames, maxAbsDiff, readInChunks, readOrThrow } from './dftTesting';
import { cp2kOutFormat } from './cp2kOut';

const DIR = fileURLToPath(new URL('../../../fixtures/io/dft/cp2k/', import.meta.url));
const bytes = (name: string) => new Uint8Array(readFileSync(DIR + name));
const text = (name: string) => readFileSync(DIR + name, 'utf8');
const doc = (name: string) => JSON.parse(readFileSync(DIR + name + '.json', 'utf8'));

describe('CP2K output', () => {
  for (const name of ['si8_sp.out', 'h2o_sp.out', 'si8_md.out']) {
    it(`${name}: every force evaluation as the printouts converted with ASE's units`, () => {
      const r = readOrThrow(cp2kOutFormat, bytes(name), name);
      checkFrames(r.frames, doc(name).frames, { energy: 1e-9, forces: 1e-12, stress: 1e-14 });
      expect(r.warnings).toEqual([]);
    });
  }

  it("agrees with ASE's CP2K calculator (cp2k_shell, eV/Å, ASE sign) on the Si cell", () => {
    const f = readOrThrow(cp2kOutFormat, bytes('si8_sp.out'), 'si8_sp.out').frames[0];
    const ref = doc('si8_sp.out').ase_cp2k_shell;
    // Different runs of the SCF: agreement to the convergence, not to the last digit.
    expect(Math.abs(f.energyEv! - ref.energy)).toBeLessThan(1e-3);
    expect(maxAbsDiff(f.forcesEvPerA!, ref.forces)).toBeLessThan(1e-5);
    expect(maxAbsDiff(f.stressEvPerA3!, ref.stress)).toBeLessThan(1e-7);
    // CP2K prints +12.38 GPa (compressed cell, pressure-positive); ASE's sign is negative.
    expect(f.stressEvPerA3![0]).toBeLessThan(-0.07);
  });

  it('conversions by hand on the first rows of si8_sp.out', () => {
    const src = text('si8_sp.out');
    const f = readOrThrow(cp2kOutFormat, bytes('si8_sp.out'), 'si8_sp.out').frames[0];
    const e = Number(/energy \[a\.u\.\]:\s+(\S+)/.exec(src)![1]);
    expect(f.energyEv).toBe(e * HARTREE_EV); // Hartree = 27.211386024 eV (CODATA 2014, ASE)
    const row1 = /^\s+1\s+1\s+Si\s+(\S+)\s+(\S+)\s+(\S+)$/m.exec(src.slice(src.indexOf('ATOMIC FORCES')))!;
    expect(f.forcesEvPerA![0]).toBeCloseTo((Number(row1[1]) * 27.211386024) / 0.529177210564, 9); // x 51.42208619
    const sxx = Number(/STRESS\|\s+x\s+(-?\d\S*)/.exec(src)![1]);
    expect(f.stressEvPerA3![0]).toBe(-sxx * GPA_EV_PER_A3); // 1 GPa = 6.2415091259e-3 eV/Å³
    expect(f.stressEvPerA3![0]).toBeCloseTo(-sxx * 6.2415091259e-3, 12);
    // Cell 5.430 with |a| = 5.430000; periodic in XYZ.
    expect(Array.from(f.cellA!)).toEqual([5.43, 0, 0, 0, 5.43, 0, 0, 0, 5.43]);
    expect(f.pbc).toEqual([true, true, true]);
    expect(BOHR_A).toBeCloseTo(0.529177210564, 11);
  });

  it('water in a non-periodic box: no pbc, no stress', () => {
    const f = readOrThrow(cp2kOutFormat, bytes('h2o_sp.out'), 'h2o_sp.out').frames[0];
    expect(f.pbc).toEqual([false, false, false]);
    expect(f.stressEvPerA3).toBeUndefined();
    expect(f.symbols).toEqual(['O', 'H', 'H']);
  });

  it('MD without the trajectory in the output: only the first evaluation, with a warning', () => {
    const src = text('si8_md.out');
    // Remove the xyz blocks (count line, "i = ..." line and 8 rows) as if TRAJECTORY went to a file.
    const lines = src.split('\n');
    const kept: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (/^\s+i =\s+\d+, time/.test(lines[i + 1] ?? '')) {
        i += 1 + 8;
        continue;
      }
      kept.push(lines[i]);
    }
    const r = readText(cp2kOutFormat, kept.join('\n'), { fileName: 'md.out' });
    expect(r.ok).toBe(true);
    expect(r.frames).toHaveLength(1);
    checkFrames(r.frames, doc('si8_md.out').frames.slice(0, 1));
    expect(r.warnings[0].message).toMatch(/2 of 3 force evaluations have no printed positions.*__STD_OUT__/);
  });

  it('streams in 64-byte chunks; detected by content; located errors', async () => {
    const r = await readInChunks(cp2kOutFormat, bytes('si8_md.out'), 64, 'x.log');
    checkFrames(r.frames, doc('si8_md.out').frames);
    const f = detectFormat('run.out', text('h2o_sp.out').slice(0, 8192));
    expect('name' in f && f.name).toBe('cp2k-out');
    const bad = text('si8_sp.out').replace(/(^\s+3\s+1\s+Si\s+\S+\s+)\S+/m, '$1oops');
    const e = readText(cp2kOutFormat, bad, { fileName: 'bad.out' });
    expect(e.ok).toBe(false);
    if (!e.ok) expect(e.error.message).toMatch(/bad.out:\d+: expected 3 numbers for/);
  });
});
