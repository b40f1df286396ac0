// The contract every file format implements (one module per format, listed in registry.ts).
// Modelled on ASE's io/formats.py registry: name, description, extensions, multi-frame flag,
// a content sniffer, a streaming reader and a writer.
import type { Frame } from '../atoms/frame';
import type { LineCursor, NeedMore } from './lineCursor';
import type { ParseWarning } from './errors';

/** Which per-frame keys hold the labels. Null = detect (energy, REF_energy, DFT_energy, ...). */
export interface LabelKeyMap {
  energy?: string | null;
  forces?: string | null;
  stress?: string | null;
  virial?: string | null;
}

export interface ReadOptions {
  /** User-set label key mapping (extended XYZ). */
  labelKeys?: LabelKeyMap;
  /**
   * Element symbols for formats that store only types or omit species: LAMMPS type 1..n, VASP 4
   * POSCAR without a species line. E.g. ["Cu", "Ni"].
   */
  species?: string[];
  /** LAMMPS data atom style when the file does not say it ('atomic', 'charge', 'full', ...). */
  atomStyle?: string;
}

export interface ReadContext {
  fileName: string;
  options: ReadOptions;
  warn(line: number, message: string): void;
  /** Record which key of the file a label was taken from (shown to the user: "energy <- REF_energy"). */
  noteLabelKey(label: 'energy' | 'forces' | 'stress', key: string): void;
}

export type FrameReader = (cur: LineCursor, ctx: ReadContext) => Generator<Frame | NeedMore, void, void>;

export interface WriteOptions {
  /** Name of the file being written, for messages. */
  fileName?: string;
}

export interface FormatSpec {
  /** Registry key, e.g. "extxyz"; used by `convert --to`. */
  name: string;
  /** Human description, e.g. "Extended XYZ (ASE conventions)". */
  title: string;
  /** File extensions without the dot, lower case. */
  extensions: string[];
  /** File base names matched case-insensitively (POSCAR, CONTCAR). */
  baseNames?: string[];
  multiFrame: boolean;
  /** True when the format carries a cell / energy / forces / stress. */
  carries: { cell: boolean; energy: boolean; forces: boolean; stress: boolean };
  /** Confidence 0..1 that the text (first few KB) is in this format. */
  sniff?: (head: string) => number;
  read?: FrameReader;
  /** Writer: yields text pieces. Throws Error with a message naming what cannot be written. */
  write?: (frames: Iterable<Frame>, options: WriteOptions) => Iterable<string>;
}

export type { ParseWarning };
