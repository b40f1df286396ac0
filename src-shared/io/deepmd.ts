// DeePMD-kit "npy" systems (DeePMD-kit docs, "Data format": docs.deepmodeling.com/projects/
// deepmd/en/master/data/system.html; dpdata's deepmd/npy format). A system is a directory:
//   type.raw       one integer type per atom (the same atoms in every frame of the system)
//   type_map.raw   element name of each type, one per line (optional: else ReadOptions.species)
//   nopbc          empty file marking a non-periodic system (then there is no box.npy)
//   set.000/ set.001/ ...   box.npy [F, 9] (Å, rows a b c), coord.npy [F, 3N] (Å),
//                  energy.npy [F] (eV), force.npy [F, 3N] (eV/Å), virial.npy [F, 9] (eV)
// or, without sets, the same arrays as text in box.raw, coord.raw, ... (one frame per line).
// Virial and stress: DeePMD's virial is -stress x volume (eV), so stressEvPerA3 = -virial / V, ASE's
// sign. A set may lack energy, force or virial files; those labels are then absent (never zeros).
// Directories cannot go through the line-based registry, so this module is pure: it gets the
// files' contents (src-main/node/deepmd.ts reads and writes the directories) and builds frames, or
// builds the files of one system per distinct atom sequence for export.
import { symbolFromLabel } from '../atoms/elements';
import { type Frame, cellVolumeA3, makeFrame } from '../atoms/frame';
import { chemicalFormula } from '../atoms/summary';
import { ParseError } from './errors';
import { parseNpy, writeNpy } from './npy';

export interface DeepmdSystemFiles {
  /** Path of the system directory, used in messages and info.deepmd_system. */
  name: string;
  typeRaw: string;
  typeMapRaw?: string;
  nopbc: boolean;
  /** set.* directories in order, each a map from file name (coord.npy, ...) to its bytes. */
  sets: { name: string; files: Record<string, Uint8Array> }[];
  /** Text arrays of the system root (box.raw, coord.raw, energy.raw, force.raw, virial.raw). */
  raw?: Record<string, string>;
}

function parseRawFloats(text: string, file: string): { rows: number; data: Float64Array } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const values: number[] = [];
  lines.forEach((l, i) => {
    for (const t of l.trim().split(/\s+/)) {
      const v = Number(t);
      if (!Number.isFinite(v)) throw new ParseError(file, i + 1, 'numbers', t);
      values.push(v);
    }
  });
  return { rows: lines.length, data: Float64Array.from(values) };
}

