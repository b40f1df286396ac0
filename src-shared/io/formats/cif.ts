// Crystallographic Information File (CIF 1.1 syntax, https://www.iucr.org/resources/cif/spec/version1.1/cifsyntax).
// A file is data blocks (`data_NAME`), each a set of tags `_name value` and `loop_` tables; values
// may be 'quoted', "quoted" or semicolon text fields (a line starting with ';' up to the next such
// line); '#' starts a comment. Every block with atom sites becomes one frame.
// Structure, as ASE 3.22 reads it (ase/io/cif.py, ase/spacegroup): the cell from _cell_length_a/b/c
// and _cell_angle_alpha/beta/gamma with ASE's cellpar_to_cell (a along x, b in the xy plane);
// fractional (or Cartesian) site coordinates, uncertainties "0.123(4)" dropped; species from
// _atom_site_type_symbol, else _atom_site_label (first "Xx" in it; D -> H); the symmetry
// operations (_space_group_symop_operation_xyz or _symmetry_equiv_pos_as_xyz) applied to every
// site, wrapped into [0, 1), and images closer than 1e-3 in every fractional component (ASE's
// symprec, periodic) merged, first site wins. Partial occupancies are warned about with their line;
// on a mixed site the species of largest occupancy is kept, as ASE does.
// Not done (ASE would use its space-group tables): a block that names a space group other than P1
// but lists no operations is an error, never silently the asymmetric unit.
import { atomicNumber, symbolFromLabel } from '../../atoms/elements';
import { type Frame, type PerAtomArray, makeFrame } from '../../atoms/frame';
import { ParseError } from '../errors';
import type { FormatSpec, ReadContext, WriteOptions } from '../format';
import { type LineCursor, type NeedMore, nextLine } from '../lineCursor';

/** ASE's site-merging tolerance in fractional coordinates (crystal(symprec=1e-3)). */
export const CIF_SYMPREC = 1e-3;

/**
 * Cell rows a, b, c (Å) from lengths (Å) and angles (degrees), ASE's cellpar_to_cell convention:
 * a along x, b in the xy plane, c completing a right-handed cell; 90° gives an exact zero cosine.
 */
export function cellparToCell(p: ArrayLike<number>): Float64Array {
  const [a, b, c, alpha, beta, gamma] = Array.from(p);
  const eps = 2 * 1.4210854715202004e-14; // 2 * np.spacing(90.0)
  const rad = Math.PI / 180;
  const cosA = Math.abs(Math.abs(alpha) - 90) < eps ? 0 : Math.cos(alpha * rad);
  const cosB = Math.abs(Math.abs(beta) - 90) < eps ? 0 : Math.cos(beta * rad);
  let cosG: number;
  let sinG: number;
  if (Math.abs(gamma - 90) < eps) [cosG, sinG] = [0, 1];
  else if (Math.abs(gamma + 90) < eps) [cosG, sinG] = [0, -1];
  else [cosG, sinG] = [Math.cos(gamma * rad), Math.sin(gamma * rad)];
  const cy = (cosA - cosB * cosG) / sinG;
  const cz2 = 1 - cosB * cosB - cy * cy;
  if (!(cz2 >= 0)) throw new RangeError(`cell angles ${alpha}, ${beta}, ${gamma} do not form a cell`);
  return Float64Array.from([a, 0, 0, b * cosG, b * sinG, 0, c * cosB, c * cy, c * Math.sqrt(cz2)]);
}

/** [a, b, c, alpha, beta, gamma] (Å, degrees) of cell rows, as ASE's cell_to_cellpar. */
export function cellToCellpar(cell: ArrayLike<number>): number[] {
  const v = [0, 1, 2].map((i) => [cell[3 * i], cell[3 * i + 1], cell[3 * i + 2]]);
  const len = v.map((x) => Math.hypot(x[0], x[1], x[2]));
  const ang = [0, 1, 2].map((i) => {
    const j = (i + 1) % 3;
    const k = (i + 2) % 3;
    const ll = len[j] * len[k];
    if (ll <= 1e-16) return 90;
    const x = (v[j][0] * v[k][0] + v[j][1] * v[k][1] + v[j][2] * v[k][2]) / ll;
    return (180 / Math.PI) * Math.acos(Math.max(-1, Math.min(1, x)));
  });
  return [...len, ...ang];
}

