// Extended XYZ (ASE 3.22 conventions, ase/io/extxyz.py), also used for plain `.xyz` files.
// A frame is: a line with the atom count N; a comment line of key=value pairs (extxyzKeyValue.ts)
// carrying `Lattice="ax ay az bx by bz cx cy cz"` (cell rows, Å), `pbc="T T F"` (True on all axes
// when a Lattice is given and pbc is not, as ASE does), `Properties=name:type:width:...` (types
// S string, R real, I integer, L logical) and per-frame values; then N atom lines with one token
// per column. Without `Properties` the atom lines are plain XYZ `symbol x y z [extra ...]`.
//
// Labels (Frame.energyEv / forcesEvPerA / stressEvPerA3) are taken from, in this order:
//   energy: energy, REF_energy, DFT_energy, Energy, free_energy       (comment line)
//   forces: forces, REF_forces, DFT_forces, force                      (R:3 per-atom column)
//   stress: stress, REF_stress, DFT_stress (9 values, or 6 in Voigt order xx yy zz yz xz xy)
//           else virial, REF_virial, DFT_virial (9 or 6) as stress = -virial / volume (eV/Å³).
// `options.labelKeys` names the key for a label instead (an empty string turns the label off;
// naming `stress` without `virial` turns the virial fallback off). The key a label came from is
// reported via ctx.noteLabelKey and does not stay in info/arrays; every other key does.
// As in ASE, the 9 values of the keys `stress` and `virial` are a 3x3 matrix in Fortran order
// (transposed when read into our row-major arrays); other 9-value keys are row-major. For the
// symmetric tensors found in practice both orders give the same numbers.
//
// Speed: atom lines are parsed straight from bytes into typed arrays (extxyzAtoms.ts), in a plain
// loop outside the generator; comment lines of the usual form are parsed from bytes too
// (extxyzHeader.ts HeaderReader, with the full key=value grammar as the fallback). The writer prints every number in its shortest round-trip form, so
// write -> read is bit-exact.
import type { Frame, PerAtomArray } from '../../atoms/frame';
import { ParseError } from '../errors';
import { Fields, parseFloatBytes, parseIntBytes } from '../fields';
import type { FormatSpec, FrameReader, ReadContext, WriteOptions } from '../format';
import { NEED_MORE } from '../lineCursor';
import { AtomBlock, KIND_NAME, type Layout, ROLE_ARRAY, SpeciesTable, isNanToken, plainLayout } from './extxyzAtoms';
import { type Header, HeaderReader, labelKeyLists } from './extxyzHeader';
import { formatFloat, formatInfoValue, quoteToken } from './extxyzKeyValue';

export { ENERGY_KEYS, FORCES_KEYS, STRESS_KEYS, VIRIAL_KEYS } from './extxyzHeader';
/** Larger atom counts are taken for a corrupt count line rather than allocated. */
const MAX_ATOMS = 1 << 27;
/** Frames with more atoms wait for their bytes before allocating (see readExtxyz). */
const LAZY_ATOMS = 1 << 16;

/** Float64 values to reserve in the frame's buffer for the header's cell and stress. */
function reserveOf(h: Header): number {
  return (h.cellA ? 9 : 0) + (h.stressEvPerA3 ? 9 : 0);
}