/** Frames of one DeePMD system. Throws ParseError naming the file that is wrong. */
export function readDeepmdSystem(sys: DeepmdSystemFiles, options: { species?: string[] } = {}): Frame[] {
  const types = sys.typeRaw
    .split(/\s+/)
    .filter(Boolean)
    .map((t, i) => {
      const v = Number(t);
      if (!Number.isInteger(v) || v < 0) throw new ParseError(`${sys.name}/type.raw`, i + 1, 'a non-negative integer type', t);
      return v;
    });
  const n = types.length;
  if (n === 0) throw new ParseError(`${sys.name}/type.raw`, 1, 'one type per atom', 'an empty file');
  const nTypes = Math.max(...types) + 1;
  let names = sys.typeMapRaw?.split(/\s+/).filter(Boolean);
  if (!names || names.length === 0) names = options.species;
  if (!names || names.length < nTypes) {
    throw new ParseError(`${sys.name}/type_map.raw`, 1, `${nTypes} element names (type_map.raw or the species option)`, names ? `${names.length}` : 'no type_map.raw', 'Pass the species in type order, e.g. O,H');
  }
  const typeSymbols = names.map((nm, k) => {
    const s = symbolFromLabel(nm);
    if (!s && k < nTypes) throw new ParseError(`${sys.name}/type_map.raw`, k + 1, 'an element symbol', nm);
    return s ?? 'X';
  });
  const symbols = types.map((t) => typeSymbols[t]);

  const frames: Frame[] = [];
  const sources: { name: string; get(key: string): { rows: number; data: Float64Array; file: string } | null }[] = [];
  if (sys.sets.length > 0) {
    for (const s of sys.sets) {
      sources.push({
        name: s.name,
        get(key) {
          const bytes = s.files[`${key}.npy`];
          if (!bytes) return null;
          const file = `${sys.name}/${s.name}/${key}.npy`;
          try {
            const a = parseNpy(bytes);
            return { rows: a.shape.length ? a.shape[0] : 1, data: a.data instanceof Float64Array ? a.data : Float64Array.from(a.data), file };
          } catch (e) {
            throw new ParseError(file, 1, 'a readable .npy array', undefined, e instanceof Error ? e.message : String(e));
          }
        },
      });
    }
  } else if (sys.raw && sys.raw['coord.raw'] !== undefined) {
    const raw = sys.raw;
    sources.push({
      name: '.',
      get(key) {
        const text = raw[`${key}.raw`];
        if (text === undefined) return null;
        const file = `${sys.name}/${key}.raw`;
        return { ...parseRawFloats(text, file), file };
      },
    });
  } else throw new ParseError(sys.name, 1, 'set.* directories or coord.raw in the DeePMD system', 'neither');

  for (const src of sources) {
    const coord = src.get('coord');
    if (!coord) throw new ParseError(`${sys.name}/${src.name}`, 1, 'coord.npy in every set', 'none');
    const nf = coord.data.length / (3 * n);
    if (!Number.isInteger(nf)) throw new ParseError(coord.file, 1, `a multiple of 3 x ${n} atoms (type.raw) values`, `${coord.data.length}`);
    const check = (a: { data: Float64Array; file: string } | null, per: number, what: string) => {
      if (a && a.data.length !== nf * per) throw new ParseError(a.file, 1, `${nf} frames x ${per} values of ${what}`, `${a.data.length} values`);
      return a;
    };
    const box = check(src.get('box'), 9, 'the box');
    const energy = check(src.get('energy'), 1, 'the energy');
    const force = check(src.get('force'), 3 * n, 'the forces');
    const virial = check(src.get('virial'), 9, 'the virial');
    if (!box && !sys.nopbc) throw new ParseError(`${sys.name}/${src.name}`, 1, 'box.npy (or an nopbc file in the system directory)', 'none');
    for (let k = 0; k < nf; k++) {
      const cell = box && !sys.nopbc ? Float64Array.from(box.data.subarray(9 * k, 9 * k + 9)) : null;
      let stress: Float64Array | undefined;
      if (virial && cell) {
        const v = cellVolumeA3(cell);
        if (v > 0) stress = Float64Array.from(virial.data.subarray(9 * k, 9 * k + 9), (x) => -x / v + 0);
      }
      const frame = makeFrame({
        symbols,
        positionsA: coord.data.subarray(3 * n * k, 3 * n * (k + 1)),
        cellA: cell,
        pbc: cell ? [true, true, true] : [false, false, false],
        energyEv: energy ? energy.data[k] : undefined,
        forcesEvPerA: force ? Float64Array.from(force.data.subarray(3 * n * k, 3 * n * (k + 1))) : undefined,
        stressEvPerA3: stress,
      });
      frame.info.deepmd_system = sys.name;
      frame.info.deepmd_set = src.name;
      frames.push(frame);
    }
  }
  return frames;
}

export interface DeepmdSystemOut {
  /** Directory name relative to the export folder (formula, made unique). */
  dir: string;
  /** Relative file path -> content (text for .raw and nopbc, bytes for .npy). */
  files: Record<string, string | Uint8Array>;
  frames: number;
}

export interface DeepmdExport {
  /** One global type map so that types agree across systems (put it in DeePMD's input.json). */
  typeMap: string[];
  systems: DeepmdSystemOut[];
  /** Things the user should know (partly periodic frames written as periodic, ...). */
  notes: string[];
}

