// Shared pieces of the CLI commands: the Command type, reading options, loading a file with
// progress and located errors, atomic writes.
import { promises as fsp, createWriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Frame } from '../../src-shared/atoms/frame';
import { FORMATS } from '../../src-shared/io/registry';
import type { ReadProgress } from '../../src-shared/io/read';
import { readFramesFromPath, type ReadFileOptions } from '../node/readFile';
import type { CommandSpec, OptionSpec, ParsedArgs } from './args';

export interface Command {
  spec: CommandSpec;
  run(args: ParsedArgs): Promise<number>;
}

export const readOptions: OptionSpec[] = [
  { name: 'format', type: 'string', valueName: 'NAME', help: `input format (${FORMATS.map((f) => f.name).join(', ')}); default: from name and content` },
  { name: 'species', type: 'string', valueName: 'A,B,..', help: 'element symbols for LAMMPS types 1..n or VASP 4 POSCAR files' },
  { name: 'energy-key', type: 'string', valueName: 'KEY', help: 'extxyz info key holding the energy (default: energy, REF_energy, DFT_energy, ...)' },
  { name: 'forces-key', type: 'string', valueName: 'KEY', help: 'extxyz per-atom column holding forces' },
  { name: 'stress-key', type: 'string', valueName: 'KEY', help: 'extxyz info key holding the stress' },
];

function toReadOptions(o: Record<string, string | boolean>): ReadFileOptions {
  const s = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const labelKeys = { energy: s('energy-key'), forces: s('forces-key'), stress: s('stress-key') };
  return {
    format: s('format'),
    species: s('species')
      ?.split(',')
      .map((x) => x.trim())
      .filter(Boolean),
    labelKeys: Object.values(labelKeys).some((v) => v !== undefined) ? labelKeys : undefined,
  };
}

function progressReporter(label: string): ((p: ReadProgress) => void) | undefined {
  if (!process.stderr.isTTY && process.env.ATOMFORGE_PROGRESS !== '1') return undefined;
  let lastPct = -1;
  const t0 = Date.now();
  return (p) => {
    const pct = p.totalBytes ? Math.floor((100 * p.bytesRead) / p.totalBytes) : -1;
    if (pct === lastPct) return;
    lastPct = pct;
    const el = (Date.now() - t0) / 1000;
    const eta = pct > 0 && pct < 100 ? ` ~${Math.ceil((el * (100 - pct)) / pct)} s left` : '';
    process.stderr.write(`\r${label}: ${pct >= 0 ? pct + '%' : (p.bytesRead / 1e6).toFixed(1) + ' MB'} ${p.frames} frames${eta}   `);
    if (pct === 100) process.stderr.write('\n');
  };
}

export async function load(path: string, o: Record<string, string | boolean>): Promise<{ frames: Frame[]; format: string; labelKeys: Record<string, Record<string, number>>; warnings: number } | null> {
  const r = await readFramesFromPath(path, { ...toReadOptions(o), onProgress: progressReporter(`reading ${basename(path)}`) });
  if ('error' in r) {
    console.error(`atomforge: ${r.error}`);
    return null;
  }
  for (const w of r.result.warnings) console.error(`warning: ${w.file}:${w.line}: ${w.message}`);
  if (r.result.warningCount > r.result.warnings.length) console.error(`warning: ... ${r.result.warningCount - r.result.warnings.length} more warnings`);
  if (!r.result.ok) {
    console.error(`atomforge: ${r.result.error.message}`);
    return null;
  }
  return { frames: r.result.frames, format: r.format.name, labelKeys: r.result.labelKeys, warnings: r.result.warningCount };
}

/** A string option's value, or undefined when absent (flags are booleans). */
export function optString(o: Record<string, string | boolean>, k: string): string | undefined {
  return typeof o[k] === 'string' ? (o[k] as string) : undefined;
}

/** A numeric option: undefined when absent; throws a message naming the flag when not a finite number. */
export function optNumber(o: Record<string, string | boolean>, k: string): number | undefined {
  const s = optString(o, k);
  if (s === undefined) return undefined;
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v)) throw new Error(`--${k} must be a number, got "${s}"`);
  return v;
}

/** Print "atomforge: MSG" on stderr and return the exit status (1: bad input). */
export function fail(msg: string, code = 1): number {
  console.error(`atomforge: ${msg}`);
  return code;
}

/** Write text pieces to `path` atomically: a temp file in the same folder, then rename. */
export async function writeAtomic(path: string, pieces: Iterable<string>): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const out = createWriteStream(tmp);
  try {
    for (const p of pieces) {
      if (!out.write(p)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((res, rej) => {
      out.once('error', rej);
      out.end(() => res());
    });
    const fh = await fsp.open(tmp, 'r+');
    await fh.sync();
    await fh.close();
    await fsp.rename(tmp, path);
  } catch (e) {
    out.destroy();
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