interface Tok {
  text: string;
  line: number;
  quoted: boolean;
}

/** Split one line into CIF tokens (quotes end only before whitespace, '#' starts a comment). */
function tokenize(line: string, lineNo: number, out: Tok[]): void {
  const n = line.length;
  let i = 0;
  while (i < n) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') return;
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < n && !(line[j] === c && (j + 1 === n || line[j + 1] === ' ' || line[j + 1] === '\t'))) j++;
      out.push({ text: line.slice(i + 1, j), line: lineNo, quoted: true });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < n && line[j] !== ' ' && line[j] !== '\t' && line[j] !== '\r') j++;
    out.push({ text: line.slice(i, j), line: lineNo, quoted: false });
    i = j;
  }
}

/** A CIF number without its uncertainty, "0.123(4)" -> 0.123; NaN for '?', '.' or text. */
export function cifNumber(s: string): number {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?:\(\d+\)?)?$/.exec(s);
  return m ? Number(m[1]) : NaN;
}

interface SymOp {
  rot: number[]; // [9] row-major
  trans: number[]; // [3]
}

/** Parse a symmetry operation such as "-y+1/2, x+1/2, z+1/2" or "x-y,x,1/6+z". */
export function parseSymop(text: string): SymOp | null {
  const parts = text.replace(/\s+/g, '').toLowerCase().split(',');
  if (parts.length !== 3) return null;
  const rot = new Array<number>(9).fill(0);
  const trans = [0, 0, 0];
  for (let r = 0; r < 3; r++) {
    const s = parts[r];
    let i = 0;
    if (!s) return null;
    while (i < s.length) {
      let sign = 1;
      if (s[i] === '+' || s[i] === '-') sign = s[i++] === '-' ? -1 : 1;
      const m = /^(\d+\.?\d*|\.\d+)(?:\/(\d+))?/.exec(s.slice(i));
      let coef = NaN;
      if (m) {
        coef = Number(m[1]) / (m[2] ? Number(m[2]) : 1);
        if (!Number.isFinite(coef)) return null;
        i += m[0].length;
        if (s[i] === '*') i++;
      }
      const v = 'xyz'.indexOf(s[i]);
      if (v >= 0 && s[i] !== undefined) {
        rot[3 * r + v] += sign * (Number.isNaN(coef) ? 1 : coef);
        i++;
      } else if (!Number.isNaN(coef)) trans[r] += sign * coef;
      else return null;
    }
  }
  return { rot, trans };
}

interface Block {
  name: string;
  line: number;
  items: Map<string, Tok[]>;
}

const SYMOP_TAGS = ['_space_group_symop_operation_xyz', '_space_group_symop.operation_xyz', '_symmetry_equiv_pos_as_xyz'];
const SG_NUMBER_TAGS = ['_space_group_it_number', '_space_group.it_number', '_symmetry_int_tables_number'];
const SG_NAME_TAGS = ['_space_group_name_h-m_alt', '_symmetry_space_group_name_h-m', '_space_group.patterson_name_h-m'];
const CELL_TAGS = ['_cell_length_a', '_cell_length_b', '_cell_length_c', '_cell_angle_alpha', '_cell_angle_beta', '_cell_angle_gamma'];

function firstOf(b: Block, tags: string[]): Tok[] | undefined {
  for (const t of tags) {
    const v = b.items.get(t);
    if (v) return v;
  }
  return undefined;
}

/** Species of a CIF symbol or label as ASE finds it (first "Xx"), D -> H; null if none. */
function cifSymbol(label: string): string | null {
  const m = /[A-Z][a-z]?/.exec(label);
  if (m && m[0] === 'D') return 'H';
  if (m && atomicNumber(m[0]) > 0) return m[0];
  if (m && atomicNumber(m[0][0]) > 0) return m[0][0];
  return symbolFromLabel(label);
}

