// VASP OUTCAR, vasprun.xml and XDATCAR readers on hand-written excerpts (fixtures/io/dft/vasp;
// no VASP here), compared with what ASE 3.22 reads from the same files (the .json next to each,
// written by scripts/fixtures/gen_dft.py), with the unit and sign conversions checked by hand.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GPA_EV_PER_A3 } from '../../units';
import { readText } from '../read';
import { detectFormat } from '../registry';
import { checkFrames, readInChunks, readOrThrow } from './dftTesting';
import { VASP_KBAR_TO_ASE_EV_PER_A3, vaspOutcarFormat } from './vaspOutcar';
import { vasprunFormat } from './vasprun';
import { xdatcarFormat } from './xdatcar';

const DIR = fileURLToPath(new URL('../../../fixtures/io/dft/vasp/', import.meta.url));
const bytes = (name: string) => new Uint8Array(readFileSync(DIR + name));
const text = (name: string) => readFileSync(DIR + name, 'utf8');
const expected = (name: string) => JSON.parse(readFileSync(DIR + name + '.json', 'utf8')).frames;
// 1 kbar = 1e8 Pa = 1e8 J/m³ / (1.6021766208e-19 J/eV) / (1e30 Å³/m³) = 6.2415091259e-4 eV/Å³.
const KBAR = 1e8 / 1.6021766208e11;

