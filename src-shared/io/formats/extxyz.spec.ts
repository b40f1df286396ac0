// Extended XYZ reader/writer: numbers agree bit for bit with what ASE 3.22 read from files it wrote
// (fixtures/io/extxyz, made by scripts/fixtures/gen_extxyz.py), label detection and user mapping,
// virial -> stress, write -> read round trips, located errors, chunked streaming and CRLF.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Frame, makeFrame } from '../../atoms/frame';
import type { ReadOptions } from '../format';
import { type ReadResult, readStream, readText } from '../read';
import { extxyzFormat, sniffXyz } from './extxyz';

const DIR = join(__dirname, '../../../fixtures/io/extxyz');
const fixture = (name: string) => readFileSync(join(DIR, `${name}.xyz`));
const expected = (name: string) => JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8'));

function read(text: string | Uint8Array, opts: ReadOptions & { fileName?: string } = {}): ReadResult {
  return readText(extxyzFormat, text, { fileName: 'test.xyz', ...opts });
}
function ok(text: string | Uint8Array, opts: ReadOptions = {}): Frame[] {
  const r = read(text, opts);
  if (!r.ok) throw new Error(r.error.message);
  return r.frames;
}
function write(frames: Frame[]): string {
  return [...extxyzFormat.write!(frames, { fileName: 'out.xyz' })].join('');
}
const arr = (a: ArrayLike<number> | undefined | null) => (a ? Array.from(a) : a ?? null);

const LABEL_INFO = ['energy', 'REF_energy', 'DFT_energy', 'REF_stress', 'DFT_stress', 'virial'];

describe('extxyz: numbers agree with ASE 3.22', () => {
  for (const name of ['bulk', 'molecule', 'ref_keys', 'dft_keys', 'traj', 'columns', 'virial', 'plain']) {
    it(name, () => {
      const frames = ok(fixture(name));
      const ase = expected(name);
      expect(frames.length).toBe(ase.length);
      frames.forEach((f, i) => {
        const e = ase[i];
        expect(f.symbols).toEqual(e.symbols);
        expect(Array.from(f.numbers)).toEqual(e.numbers);
        expect(arr(f.positionsA)).toEqual(e.positions);
        expect(arr(f.cellA)).toEqual(e.cell);
        expect(f.pbc).toEqual(e.pbc);
        const energy = e.energy ?? e.info.REF_energy ?? e.info.DFT_energy;
        expect(f.energyEv).toBe(energy ?? undefined);
        const forces = e.forces ?? e.arrays.REF_forces?.data ?? e.arrays.DFT_forces?.data ?? null;
        expect(arr(f.forcesEvPerA)).toEqual(forces);
        if (e.stress_from_virial) {
          f.stressEvPerA3!.forEach((s, k) => expect(s).toBeCloseTo(e.stress_from_virial[k], 15));
        } else {
          expect(arr(f.stressEvPerA3)).toEqual(e.stress ?? e.info.REF_stress ?? e.info.DFT_stress ?? null);
        }
        const info = Object.fromEntries(Object.entries(e.info).filter(([k]) => !LABEL_INFO.includes(k)));
        if (name === 'plain') info.comment = 'water then ammonia'; // ASE's plain reader drops it
        expect(f.info).toEqual(info);
        const arrays = Object.fromEntries(
          Object.entries(f.arrays).map(([k, a]) => [
            k,
            { kind: a.kind, width: a.width, data: a.kind === 'bool' ? Array.from(a.data, Boolean) : Array.from(a.data as ArrayLike<unknown>) },
          ]),
        );
        const { REF_forces: _r, DFT_forces: _d, ...eArrays } = e.arrays;
        expect(arrays).toEqual(eArrays);
      });
    });
  }

  it('6-component Voigt stress and virial', () => {
    const frames = ok(fixture('voigt6'));
    const e = expected('voigt6');
    expect(arr(frames[0].stressEvPerA3)).toEqual(e[0].stress);
    frames[1].stressEvPerA3!.forEach((s, k) => expect(s).toBeCloseTo(e[1].stress[k], 16));
    expect(frames.map((f) => f.energyEv)).toEqual(e.map((x: { energy: number }) => x.energy));
    expect('virial' in frames[1].info).toBe(false);
  });
});