/** Build the frame of a data block, or null when the block has no atom sites. */
function blockToFrame(b: Block, ctx: ReadContext): Frame | null {
  const file = ctx.fileName;
  const labels = firstOf(b, ['_atom_site_type_symbol', '_atom_site_label']);
  let coordTags = ['_atom_site_fract_x', '_atom_site_fract_y', '_atom_site_fract_z'];
  let fractional = true;
  if (!coordTags.every((t) => b.items.has(t))) {
    coordTags = ['_atom_site_cartn_x', '_atom_site_cartn_y', '_atom_site_cartn_z'];
    fractional = false;
  }
  const coordCols = coordTags.map((t) => b.items.get(t));
  if (!labels || coordCols.some((c) => !c)) {
    ctx.warn(b.line, `data block "${b.name}" has no atom sites (symbols and coordinates); skipped`);
    return null;
  }
  const ns = labels.length;
  for (const [k, col] of coordCols.entries()) {
    if (col!.length !== ns) {
      throw new ParseError(file, col![0]?.line ?? b.line, `${ns} values of ${coordTags[k]} (one per site)`, `${col!.length}`);
    }
  }

  // Cell.
  const present = CELL_TAGS.filter((t) => b.items.has(t));
  let cell: Float64Array | null = null;
  if (present.length === 6) {
    const par = CELL_TAGS.map((t) => {
      const tok = b.items.get(t)![0];
      const v = cifNumber(tok.text);
      if (!Number.isFinite(v)) throw new ParseError(file, tok.line, `a number for ${t}`, tok.text);
      return v;
    });
    try {
      cell = cellparToCell(par);
    } catch {
      throw new ParseError(file, b.items.get('_cell_angle_alpha')![0].line, 'cell angles that form a cell', par.slice(3).join(', '));
    }
  } else if (fractional) {
    const missing = CELL_TAGS.filter((t) => !b.items.has(t));
    throw new ParseError(file, b.line, `the cell parameters for fractional coordinates in block "${b.name}"`, `no ${missing.join(', ')}`);
  }

  // Sites.
  const symbols: string[] = [];
  for (const tok of labels) {
    const s = tok.text === '?' || tok.text === '.' ? null : cifSymbol(tok.text);
    if (!s) throw new ParseError(file, tok.line, 'an element symbol or site label', tok.text);
    symbols.push(s);
  }
  const coords = new Float64Array(3 * ns);
  for (let i = 0; i < ns; i++) {
    for (let k = 0; k < 3; k++) {
      const tok = coordCols[k]![i];
      const v = cifNumber(tok.text);
      if (!Number.isFinite(v)) throw new ParseError(file, tok.line, `a number for ${coordTags[k]} of site ${i + 1}`, tok.text);
      coords[3 * i + k] = v;
    }
  }
  const occTok = b.items.get('_atom_site_occupancy');
  let occ: number[] | null = null;
  if (occTok) {
    if (occTok.length !== ns) throw new ParseError(file, occTok[0]?.line ?? b.line, `${ns} values of _atom_site_occupancy`, `${occTok.length}`);
    occ = occTok.map((tok, i) => {
      const v = tok.text === '?' || tok.text === '.' ? 1 : cifNumber(tok.text);
      if (!Number.isFinite(v)) throw new ParseError(file, tok.line, `a number for _atom_site_occupancy of site ${i + 1}`, tok.text);
      if (v < 1) ctx.warn(tok.line, `site ${labels[i].text} has partial occupancy ${v}: read as a full atom (on a shared site, the species of largest occupancy)`);
      return v;
    });
  }

  if (!cell) {
    // No cell: a molecule in Cartesian coordinates, no symmetry.
    const frame = makeFrame({ symbols, positionsA: coords, cellA: null, pbc: [false, false, false] });
    frame.info.cif_block = b.name;
    return frame;
  }

  // Fractional coordinates of the sites.
  const frac = fractional ? coords : toFractional(coords, cell);

  // Symmetry operations.
  let ops: SymOp[];
  const opToks = firstOf(b, SYMOP_TAGS);
  if (opToks && opToks.length > 0) {
    ops = opToks.map((tok) => {
      const op = parseSymop(tok.text);
      if (!op) throw new ParseError(file, tok.line, 'a symmetry operation such as "-x+1/2, y, z"', tok.text);
      return op;
    });
  } else {
    const num = firstOf(b, SG_NUMBER_TAGS)?.[0];
    const name = firstOf(b, SG_NAME_TAGS)?.[0];
    const p1 = (!num || cifNumber(num.text) === 1 || num.text === '?') && (!name || /^p\s*1$/i.test(name.text.trim()) || name.text === '?');
    if (!p1) {
      const tok = num ?? name!;
      throw new ParseError(
        file,
        tok.line,
        'symmetry operations (_space_group_symop_operation_xyz) for a space group other than P1',
        tok.text,
        'Re-export the structure with its symmetry operations or as P1 (e.g. VESTA, ASE, pymatgen)',
      );
    }
    ops = [{ rot: [1, 0, 0, 0, 1, 0, 0, 0, 1], trans: [0, 0, 0] }];
  }

  // Dominant species of mixed sites (ASE: sites closer than symprec, non-periodic, in the file).
  const kindSymbol = symbols.slice();
  if (occ) {
    for (let i = 0; i < ns; i++) {
      const cand = new Map<string, number>([[symbols[i], occ[i]]]);
      for (let j = 0; j < ns; j++) {
        if (j === i) continue;
        const d = Math.hypot(frac[3 * i] - frac[3 * j], frac[3 * i + 1] - frac[3 * j + 1], frac[3 * i + 2] - frac[3 * j + 2]);
        if (d < CIF_SYMPREC) cand.set(symbols[j], occ[j]);
      }
      let best = symbols[i];
      let bestOcc = -Infinity;
      for (const [s, o] of cand) if (o >= bestOcc) [best, bestOcc] = [s, o];
      kindSymbol[i] = best;
    }
  }

  // Expand: every site through every operation, wrapped into [0, 1), duplicates merged.
  const sites: number[] = [];
  const kinds: number[] = [];
  const warned = new Set<string>();
  const s = [0, 0, 0];
  for (let kind = 0; kind < ns; kind++) {
    const p = [frac[3 * kind], frac[3 * kind + 1], frac[3 * kind + 2]];
    for (const op of ops) {
      for (let r = 0; r < 3; r++) {
        const x = op.rot[3 * r] * p[0] + op.rot[3 * r + 1] * p[1] + op.rot[3 * r + 2] * p[2] + op.trans[r];
        s[r] = x - Math.floor(x);
      }
      let dup = -1;
      for (let m = 0; m < kinds.length && dup < 0; m++) {
        let same = true;
        for (let r = 0; r < 3 && same; r++) {
          const t = Math.abs(s[r] - sites[3 * m + r]);
          same = t < CIF_SYMPREC || Math.abs(t - 1) < CIF_SYMPREC;
        }
        if (same) dup = m;
      }
      if (dup < 0) {
        sites.push(s[0], s[1], s[2]);
        kinds.push(kind);
      } else if (kinds[dup] !== kind && !occ) {
        const key = `${kinds[dup]}-${kind}`;
        if (!warned.has(key)) {
          warned.add(key);
          ctx.warn(labels[kind].line, `site ${labels[kind].text} is symmetry-equivalent to site ${labels[kinds[dup]].text}; merged`);
        }
      }
    }
  }
  const n = kinds.length;
  const pos = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) pos[3 * i + k] = sites[3 * i] * cell[k] + sites[3 * i + 1] * cell[3 + k] + sites[3 * i + 2] * cell[6 + k];
  }
  const arrays: Record<string, PerAtomArray> = {};
  if (occ && occ.some((o) => o !== 1)) {
    arrays.occupancy = { kind: 'real', width: 1, data: Float64Array.from(kinds, (k) => occ![k]) };
  }
  const frame = makeFrame({ symbols: kinds.map((k) => kindSymbol[k]), positionsA: pos, cellA: cell, pbc: [true, true, true], arrays });
  frame.info.cif_block = b.name;
  const sg = firstOf(b, SG_NAME_TAGS)?.[0] ?? firstOf(b, SG_NUMBER_TAGS)?.[0];
  if (sg && sg.text !== '?') frame.info.spacegroup = sg.text;
  return frame;
}

