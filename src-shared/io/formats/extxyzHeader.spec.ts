// The byte-level fast path of the extended XYZ comment line (HeaderReader) must give exactly what
// the full parser (parseHeader on the decoded line, ASE's grammar) gives: the same header, bit for
// bit, the same error (message and line) and the same warnings, for any line. Lines are generated
// from pieces that stress both grammars: quotes, blanks around '=', bare and repeated keys,
// escapes, brace/bracket values, numbers in every textual form (long mantissas, exponents, Fortran
// D, nan/inf, commas), unicode, tabs, and user label-key mappings.
import { describe, expect, it } from 'vitest';
import type { ReadContext, ReadOptions } from '../format';
import type { Layout } from './extxyzAtoms';
import { HeaderReader, labelKeyLists, parseHeader, plainNumbersOfBytes } from './extxyzHeader';
import { numbersOf } from './extxyzKeyValue';
import { xorshift32 } from '../../space/rng';

const rng = xorshift32;

function context(options: ReadOptions = {}): ReadContext & { warnings: string[] } {
  const warnings: string[] = [];
  return { fileName: 'h.xyz', options, warnings, warn: (line, m) => warnings.push(`${line}: ${m}`), noteLabelKey: () => {} };
}

type Outcome = { header: unknown; warnings: string[] } | { error: string };