describe('extxyz: labels', () => {
  const cell = 'Lattice="2 0 0 0 2 0 0 0 2"';
  const atom = 'H 0 0 0 0.5 0.25 -1';

  it('detects energy, forces and stress keys in the documented order and notes them', () => {
    const text = `1\n${cell} Properties=species:S:1:pos:R:3:DFT_forces:R:3 free_energy=-1 DFT_energy=-2 Energy=-3 DFT_stress="1 2 3 4 5 6"\n${atom}\n`;
    const r = read(text);
    expect(r.ok).toBe(true);
    const f = r.frames[0];
    expect(f.energyEv).toBe(-2);
    expect(f.info).toEqual({ free_energy: -1, Energy: -3 });
    expect(arr(f.forcesEvPerA)).toEqual([0.5, 0.25, -1]);
    expect(f.arrays).toEqual({});
    // Voigt xx yy zz yz xz xy
    expect(arr(f.stressEvPerA3)).toEqual([1, 6, 5, 6, 2, 4, 5, 4, 3]);
    expect(r.labelKeys).toEqual({ energy: { DFT_energy: 1 }, forces: { DFT_forces: 1 }, stress: { DFT_stress: 1 } });
  });

  it('reads the 9 values of `stress` in ASE (Fortran) order and other keys row-major', () => {
    const s9 = '"1 2 3 4 5 6 7 8 9"';
    expect(arr(ok(`1\nstress=${s9}\nH 0 0 0\n`)[0].stressEvPerA3)).toEqual([1, 4, 7, 2, 5, 8, 3, 6, 9]);
    expect(arr(ok(`1\nREF_stress=${s9}\nH 0 0 0\n`)[0].stressEvPerA3)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(arr(ok(`1\nREF_stress="_JSON [[1, 2, 3], [4, 5, 6], [7, 8, 9]]"\nH 0 0 0\n`)[0].stressEvPerA3)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('a user mapping overrides detection and leaves the other keys in info/arrays', () => {
    const text = `1\n${cell} Properties=species:S:1:pos:R:3:forces:R:3:my_F:R:3 energy=-1 my_E=-7 my_S="1 1 1 0 0 0"\nH 0 0 0 1 2 3 4 5 6\n`;
    const r = read(text, { labelKeys: { energy: 'my_E', forces: 'my_F', stress: 'my_S' } });
    expect(r.ok).toBe(true);
    const f = r.frames[0];
    expect(f.energyEv).toBe(-7);
    expect(arr(f.forcesEvPerA)).toEqual([4, 5, 6]);
    expect(arr(f.stressEvPerA3)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(f.info).toEqual({ energy: -1 });
    expect(Array.from(f.arrays.forces.data as Float64Array)).toEqual([1, 2, 3]);
    expect(r.labelKeys.energy).toEqual({ my_E: 1 });
    // A mapped key that is missing gives no label (no silent fallback to another key).
    expect(ok(text, { labelKeys: { energy: 'nope' } })[0].energyEv).toBeUndefined();
    // An empty key turns the label off.
    expect(ok(text, { labelKeys: { forces: '' } })[0].forcesEvPerA).toBeUndefined();
  });

  it('virial -> stress = -virial / volume; without a cell it warns and keeps the virial', () => {
    const f = ok(`1\nLattice="2 0 0 0 4 0 0 0 1" virial="8 0 0 0 -16 0 0 0 4" pbc="T T F"\nH 0 0 0\n`)[0];
    expect(arr(f.stressEvPerA3)).toEqual([-1, -0, -0, -0, 2, -0, -0, -0, -0.5]);
    expect(f.pbc).toEqual([true, true, false]);
    const r = read(`1\nvirial="8 0 0 0 -16 0 0 0 4"\nH 0 0 0\n`);
    expect(r.ok && r.frames[0].stressEvPerA3).toBeUndefined();
    expect(r.frames[0].info.virial).toEqual([8, 0, 0, 0, -16, 0, 0, 0, 4]);
    expect(r.warnings[0]).toMatchObject({ file: 'test.xyz', line: 2 });
    expect(r.warnings[0].message).toMatch(/virial.*cell/);
    // stress wins over virial, which then stays in info.
    const g = ok(`1\n${cell} stress="1 1 1 0 0 0" virial="1 0 0 0 1 0 0 0 1"\nH 0 0 0\n`)[0];
    expect(g.stressEvPerA3![0]).toBe(1);
    expect(g.info.virial).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('mixed labels are masked per frame, never zero-filled', () => {
    const frames = ok(fixture('traj'));
    expect(frames.map((f) => [f.energyEv !== undefined, !!f.forcesEvPerA, !!f.stressEvPerA3])).toEqual([
      [true, false, false],
      [true, true, false],
      [false, false, false],
      [true, true, true],
    ]);
  });
});

describe('extxyz: comment line and columns', () => {
  it('parses info values like ASE (quotes, escapes, {} arrays, bare keys, T/F, ints, floats, JSON)', () => {
    const f = ok(
      `1\nProperties=species:S:1:pos:R:3 a=1 b=2.5 c="1 2 3" d={1.5 2} e=T f="T F T" g="two words" h='single' k = 7 flag ` +
        `s="say \\"hi\\"" uid=123 n=nan j="_JSON {\\"x\\": 1}" l="_JSON [\\"p\\", \\"q\\"]" m=1e3\nH 1 2 3\n`,
    )[0];
    expect(f.info).toEqual({
      a: 1, b: 2.5, c: [1, 2, 3], d: [1.5, 2], e: true, f: [true, false, true], g: 'two words', h: 'single', k: 7,
      flag: true, s: 'say "hi"', uid: '123', n: NaN, j: '_JSON {"x": 1}', l: ['p', 'q'], m: 1000,
    });
  });

  it('Z column in place of species; extra columns of all types; species are case-insensitive', () => {
    const f = ok(`2\nProperties=Z:I:1:pos:R:3:q:R:1:t:I:2:m:L:1:s:S:1\n29 0 0 0 -0.5 1 2 T x\n8 1 1 1 0.5 3 4 False y\n`)[0];
    expect(f.symbols).toEqual(['Cu', 'O']);
    expect(Object.keys(f.arrays)).toEqual(['q', 't', 'm', 's']);
    expect(Array.from(f.arrays.t.data as Int32Array)).toEqual([1, 2, 3, 4]);
    expect(Array.from(f.arrays.m.data as Uint8Array)).toEqual([1, 0]);
    expect(ok(`2\n\ncu 0 0 0\nCU 1 1 1\n`)[0].symbols).toEqual(['Cu', 'Cu']);
  });

  it('plain XYZ: free comment, extra numeric or string columns kept, type numbers need species', () => {
    const f = ok(`2\nsome title\nC 0 0 0 1 2 3\nO 1.2 0 0 4 5 6\n`)[0];
    expect(f.info).toEqual({ comment: 'some title' });
    expect(f.arrays.extra).toMatchObject({ kind: 'real', width: 3 });
    expect(f.forcesEvPerA).toBeUndefined();
    // The user can name the extra columns as forces.
    expect(arr(ok(`1\n\nC 0 0 0 1 2 3\n`, { labelKeys: { forces: 'extra' } })[0].forcesEvPerA)).toEqual([1, 2, 3]);
    expect(ok(`1\n\nC 0 0 0 tag\n`)[0].arrays.extra).toEqual({ kind: 'string', width: 1, data: ['tag'] });
    expect(ok(`2\n\n1 0 0 0\n2 1 1 1\n`, { species: ['Cu', 'Ni'] })[0].symbols).toEqual(['Cu', 'Ni']);
    const r = read(`2\n\n1 0 0 0\n2 1 1 1\n`);
    expect(!r.ok && r.error.message).toMatch(/test\.xyz:3: .*element symbol.*type number/);
  });

  it('skips blank lines between frames, a UTF-8 BOM and reads zero-atom frames', () => {
    const frames = ok(`\uFEFF1\n\nH 0 0 0\n\n\n0\nempty\n1\n\nHe 1 1 1\n\n`);
    expect(frames.map((f) => f.symbols.length)).toEqual([1, 0, 1]);
    // No newline at the end of the file, with and without Properties, LF or CRLF.
    expect(arr(ok('2\nProperties=species:S:1:pos:R:3\nH 0 0 0\nH 1 2 3')[0].positionsA)).toEqual([0, 0, 0, 1, 2, 3]);
    expect(arr(ok('1\n\nH 1 2 3\r')[0].positionsA)).toEqual([1, 2, 3]);
    expect(arr(ok('1\n\nH 1 2 3')[0].positionsA)).toEqual([1, 2, 3]);
  });

  it('sniffs extended and plain XYZ', () => {
    expect(sniffXyz(fixture('bulk').toString().slice(0, 4096))).toBeGreaterThan(0.9);
    expect(sniffXyz(fixture('plain').toString())).toBeGreaterThan(0.5);
    expect(sniffXyz('data_cif\n_cell_length_a 3\n')).toBe(0);
  });
});

describe('extxyz: number parsing is bit-identical to parseFloat', () => {
  it('random reals in many textual forms, padded with spaces and tabs', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const forms = [
      (x: number) => x.toFixed(8).padStart(16),
      (x: number) => String(x),
      (x: number) => x.toExponential(12),
      (x: number) => x.toFixed(20),
      (x: number) => x.toPrecision(17),
      (x: number) => '+' + Math.abs(x).toFixed(3),
      (x: number) => '000' + Math.abs(x).toFixed(5),
      (x: number) => Math.round(x * 1e6).toString(),
      (x: number) => (x * 1e12).toFixed(4),
      (x: number) => x.toFixed(9).replace(/^(-?)0\./, '$1.'),
      (x: number) => x.toFixed(2) + 'D-03',
    ];
    const tokens: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const x = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 12 - 4);
      tokens.push(forms[i % forms.length](x));
    }
    const sep = ['  ', ' ', '\t', '     ', ' \t '];
    let text = `${tokens.length / 3}\nProperties=species:S:1:pos:R:3\n`;
    for (let i = 0; i < tokens.length; i += 3) text += `H${sep[i % 5]}${tokens[i]}${sep[(i + 1) % 5]}${tokens[i + 1]}${sep[(i + 2) % 5]}${tokens[i + 2]}${i % 2 ? '   ' : ''}\n`;
    const pos = ok(text)[0].positionsA;
    tokens.forEach((t, k) => {
      expect(Object.is(pos[k], parseFloat(t.replace('D', 'e'))), `${t} -> ${pos[k]}`).toBe(true);
    });
  });
});

describe('extxyz: write -> read round trip is exact', () => {
  for (const name of ['bulk', 'molecule', 'ref_keys', 'traj', 'columns', 'virial', 'voigt6', 'plain']) {
    it(name, () => {
      const frames = ok(fixture(name));
      const text = write(frames);
      expect(ok(text)).toEqual(frames);
      expect(write(ok(text))).toBe(text);
    });
  }

  it('awkward numbers, info values and arrays', () => {
    const frame = makeFrame({
      symbols: ['H', 'Og', 'X'],
      positionsA: [0, -0, 5e-324, 1.7976931348623157e308, -2.2250738585072014e-308, 0.1 + 0.2, 1 / 3, -1e21, 123456789.123456789],
      cellA: [1e-300, 0, 0, 0.1, 3, 0, 0, 0, 4],
      pbc: [true, false, true],
      energyEv: -0.30000000000000004,
      forcesEvPerA: Float64Array.from([1, 2, 3, NaN, Infinity, -Infinity, 1e-7, 1e300, -0]),
      stressEvPerA3: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]),
      info: {
        int: 3, zero: 0, negzero: -0, tiny: 1e-320, nan: NaN, t: true, f: false, s: 'plain', sp: 'two words',
        numlike: '123', boollike: 'T', empty: '', quotes: 'a "b" \\ c', nl: 'line1\nline2', json: '_JSON [[1, 2], [3, 4]]',
        nums: [1, 2.5, -3], one: [7], none: [], bools: [true, false], onebool: [false], strs: ['a', 'b c'], 'key with space': 1,
      },
      arrays: {
        q: { kind: 'real', width: 1, data: Float64Array.from([-0, 0.1, 1e-310]) },
        t: { kind: 'int', width: 2, data: Int32Array.from([-2147483648, 2147483647, 0, 1, 2, 3]) },
        m: { kind: 'bool', width: 1, data: Uint8Array.from([1, 0, 1]) },
        s: { kind: 'string', width: 1, data: ['a', 'B"c', 'x=y'] },
      },
    });
    const back = ok(write([frame]));
    expect(back).toEqual([frame]);
    expect(Object.is(back[0].info.negzero, -0)).toBe(true);
    expect(Object.is(back[0].positionsA[1], -0)).toBe(true);
  });

  it('refuses to write what cannot be read back', () => {
    const base = { symbols: ['H'], positionsA: [0, 0, 0] };
    expect(() => write([makeFrame({ ...base, energyEv: 1, info: { energy: 2 } })])).toThrow(/frame 0: info key "energy"/);
    expect(() => write([makeFrame({ ...base, arrays: { pos: { kind: 'real', width: 3, data: new Float64Array(3) } } })])).toThrow(/"pos"/);
    expect(() => write([makeFrame({ ...base, arrays: { s: { kind: 'string', width: 1, data: ['a b'] } } })])).toThrow(/spaces/);
  });

  const ase = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import ase'], { timeout: 30_000 }).status === 0;
  it.skipIf(!ase)('ASE 3.22 reads our output to the same numbers', () => {
    const frames = [...ok(fixture('bulk')), ...ok(fixture('columns'))];
    const dir = mkdtempSync(join(tmpdir(), 'extxyz-'));
    const path = join(dir, 'ours.xyz');
    writeFileSync(path, write(frames));
    const py = `
import json, sys
from ase.io import read
out = []
for a in read(sys.argv[1], ':'):
    c = a.calc.results if a.calc else {}
    out.append({'pos': a.positions.reshape(-1).tolist(), 'cell': a.cell.array.reshape(-1).tolist(), 'pbc': a.pbc.tolist(),
                'energy': c.get('energy'), 'forces': c['forces'].reshape(-1).tolist() if 'forces' in c else None,
                'stress': c['stress'].tolist() if 'stress' in c else None, 'symbols': a.get_chemical_symbols(),
                'info': {k: (v.tolist() if hasattr(v, 'tolist') else v) for k, v in a.info.items() if k not in ('energy', 'stress')},
                'arrays': {k: v.reshape(-1).tolist() for k, v in a.arrays.items() if k not in ('numbers', 'positions', 'forces')}})
print(json.dumps(out))`;
    const r = spawnSync('/usr/bin/python3', ['-c', py, path], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout);
    frames.forEach((f, i) => {
      const g = got[i];
      expect(g.symbols).toEqual(f.symbols);
      expect(g.pos).toEqual(arr(f.positionsA));
      expect(g.cell).toEqual(arr(f.cellA ?? new Float64Array(9)));
      expect(g.pbc).toEqual(f.pbc);
      expect(g.energy).toBe(f.energyEv ?? null);
      expect(g.forces).toEqual(arr(f.forcesEvPerA ?? null));
      if (f.stressEvPerA3) {
        const s = f.stressEvPerA3;
        expect(g.stress).toEqual([s[0], s[4], s[8], s[5], s[2], s[1]]);
      }
      expect(g.info).toEqual(f.info);
      for (const [k, a] of Object.entries(f.arrays)) {
        expect(g.arrays[k]).toEqual(a.kind === 'bool' ? Array.from(a.data, Boolean) : Array.from(a.data as ArrayLike<unknown>));
      }
    });
  });
});

describe('extxyz: malformed input gives located errors', () => {
  const cases: [string, string, number, RegExp][] = [
    ['atom count is not an integer', 'three\n\nH 0 0 0\n', 1, /number of atoms/],
    ['second frame count line', '1\n\nH 0 0 0\n1.5\n\nH 0 0 0\n', 4, /number of atoms/],
    ['implausible atom count', '99999999999\n\nH 0 0 0\n', 1, /number of atoms/],
    ['truncated: end of file inside the atoms', '3\n\nH 0 0 0\nH 1 1 1\n', 4, /3 atom lines.*end of file.*truncated/],
    ['truncated: no comment line', '2', 1, /comment line.*truncated/],
    ['fewer atom lines than the count says', '3\n\nH 0 0 0\nH 1 1 1\n3\n\n', 5, /4 columns.*next frame/],
    ['wrong number of columns', '2\nProperties=species:S:1:pos:R:3:forces:R:3\nH 0 0 0 1 1 1\nH 0 0 0 1 1\n', 4, /7 columns on atom line 2.*6 columns/],
    ['non-numeric position', '1\n\nH 0 abc 0\n', 3, /a number in column 3 \(pos:R:3\).*"abc"/],
    ['non-integer in an I column', '1\nProperties=species:S:1:pos:R:3:t:I:1\nH 0 0 0 1.5\n', 3, /an integer in column 5/],
    ['bad logical', '1\nProperties=species:S:1:pos:R:3:m:L:1\nH 0 0 0 yes\n', 3, /T or F/],
    ['bad Lattice', '1\nLattice="1 0 0 0 1 0 0 0" Properties=species:S:1:pos:R:3\nH 0 0 0\n', 2, /Lattice=.*9 numbers/],
    ['non-numeric Lattice', '1\nLattice="a b c d e f g h i"\nH 0 0 0\n', 2, /Lattice/],
    ['bad Properties', '1\nProperties=species:S:1:pos:R\nH 0 0 0\n', 2, /Properties=.*3 parts/],
    ['unknown Properties type', '1\nProperties=species:S:1:pos:X:3\nH 0 0 0\n', 2, /unknown type "X"/],
    ['no positions column', '1\nProperties=species:S:1:p:R:3\nH 0 0 0\n', 2, /pos:R:3/],
    ['unknown element', '2\n\nH 0 0 0\nCu1 0 0 0\n', 4, /element symbol.*"Cu1".*Cu/],
    ['bad pbc', '1\npbc="T T"\nH 0 0 0\n', 2, /pbc/],
    ['non-numeric energy', '1\nenergy=abc\nH 0 0 0\n', 2, /number for the energy key "energy"/],
    ['stress of the wrong size', '1\nstress="1 2 3"\nH 0 0 0\n', 2, /9 numbers.*6.*stress/],
    ['forces column of the wrong width', '1\nProperties=species:S:1:pos:R:3:forces:R:2\nH 0 0 0 1 1\n', 2, /forces column/],
    ['Z out of range', '1\nProperties=Z:I:1:pos:R:3\n200 0 0 0\n', 3, /atomic number/],
    ['empty file', '', 1, /at least one/],
  ];
  for (const [what, text, line, re] of cases) {
    it(what, () => {
      const r = read(text, { fileName: 'bad.xyz' });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.file).toBe('bad.xyz');
      expect(r.error.line).toBe(line);
      expect(r.error.message.startsWith(`bad.xyz:${line}: expected`)).toBe(true);
      expect(r.error.message).toMatch(re);
      expect(r.error.message).not.toMatch(/Internal reader error/);
    });
  }
});

describe('extxyz: streaming', () => {
  const all = Buffer.concat(['bulk', 'molecule', 'ref_keys', 'traj', 'columns', 'virial', 'plain'].map(fixture));
  const whole = ok(all);

  for (const size of [1, 7, 4096]) {
    it(`chunks of ${size} bytes give identical frames`, async () => {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < all.length; i += size) chunks.push(new Uint8Array(all.subarray(i, i + size)));
      const progress: number[] = [];
      const r = await readStream(extxyzFormat, chunks, { fileName: 'chunks.xyz', onProgress: (p) => progress.push(p.bytesRead) });
      expect(r.ok).toBe(true);
      expect(r.frames).toEqual(whole);
      expect(progress[progress.length - 1]).toBe(all.length);
    });
  }

  it('an async stream with a truncated end reports the last line', async () => {
    async function* gen() {
      yield new TextEncoder().encode('2\n\nH 0 0 0\n');
      yield new TextEncoder().encode('H 1 1');
    }
    const r = await readStream(extxyzFormat, gen(), { fileName: 'cut.xyz' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/^cut\.xyz:4: expected 4 columns.*truncated/);
  });

  it('CRLF line endings read the same', () => {
    const crlf = all.toString('latin1').replace(/\n/g, '\r\n');
    expect(ok(Buffer.from(crlf, 'latin1'))).toEqual(whole);
  });
});