function toFractional(r: Float64Array, cell: Float64Array): Float64Array {
  const [a, b, c, e, f, g, h, i, j] = cell;
  const d = a * (f * j - g * i) - b * (e * j - g * h) + c * (e * i - f * h);
  const inv = [(f * j - g * i) / d, (c * i - b * j) / d, (b * g - c * f) / d, (g * h - e * j) / d, (a * j - c * h) / d, (c * e - a * g) / d, (e * i - f * h) / d, (b * h - a * i) / d, (a * f - b * e) / d];
  const out = new Float64Array(r.length);
  for (let n = 0; n < r.length; n += 3) {
    for (let k = 0; k < 3; k++) out[n + k] = r[n] * inv[k] + r[n + 1] * inv[3 + k] + r[n + 2] * inv[6 + k];
  }
  return out;
}

type State = 'top' | 'value' | 'loopTags' | 'loopValues';

function* readCif(cur: LineCursor, ctx: ReadContext): Generator<Frame | NeedMore, void, void> {
  const file = ctx.fileName;
  let block: Block | null = null;
  let state = 'top' as State;
  let pendingTag: Tok | null = null;
  let loopTags: Tok[] = [];
  let loopValues: Tok[] = [];
  let text: { lines: string[]; line: number } | null = null;
  const toks: Tok[] = [];

  const endLoop = () => {
    const nt = loopTags.length;
    if (loopValues.length % nt !== 0) {
      const last = loopValues[loopValues.length - 1];
      throw new ParseError(
        file,
        last.line,
        `rows of ${nt} values in the loop of line ${loopTags[0].line} (${loopTags.map((t) => t.text).join(' ')})`,
        `${loopValues.length} values, ${loopValues.length % nt} left over`,
        'A row has a missing or extra value (unquoted text with spaces?)',
      );
    }
    for (let k = 0; k < nt; k++) {
      const col: Tok[] = [];
      for (let r = k; r < loopValues.length; r += nt) col.push(loopValues[r]);
      const key = loopTags[k].text.toLowerCase();
      if (!block!.items.has(key)) block!.items.set(key, col);
    }
    loopTags = [];
    loopValues = [];
  };

  /** Feed one token; returns a finished block's frame when a new block starts. */
  const feed = (t: Tok): Frame | null => {
    const low = t.quoted ? '' : t.text.toLowerCase();
    const reserved = !t.quoted && (t.text.startsWith('_') || low === 'loop_' || low.startsWith('data_') || low.startsWith('save_') || low === 'global_' || low === 'stop_');
    if (state === 'value') {
      if (reserved) throw new ParseError(file, t.line, `a value for ${pendingTag!.text}`, t.text);
      block!.items.set(pendingTag!.text.toLowerCase(), [t]);
      state = 'top';
      return null;
    }
    if (state === 'loopTags') {
      if (!t.quoted && t.text.startsWith('_')) {
        loopTags.push(t);
        return null;
      }
      if (loopTags.length === 0) throw new ParseError(file, t.line, 'tags (_name) after loop_', t.text);
      state = 'loopValues';
    }
    if (state === 'loopValues') {
      if (!reserved) {
        loopValues.push(t);
        return null;
      }
      endLoop();
      state = 'top';
    }
    // state top
    if (low.startsWith('data_')) {
      const done = block ? blockToFrame(block, ctx) : null;
      block = { name: t.text.slice(5), line: t.line, items: new Map() };
      return done;
    }
    if (low.startsWith('save_') || low === 'global_' || low === 'stop_') return null;
    if (!block) throw new ParseError(file, t.line, 'a data_ block header before any data', t.text);
    if (low === 'loop_') {
      state = 'loopTags';
      return null;
    }
    if (!t.quoted && t.text.startsWith('_')) {
      pendingTag = t;
      state = 'value';
      return null;
    }
    throw new ParseError(file, t.line, 'a tag (_name), loop_ or data_', t.text, 'A value without a tag, or a loop row outside a loop');
  };

  while (yield* nextLine(cur)) {
    const line = cur.text();
    toks.length = 0;
    if (text) {
      if (line.startsWith(';')) {
        toks.push({ text: text.lines.join('\n'), line: text.line, quoted: true });
        text = null;
        tokenize(line.slice(1), cur.lineNo, toks);
      } else {
        text.lines.push(line);
        continue;
      }
    } else if (line.startsWith(';')) {
      text = { lines: [line.slice(1)], line: cur.lineNo };
      continue;
    } else {
      tokenize(line, cur.lineNo, toks);
    }
    for (const t of toks) {
      const fr = feed(t);
      if (fr) yield fr;
    }
  }
  if (text) throw new ParseError(file, cur.lineNo + 1, `the ';' that closes the text field of line ${text.line}`, 'end of file');
  if (state === 'value') throw new ParseError(file, cur.lineNo + 1, `a value for ${pendingTag!.text}`, 'end of file');
  if (state === 'loopTags' && loopTags.length > 0) throw new ParseError(file, cur.lineNo + 1, 'loop values', 'end of file');
  if (state === 'loopValues') endLoop();
  if (block) {
    const fr = blockToFrame(block, ctx);
    if (fr) yield fr;
  }
}