/**
 * DeePMD npy systems for frames: one system per distinct atom sequence and periodicity, types from
 * one sorted type map, float64 arrays, sets of at most `setSize` frames, a new set wherever the
 * labels present change (a set holds energy.npy / force.npy / virial.npy only when all its frames
 * have that label).
 */
export function buildDeepmdSystems(frames: Iterable<Frame>, options: { setSize?: number; typeMap?: string[] } = {}): DeepmdExport {
  const setSize = Math.max(1, Math.floor(options.setSize ?? 5000));
  const groups = new Map<string, Frame[]>();
  const notes: string[] = [];
  let partial = 0;
  const elements = new Set<string>();
  for (const f of frames) {
    const periodic = !!f.cellA && f.pbc.some(Boolean);
    if (periodic && !f.pbc.every(Boolean)) partial++;
    const key = `${periodic ? 'pbc' : 'nopbc'}|${f.symbols.join(',')}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(f);
    for (const s of f.symbols) elements.add(s);
  }
  if (partial) notes.push(`${partial} frame(s) periodic along some axes only were written with their full cell (DeePMD treats a box as periodic in 3D)`);
  const typeMap = options.typeMap ?? [...elements].sort();
  for (const e of elements) if (!typeMap.includes(e)) throw new Error(`element ${e} is not in the type map (${typeMap.join(' ')})`);
  const used = new Map<string, number>();
  const systems: DeepmdSystemOut[] = [];
  for (const [key, list] of groups) {
    const nopbc = key.startsWith('nopbc');
    const symbols = list[0].symbols;
    const n = symbols.length;
    const base = chemicalFormula(symbols) + (nopbc ? '_nopbc' : '');
    const count = (used.get(base) ?? 0) + 1;
    used.set(base, count);
    const dir = count === 1 ? base : `${base}_${count}`;
    const files: Record<string, string | Uint8Array> = {
      'type.raw': symbols.map((s) => typeMap.indexOf(s)).join('\n') + '\n',
      'type_map.raw': typeMap.join('\n') + '\n',
    };
    if (nopbc) files.nopbc = '';
    const sig = (f: Frame) => `${f.energyEv !== undefined ? 'E' : ''}${f.forcesEvPerA ? 'F' : ''}${f.stressEvPerA3 && !nopbc ? 'V' : ''}`;
    let set = 0;
    for (let start = 0; start < list.length; ) {
      const s0 = sig(list[start]);
      let end = start + 1;
      while (end < list.length && end - start < setSize && sig(list[end]) === s0) end++;
      const part = list.slice(start, end);
      const m = part.length;
      const prefix = `set.${String(set).padStart(3, '0')}/`;
      const coord = new Float64Array(3 * n * m);
      part.forEach((f, k) => coord.set(f.positionsA, 3 * n * k));
      files[prefix + 'coord.npy'] = writeNpy(coord, [m, 3 * n]);
      if (!nopbc) {
        const box = new Float64Array(9 * m);
        part.forEach((f, k) => box.set(f.cellA!, 9 * k));
        files[prefix + 'box.npy'] = writeNpy(box, [m, 9]);
      }
      if (s0.includes('E')) files[prefix + 'energy.npy'] = writeNpy(Float64Array.from(part, (f) => f.energyEv!), [m]);
      if (s0.includes('F')) {
        const force = new Float64Array(3 * n * m);
        part.forEach((f, k) => force.set(f.forcesEvPerA!, 3 * n * k));
        files[prefix + 'force.npy'] = writeNpy(force, [m, 3 * n]);
      }
      if (s0.includes('V')) {
        const vir = new Float64Array(9 * m);
        part.forEach((f, k) => {
          const v = cellVolumeA3(f.cellA);
          for (let q = 0; q < 9; q++) vir[9 * k + q] = -f.stressEvPerA3![q] * v + 0;
        });
        files[prefix + 'virial.npy'] = writeNpy(vir, [m, 9]);
      }
      set++;
      start = end;
    }
    systems.push({ dir, files, frames: list.length });
  }
  return { typeMap, systems, notes };
}