function buildFrame(h: Header, block: AtomBlock, ctx: ReadContext): Frame {
  let cellA: Float64Array | null = null;
  let stressEvPerA3: Float64Array | undefined;
  if (h.cellA) {
    cellA = block.head!.subarray(0, 9);
    cellA.set(h.cellA);
  }
  if (h.stressEvPerA3) {
    stressEvPerA3 = block.head!.subarray(cellA ? 9 : 0, cellA ? 18 : 9);
    stressEvPerA3.set(h.stressEvPerA3);
  }
  const arrays: Record<string, PerAtomArray> = {};
  const cols = block.layout.columns;
  for (let c = 0; c < cols.length; c++) {
    const col = cols[c];
    if (col.role !== ROLE_ARRAY) continue;
    arrays[col.name] = { kind: KIND_NAME[col.kind], width: col.width, data: block.data[c] } as PerAtomArray;
  }
  if (h.energyKey) ctx.noteLabelKey('energy', h.energyKey);
  if (block.forces) ctx.noteLabelKey('forces', block.layout.forcesKey!);
  if (h.stressKey) ctx.noteLabelKey('stress', h.stressKey);
  return {
    symbols: block.symbols,
    numbers: block.numbers,
    positionsA: block.positions,
    cellA,
    pbc: h.pbc,
    energyEv: h.energyEv,
    forcesEvPerA: block.forces ?? undefined,
    stressEvPerA3,
    info: h.info,
    arrays,
  };
}

/** Streaming reader: yields one Frame per frame, NEED_MORE when the cursor runs dry. */
export const readExtxyz: FrameReader = function* (cur, ctx) {
  const fields = new Fields(64);
  const species = new SpeciesTable(ctx);
  const keys = labelKeyLists(ctx);
  const layouts = new Map<string, Layout>();
  const headers = new HeaderReader(keys, layouts, ctx);
  const truncated = (frameLine: number, what: string) =>
    new ParseError(ctx.fileName, cur.lineNo, what, 'end of file', `The frame starting at line ${frameLine} is incomplete: the file appears truncated.`);
  for (;;) {
    // Atom count line (blank lines between frames are skipped).
    for (;;) {
      while (!cur.next()) {
        if (cur.eof) return;
        yield NEED_MORE;
      }
      if (!cur.isBlank()) break;
    }
    const frameLine = cur.lineNo;
    let s = cur.start;
    if (frameLine === 1 && cur.buf[s] === 0xef && cur.buf[s + 1] === 0xbb && cur.buf[s + 2] === 0xbf) s += 3; // BOM
    const nTok = fields.split(cur.buf, s, cur.end);
    const natoms = nTok === 1 ? parseIntBytes(cur.buf, fields.starts[0], fields.ends[0]) : NaN;
    if (!(natoms >= 0 && natoms <= MAX_ATOMS)) {
      const text = cur.text().trim();
      throw new ParseError(ctx.fileName, frameLine, `the number of atoms (one integer, at most ${MAX_ATOMS}) on the first line of a frame`, text,
        text.startsWith('VEC') ? 'VEC cell lines (ASE vec_cell) are not supported; write the cell as Lattice="..."'
          : 'A frame is: atom count, comment line, then exactly that many atom lines.');
    }
    // Comment line.
    while (!cur.next()) {
      if (cur.eof) throw truncated(frameLine, 'a comment line after the atom count');
      yield NEED_MORE;
    }
    const header = headers.read(cur.buf, cur.start, cur.end, cur.lineNo);
    if (natoms > LAZY_ATOMS) {
      // A large count is allocated for only once the bytes for that many atom lines (at least
      // "H 0 0 0\n") are there: a corrupt count line must not allocate gigabytes.
      const minBytes = 8 * natoms - 1;
      while (!cur.eof && cur.buf.length - cur.unreadStart() < minBytes) yield NEED_MORE;
      const left = cur.buf.length - cur.unreadStart();
      if (left < minBytes) {
        throw new ParseError(ctx.fileName, frameLine, `${natoms} atom lines after the comment line`, `${left} bytes left (at least ${minBytes} needed)`, 'The atom count is wrong or the file is truncated.');
      }
    }
    let block: AtomBlock;
    if (header.layout) {
      block = new AtomBlock(header.layout, natoms, frameLine, fields, species, ctx, reserveOf(header));
    } else {
      // Plain XYZ: the first atom line decides the columns (symbol x y z, then extras kept).
      if (natoms > 0) {
        while (!cur.next()) {
          if (cur.eof) throw truncated(frameLine, `${natoms} atom lines`);
          yield NEED_MORE;
        }
      }
      const n = natoms > 0 ? fields.split(cur.buf, cur.start, cur.end) : 4;
      let numeric = true;
      for (let t = 4; t < n; t++) {
        const v = parseFloatBytes(cur.buf, fields.starts[t], fields.ends[t]);
        if (v !== v && !isNanToken(cur.buf, fields.starts[t], fields.ends[t])) numeric = false;
      }
      const key = `\0plain:${Math.max(n, 4)}:${numeric}`;
      let layout = layouts.get(key);
      if (!layout) {
        layout = plainLayout(Math.max(n, 4), numeric, keys.forces, ctx, cur.lineNo);
        layouts.set(key, layout);
      }
      block = new AtomBlock(layout, natoms, frameLine, fields, species, ctx, reserveOf(header));
      if (natoms > 0) {
        block.view(cur.buf);
        block.parseLine(cur.buf, cur.start, cur.lineNo);
      }
    }
    while (!block.fill(cur)) {
      if (cur.eof) throw truncated(frameLine, `${natoms} atom lines (found ${block.done})`);
      yield NEED_MORE;
    }
    if (block.layout.hasZ) block.finishNumbers();
    // nan/inf are accepted in label and extra columns (ASE writes them) but never in positions.
    const pos = block.positions;
    for (let k = 0; block.nonFinite && k < pos.length; k++) {
      if (Number.isFinite(pos[k])) continue;
      const i = Math.floor(k / 3);
      throw new ParseError(ctx.fileName, frameLine + 2 + i, 'finite positions (Å) on every atom line', `${pos[3 * i]} ${pos[3 * i + 1]} ${pos[3 * i + 2]}`, 'NaN, Inf and out-of-range numbers (beyond ±1.8e308) cannot be positions.');
    }
    yield buildFrame(header, block, ctx);
  }
};