function num(x: number): string {
  const s = String(x === 0 ? 0 : x);
  return /^-?\d+$/.test(s) ? s + '.0' : s;
}

/** CIF text of frames: one P1 data block per frame, full-precision numbers, fractional sites wrapped into [0, 1). */
export function* writeCif(frames: Iterable<Frame>, _options: WriteOptions = {}): Iterable<string> {
  let index = 0;
  for (const fr of frames) {
    const n = fr.symbols.length;
    const out: string[] = [`data_image${index++}`];
    const counts = new Map<string, number>();
    for (const s of fr.symbols) counts.set(s, (counts.get(s) ?? 0) + 1);
    out.push(`_chemical_formula_sum '${[...counts].map(([s, c]) => `${s}${c}`).join(' ')}'`);
    let coords = fr.positionsA;
    let kind = 'Cartn';
    if (fr.cellA) {
      const par = cellToCellpar(fr.cellA);
      CELL_TAGS.forEach((t, k) => out.push(`${t.padEnd(20)} ${num(par[k])}`));
      out.push('', "_space_group_name_H-M_alt 'P 1'", '_space_group_IT_number 1', '', 'loop_', '  _space_group_symop_operation_xyz', "  'x, y, z'");
      coords = toFractional(fr.positionsA, fr.cellA).map((x) => x - Math.floor(x));
      kind = 'fract';
    }
    const occ = fr.arrays.occupancy;
    const occData = occ && occ.kind === 'real' && occ.width === 1 ? occ.data : null;
    out.push('', 'loop_', '  _atom_site_type_symbol', '  _atom_site_label', `  _atom_site_${kind}_x`, `  _atom_site_${kind}_y`, `  _atom_site_${kind}_z`, '  _atom_site_occupancy');
    const seen = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const s = fr.symbols[i];
      seen.set(s, (seen.get(s) ?? 0) + 1);
      const xyz = [0, 1, 2].map((k) => num(coords[3 * i + k]).padStart(22)).join(' ');
      out.push(`  ${s.padEnd(2)} ${(s + seen.get(s)).padEnd(8)} ${xyz} ${occData ? num(occData[i]) : '1.0'}`);
    }
    yield out.join('\n') + '\n\n';
  }
}

function sniffCif(head: string): number {
  if (!/^\s*data_\S*/im.test(head)) return 0;
  return /^\s*(_cell_length_a|_atom_site_|loop_)/im.test(head) ? 0.9 : 0.5;
}

export const cifFormat: FormatSpec = {
  name: 'cif',
  title: 'Crystallographic Information File (CIF)',
  extensions: ['cif'],
  multiFrame: true,
  carries: { cell: true, energy: false, forces: false, stress: false },
  sniff: sniffCif,
  read: readCif,
  write: writeCif,
};