describe('VASP OUTCAR', () => {
  it('every ionic step matches ASE 3.22 (energy = energy(sigma->0), forces, stress, cell)', () => {
    const r = readOrThrow(vaspOutcarFormat, bytes('OUTCAR'), 'OUTCAR');
    checkFrames(r.frames, expected('OUTCAR'));
    expect(r.frames.map((f) => f.info.free_energy_eV)).toEqual(expected('OUTCAR').map((e: { free_energy: number }) => e.free_energy));
    expect(r.labelKeys.energy).toEqual({ 'energy(sigma->0)': 2 });
  });

  it('conversions by hand: kbar -> eV/Å³ with the sign flipped, Voigt order XX YY ZZ XY YZ ZX', () => {
    // 1 kbar = 0.1 GPa = 1e8 Pa = 1e8 / (1.6021766208e-19 J/eV * 1e30 Å³/m³) eV/Å³ = 6.241509126e-4 eV/Å³.
    expect(VASP_KBAR_TO_ASE_EV_PER_A3).toBeCloseTo(-KBAR, 14);
    expect(VASP_KBAR_TO_ASE_EV_PER_A3).toBe(-0.1 * GPA_EV_PER_A3);
    const [s1, s2] = readOrThrow(vaspOutcarFormat, bytes('OUTCAR'), 'OUTCAR').frames.map((f) => f.stressEvPerA3!);
    // step 1: "in kB  43.70500 47.67800 51.65100 3.97300 7.94600 11.91900" (compressive: ASE negative)
    expect(s1[0]).toBeCloseTo(-43.705 * KBAR, 14); // xx = -0.027278...
    expect(s1[4]).toBeCloseTo(-47.678 * KBAR, 14); // yy
    expect(s1[8]).toBeCloseTo(-51.651 * KBAR, 14); // zz
    expect(s1[1]).toBeCloseTo(-3.973 * KBAR, 14); // xy = yx
    expect(s1[3]).toBe(s1[1]);
    expect(s1[5]).toBeCloseTo(-7.946 * KBAR, 14); // yz
    expect(s1[2]).toBeCloseTo(-11.919 * KBAR, 14); // zx
    // step 2: fields that ran together, "-104.03097-104.11111-104.22222": tensile, ASE positive.
    expect(s2[0]).toBeCloseTo(104.03097 * KBAR, 14); // 0.0649310...
    expect(s2[4]).toBeCloseTo(104.11111 * KBAR, 14);
    expect(s2[5]).toBeCloseTo(1.0 * KBAR, 14); // YZ = -1.0 kbar
    expect(s2[2]).toBeCloseTo(-2.0 * KBAR, 14); // ZX = +2.0 kbar
  });

  it('energies: energyEv is energy(sigma->0); TOTEN and the entropy-free energy in info', () => {
    const f = readOrThrow(vaspOutcarFormat, bytes('OUTCAR'), 'OUTCAR').frames[1];
    expect(f.energyEv).toBe(-18.34283945);
    expect(f.info.free_energy_eV).toBe(-18.3456789);
    expect(f.info.energy_without_entropy_eV).toBe(-18.34);
    expect(f.forcesEvPerA![7]).toBe(-100.001); // "0.050000-100.001000" split like ASE does
    expect(f.symbols).toEqual(['Ca', 'F', 'F']); // POTCAR lines (listed twice) + ions per type 1 2
  });

  it('streams in 37-byte chunks with the same frames', async () => {
    const r = await readInChunks(vaspOutcarFormat, bytes('OUTCAR'), 37, 'OUTCAR');
    expect(r.ok).toBe(true);
    checkFrames(r.frames, expected('OUTCAR'));
  });

  it('located errors: missing ions per type, a short force row, an unfinished step', () => {
    const src = text('OUTCAR');
    let r = readText(vaspOutcarFormat, src.replace(/ions per type.*\n/, ''), { fileName: 'OUTCAR' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/ions per type/);
    const bad = src.replace('1.38000      1.36750      1.36750        -0.123456      0.010000     -0.020000', '1.38000      1.36750');
    r = readText(vaspOutcarFormat, bad, { fileName: 'OUTCAR' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.line).toBe(src.split('\n').findIndex((l) => l.includes('1.38000      1.36750      1.36750')) + 1);
      expect(r.error.message).toMatch(/6 numbers for position and force of atom 2 of 3/);
    }
    const cut = src.slice(0, src.lastIndexOf('FREE ENERGIE'));
    r = readText(vaspOutcarFormat, cut, { fileName: 'OUTCAR' });
    expect(r.ok).toBe(true);
    expect(r.frames).toHaveLength(1);
    expect(r.warnings[0].message).toMatch(/no energy block/);
  });

  it('machine-learned force-field steps are skipped with a warning', () => {
    const src = text('OUTCAR').replace(/FREE ENERGIE OF THE ION-ELECTRON SYSTEM/, 'ML FREE ENERGIE OF THE ION-ELECTRON SYSTEM');
    const r = readText(vaspOutcarFormat, src, { fileName: 'OUTCAR' });
    expect(r.ok).toBe(true);
    expect(r.frames).toHaveLength(1);
    expect(r.frames[0].info.ionic_step).toBe(2);
    expect(r.warnings[0].message).toMatch(/machine-learned/);
  });
});

describe('VASP vasprun.xml', () => {
  it('every calculation matches ASE 3.22, including its e_0_energy correction', () => {
    const r = readOrThrow(vasprunFormat, bytes('vasprun.xml'), 'vasprun.xml');
    checkFrames(r.frames, expected('vasprun.xml'));
    // calculation/energy says e_0_energy = -18.99999999 (the VASP bug ASE works around); the energy
    // is e_fr_energy + (e_0 - e_fr) of the last scstep = -18.23456789 + 0.00228394 = -18.23228395.
    expect(r.frames[0].energyEv).toBeCloseTo(-18.23228395, 10);
    expect(r.frames[0].info.free_energy_eV).toBe(-18.23456789);
    // Fractional -> Cartesian: F2 at (0.25, 0.251, 0.249) in the fcc cell of 2.735 Å rows.
    expect(r.frames[0].positionsA[3]).toBeCloseTo(0.251 * 2.735 + 0.249 * 2.735, 12);
    expect(r.frames[1].stressEvPerA3![0]).toBeCloseTo(104.03097 * KBAR, 14);
  });

  it('streams in 50-byte chunks; a truncated file keeps its complete calculations', async () => {
    const b = bytes('vasprun.xml');
    const r = await readInChunks(vasprunFormat, b, 50, 'vasprun.xml');
    checkFrames(r.frames, expected('vasprun.xml'));
    const src = text('vasprun.xml');
    const cut = readText(vasprunFormat, src.slice(0, src.lastIndexOf('<varray name="forces"')), { fileName: 'vasprun.xml' });
    expect(cut.ok).toBe(true);
    expect(cut.frames).toHaveLength(1);
    expect(cut.warnings[0].message).toMatch(/ends inside a <calculation>/);
  });

  it('located error for a malformed vector', () => {
    const src = text('vasprun.xml').replace('<v>      -0.05000000       0.00100000      -0.00200000 </v>', '<v>      -0.05000000 </v>');
    const r = readText(vasprunFormat, src, { fileName: 'vasprun.xml' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/vasprun.xml:\d+: expected 3 numbers in <v> for a force/);
  });
});

describe('VASP XDATCAR', () => {
  for (const name of ['XDATCAR', 'XDATCAR_npt']) {
    it(`${name} matches ASE 3.22`, () => {
      const r = readOrThrow(xdatcarFormat, bytes(name), name);
      checkFrames(r.frames, expected(name));
    });
  }

  it('variable cell: scale 1.5 multiplies the repeated lattice; configuration numbers kept', () => {
    const r = readOrThrow(xdatcarFormat, bytes('XDATCAR_npt'), 'XDATCAR_npt');
    expect(Array.from(r.frames[1].cellA!.slice(0, 3))).toEqual([3.65 * 1.5, 0.01 * 1.5, 0]);
    expect(r.frames.map((f) => f.info.vasp_configuration)).toEqual([1, 2]);
  });

  it('VASP 4 header needs species; truncated configuration is a located error', () => {
    const v4 = text('XDATCAR').replace('   Ca   F\n', '');
    let r = readText(xdatcarFormat, v4, { fileName: 'XDATCAR' });
    expect(r.ok).toBe(false);
    r = readText(xdatcarFormat, v4, { fileName: 'XDATCAR', species: ['Ca', 'F'] });
    expect(r.ok).toBe(true);
    r = readText(xdatcarFormat, text('XDATCAR').trimEnd().split('\n').slice(0, -1).join('\n'), { fileName: 'XDATCAR' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/position 3 of 3 of configuration 3/);
  });
});

describe('registry picks the VASP formats', () => {
  it('by name and by content', () => {
    for (const [name, fmt] of [['OUTCAR', 'vasp-out'], ['run1/vasprun.xml', 'vasp-xml'], ['XDATCAR', 'vasp-xdatcar'], ['XDATCAR_npt', 'vasp-xdatcar']]) {
      const f = detectFormat(name, text(name.replace('run1/', '')).slice(0, 8192));
      expect('name' in f && f.name).toBe(fmt);
    }
    for (const [name, fmt] of [['OUTCAR', 'vasp-out'], ['vasprun.xml', 'vasp-xml'], ['XDATCAR', 'vasp-xdatcar']]) {
      const f = detectFormat('upload.txt', text(name).slice(0, 8192));
      expect('name' in f && f.name).toBe(fmt);
    }
  });
});