/** Confidence that `head` is (extended) XYZ: count line, then comment, then "symbol x y z" lines. */
export function sniffXyz(head: string): number {
  const lines = head.split(/\r?\n/);
  let i = 0;
  while (i < lines.length && lines[i].trim() === '') i++;
  if (!/^\s*\d+\s*$/.test(lines[i] ?? '')) return 0;
  const comment = lines[i + 1] ?? '';
  if (/Properties\s*=/.test(comment) || /Lattice\s*=/.test(comment)) return 0.95;
  const atom = (lines[i + 2] ?? '').trim().split(/\s+/);
  if (atom.length >= 4 && /^[A-Za-z]{1,3}$/.test(atom[0]) && atom.slice(1, 4).every((x) => Number.isFinite(Number(x)))) return 0.6;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Writer

const KIND_LETTER: Record<PerAtomArray['kind'], string> = { real: 'R', int: 'I', bool: 'L', string: 'S' };
const RESERVED_ARRAYS = new Set(['species', 'pos', 'positions', 'symbols']);
const RESERVED_INFO = new Set(['Lattice', 'Properties', 'pbc']);

function cannotWrite(options: WriteOptions, index: number, what: string): Error {
  return new Error(`${options.fileName ?? 'extxyz'}: frame ${index}: ${what}`);
}

function checkName(name: string, options: WriteOptions, index: number, what: string): void {
  if (!name || /[\s:"'{}[\]=\\]/.test(name)) throw cannotWrite(options, index, `${what} name "${name}" cannot be written as an extended XYZ column`);
}

/** Comment line and atom lines of one frame. */
export function formatExtxyzFrame(f: Frame, index: number, options: WriteOptions): string {
  const n = f.symbols.length;
  if (f.positionsA.length !== 3 * n) throw cannotWrite(options, index, `positions hold ${f.positionsA.length} values for ${n} atoms`);
  if (f.forcesEvPerA && f.forcesEvPerA.length !== 3 * n) throw cannotWrite(options, index, `forces hold ${f.forcesEvPerA.length} values for ${n} atoms`);
  const cols: { kind: string; width: number; data: ArrayLike<number> | string[] }[] = [];
  let props = 'species:S:1:pos:R:3';
  if (f.forcesEvPerA) {
    props += ':forces:R:3';
    cols.push({ kind: 'real', width: 3, data: f.forcesEvPerA });
  }
  for (const [name, a] of Object.entries(f.arrays)) {
    checkName(name, options, index, 'per-atom array');
    if (RESERVED_ARRAYS.has(name) || (name === 'forces' && f.forcesEvPerA)) throw cannotWrite(options, index, `per-atom array "${name}" collides with the ${name === 'forces' ? 'forces label' : 'species/positions columns'}`);
    if (a.data.length !== a.width * n) throw cannotWrite(options, index, `per-atom array "${name}" holds ${a.data.length} values, expected ${a.width} x ${n}`);
    if (a.kind === 'string') {
      for (const s of a.data) if (!s || /\s/.test(s)) throw cannotWrite(options, index, `per-atom array "${name}" has the value "${s}", which is empty or contains spaces`);
    }
    props += `:${name}:${KIND_LETTER[a.kind]}:${a.width}`;
    cols.push(a);
  }
  const parts: string[] = [];
  if (f.cellA) {
    if (f.cellA.length !== 9) throw cannotWrite(options, index, 'the cell must have 9 values');
    parts.push(`Lattice="${Array.from(f.cellA, formatFloat).join(' ')}"`);
  }
  parts.push(`Properties=${props}`);
  if (f.energyEv !== undefined) parts.push(`energy=${formatFloat(f.energyEv)}`);
  if (f.stressEvPerA3) {
    const s = f.stressEvPerA3;
    if (s.length !== 9) throw cannotWrite(options, index, 'the stress must have 9 values');
    const fortran = [s[0], s[3], s[6], s[1], s[4], s[7], s[2], s[5], s[8]];
    parts.push(`stress="${fortran.map(formatFloat).join(' ')}"`);
  }
  for (const [k, v] of Object.entries(f.info)) {
    if (RESERVED_INFO.has(k) || (k === 'energy' && f.energyEv !== undefined) || (k === 'stress' && f.stressEvPerA3)) {
      throw cannotWrite(options, index, `info key "${k}" collides with the ${k} written from the frame; rename or remove it`);
    }
    if (!k || /[\n\r]/.test(k)) throw cannotWrite(options, index, `info key "${k}" cannot be written`);
    parts.push(`${quoteToken(k)}=${formatInfoValue(k, v)}`);
  }
  parts.push(`pbc="${f.pbc.map((b) => (b ? 'T' : 'F')).join(' ')}"`);

  const out: string[] = new Array(n + 2);
  out[0] = String(n);
  out[1] = parts.join(' ');
  const p = f.positionsA;
  for (let i = 0; i < n; i++) {
    let line = `${f.symbols[i]} ${formatFloat(p[3 * i])} ${formatFloat(p[3 * i + 1])} ${formatFloat(p[3 * i + 2])}`;
    for (const c of cols) {
      const w = c.width;
      for (let k = 0; k < w; k++) {
        const v = c.data[i * w + k];
        line += ' ' + (c.kind === 'real' ? formatFloat(v as number) : c.kind === 'bool' ? (v ? 'T' : 'F') : String(v));
      }
    }
    out[i + 2] = line;
  }
  return out.join('\n') + '\n';
}

export function* writeExtxyz(frames: Iterable<Frame>, options: WriteOptions): Generator<string, void, void> {
  let index = 0;
  for (const f of frames) yield formatExtxyzFrame(f, index++, options);
}

export const extxyzFormat: FormatSpec = {
  name: 'extxyz',
  title: 'Extended XYZ (ASE conventions)',
  extensions: ['xyz', 'extxyz'],
  multiFrame: true,
  carries: { cell: true, energy: true, forces: true, stress: true },
  sniff: sniffXyz,
  read: readExtxyz,
  write: writeExtxyz,
};