function outcome(run: (ctx: ReturnType<typeof context>) => unknown, options: ReadOptions): Outcome {
  const ctx = context(options);
  try {
    return { header: run(ctx), warnings: ctx.warnings };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** Layout objects differ between the two runs (separate caches): compare their content. */
const plain = (o: Outcome) => JSON.parse(JSON.stringify(o, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? `num:${v}` : Object.is(v, -0) ? 'num:-0' : v)));

function both(line: string, options: ReadOptions = {}, lineNo = 7): { fast: Outcome; full: Outcome; reader: HeaderReader | null } {
  const bytes = new TextEncoder().encode(`xx\n${line}\nyy`);
  let reader: HeaderReader | null = null;
  const fast = outcome((ctx) => {
    reader = new HeaderReader(labelKeyLists(ctx), new Map<string, Layout>(), ctx);
    return reader.read(bytes, 3, bytes.length - 3, lineNo);
  }, options);
  const full = outcome((ctx) => parseHeader(line, lineNo, labelKeyLists(ctx), new Map<string, Layout>(), ctx), options);
  return { fast, full, reader };
}

const NUMBERS = [
  '0', '-0', '1', '-1.5', '+2.25', '3.', '.5', '-.5', '23.8883704793056', '0.039517269632779066', '-0.006652629585005343',
  '12345678901234567890', '1e5', '1.5E-3', '2.5d0', '1D+2', 'nan', 'NaN', '-inf', 'Infinity', '1' + '0'.repeat(400), '0.' + '0'.repeat(30) + '1',
  '1.2.3', '--1', '+', '-', '.', 'abc', '0x10', '1,2', '7',
];
const pick = <T,>(r: () => number, a: T[]) => a[Math.floor(r() * a.length)];
const nums = (r: () => number, n: number) => Array.from({ length: n }, () => (r() < 0.85 ? pick(r, NUMBERS.slice(0, 11)) : pick(r, NUMBERS))).join(r() < 0.9 ? ' ' : r() < 0.5 ? ',' : '\t ');

function piece(r: () => number): string {
  const q = (v: string) => (r() < 0.9 ? `"${v}"` : r() < 0.5 ? `'${v}'` : `{${v}}`);
  switch (Math.floor(r() * 16)) {
    case 0:
    case 1:
      return `Lattice=${q(nums(r, r() < 0.9 ? 9 : 8))}`;
    case 2:
      return `Properties=${pick(r, ['species:S:1:pos:R:3', 'species:S:1:pos:R:3:forces:R:3', 'species:S:1:pos:R:3:REF_forces:R:3:tag:I:1', 'Z:I:1:pos:R:3', 'species:S:1:pos:R:2', 'pos:R:3'])}`;
    case 3:
      return `${pick(r, ['energy', 'REF_energy', 'DFT_energy', 'Energy', 'free_energy'])}=${r() < 0.8 ? pick(r, NUMBERS) : q(nums(r, 2))}`;
    case 4:
      return `${pick(r, ['stress', 'REF_stress', 'DFT_stress', 'virial', 'REF_virial'])}=${q(nums(r, pick(r, [9, 9, 6, 5])))}`;
    case 5:
      return `pbc=${q(pick(r, ['T T T', 'F F F', 'T F T', 'T', 'True False True', '1 0 1', 'T T', 'x y z']))}`;
    case 6:
      return `config_type=${pick(r, ['bench', 'md', '"two words"', '""', 'T', '12', '1.5', '"1 2 3"', '"T F"', '_JSON'])}`;
    case 7:
      return `frame=${Math.floor(r() * 1000)}`;
    case 8:
      return pick(r, ['bare', 'key = value', 'key= value', 'key =value', '=x', 'a=b=c', 'k="a"b', 'k="unterminated', 'k=v"x"']);
    case 9:
      return pick(r, ['esc="a\\"b"', 'path=C:\\\\x', 'br=[1,2]', 'uni=Å', 'nbsp=a\u00a0b', 'tab=\tx', 'json="_JSON [[1,2],[3,4]]"', 'uid="01 02"']);
    case 10:
      return `${pick(r, ['energy', 'pbc', 'Lattice', 'frame'])}=${pick(r, NUMBERS)}`; // possibly a repeated key
    default:
      return `${pick(r, ['info', 'n', 'x_y', 'Tag'])}${Math.floor(r() * 3)}=${r() < 0.5 ? pick(r, NUMBERS) : q(nums(r, 3))}`;
  }
}

function line(r: () => number): string {
  const parts = Array.from({ length: 1 + Math.floor(r() * 8) }, () => piece(r));
  const sep = () => (r() < 0.85 ? ' ' : pick(r, ['  ', '\t', ' \t ']));
  return (r() < 0.1 ? '  ' : '') + parts.join(sep()) + (r() < 0.1 ? ' \t' : '');
}

describe('extended XYZ comment line: the fast path gives exactly the full parser\'s result', () => {
  it('on lines as ASE writes them, through the fast path', () => {
    const ase = 'Lattice="23.8883704793056 0.039517269632779066 0 0 23.8883704793056 0.0655770279467106 0.045529567683115606 0 23.8883704793056" Properties=species:S:1:pos:R:3:forces:R:3 config_type=bench frame=0 energy=-745.3243932877667 stress="-0.006652629585005343 0.0001895335875451565 0.00098850067704916 0.0001895335875451565 0.0052905492577701805 0.007140578292310238 0.00098850067704916 0.007140578292310238 0.00995678137987852" pbc="T T T"';
    for (const l of [ase, 'Lattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3 virial="1 0 0 0 2 0 0 0 3" pbc="T T F"', 'Properties=species:S:1:pos:R:3 REF_energy=-1.25 energy=3 note=x']) {
      const { fast, full, reader } = both(l);
      expect(plain(fast)).toEqual(plain(full));
      expect('error' in fast).toBe(false);
      expect(reader!.fastLines).toBe(1);
    }
  });

  it('on 4000 generated lines (errors, warnings, user label keys included)', () => {
    const r = rng(20261125);
    const optionSets: ReadOptions[] = [{}, { labelKeys: { energy: 'free_energy', stress: 'virial' } }, { labelKeys: { energy: '', forces: 'REF_forces' } }, { labelKeys: { energy: 'pbc', stress: 'Lattice' } }, { labelKeys: { energy: 'frame', virial: 'Lattice' } }];
    let fastUsed = 0;
    let errors = 0;
    for (let k = 0; k < 4000; k++) {
      const l = line(r);
      const options = optionSets[k % optionSets.length];
      const { fast, full, reader } = both(l, options, 2 + k);
      expect(plain(fast), l).toEqual(plain(full));
      if ('error' in full) errors++;
      fastUsed += reader?.fastLines ?? 0;
    }
    // Both paths were exercised, and errors too.
    expect(fastUsed).toBeGreaterThan(500);
    expect(fastUsed).toBeLessThan(3900);
    expect(errors).toBeGreaterThan(200);
  });

  it('plainNumbersOfBytes equals numbersOf wherever it accepts a value, and refuses other forms', () => {
    const r = rng(7);
    const out: number[] = [];
    let accepted = 0;
    for (let k = 0; k < 3000; k++) {
      const text = nums(r, 1 + Math.floor(r() * 4));
      const bytes = new TextEncoder().encode(text);
      if (plainNumbersOfBytes(bytes, 0, bytes.length, out, text, 0)) {
        accepted++;
        const ref = numbersOf(text)!;
        expect(ref, text).not.toBeNull();
        expect(out.length).toBe(ref.length);
        out.forEach((v, i) => expect(Object.is(v, ref[i]), `${text}: ${v} vs ${ref[i]}`).toBe(true));
      }
    }
    expect(accepted).toBeGreaterThan(1000);
    for (const t of ['1e5', 'nan', '2.5d0', '1 x', '', ' ', '+', '_JSON [1]']) {
      const b = new TextEncoder().encode(t);
      expect(plainNumbersOfBytes(b, 0, b.length, out, t, 0), t).toBe(false);
    }
  });
});
