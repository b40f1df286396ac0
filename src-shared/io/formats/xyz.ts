// Plain XYZ (https://en.wikipedia.org/wiki/XYZ_file_format; ASE's ase/io/xyz.py): per frame, the
// atom count, a free comment line, then "symbol x y z" lines in Å. It carries no cell and no labels.
// Reading goes through the extended XYZ reader, which reads plain files too (a comment without
// `Properties=` is kept as info.comment; extra columns are kept as the per-atom array `extra`).
// This format has no file extensions so that `.xyz` resolves to extended XYZ for reading and
// writing (as in ASE); choose it by name (`--to xyz`) to write the plain form.
import type { Frame } from '../../atoms/frame';
import type { FormatSpec, WriteOptions } from '../format';
import { readExtxyz } from './extxyz';
import { formatFloat } from './extxyzKeyValue';

/** One frame as plain XYZ; the comment line is info.comment when it is a one-line string. */
export function formatXyzFrame(f: Frame, index: number, options: WriteOptions): string {
  const n = f.symbols.length;
  if (f.positionsA.length !== 3 * n) {
    throw new Error(`${options.fileName ?? 'xyz'}: frame ${index}: positions hold ${f.positionsA.length} values for ${n} atoms`);
  }
  const c = f.info.comment;
  const comment = typeof c === 'string' && !/[\n\r]/.test(c) ? c : '';
  const out: string[] = new Array(n + 2);
  out[0] = String(n);
  out[1] = comment;
  const p = f.positionsA;
  for (let i = 0; i < n; i++) {
    out[i + 2] = `${f.symbols[i]} ${formatFloat(p[3 * i])} ${formatFloat(p[3 * i + 1])} ${formatFloat(p[3 * i + 2])}`;
  }
  return out.join('\n') + '\n';
}

export function* writeXyz(frames: Iterable<Frame>, options: WriteOptions): Generator<string, void, void> {
  let index = 0;
  for (const f of frames) yield formatXyzFrame(f, index++, options);
}

export const xyzFormat: FormatSpec = {
  name: 'xyz',
  title: 'XYZ (plain: symbol x y z)',
  extensions: [],
  multiFrame: true,
  carries: { cell: false, energy: false, forces: false, stress: false },
  read: readExtxyz,
  write: writeXyz,
};
