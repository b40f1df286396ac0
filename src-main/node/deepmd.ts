// DeePMD-kit npy systems on disk (directories; the pure assembly and the format notes are in
// src-shared/io/deepmd.ts). Reading: PATH is one system (it holds type.raw) or a folder whose
// sub-folders (up to 4 levels deep, sorted) are systems, as dpdata's MultiSystems are laid out.
// Writing: one sub-folder per system under OUTDIR, refused when OUTDIR exists and is not empty.
import { promises as fsp } from 'node:fs';
import { join, relative } from 'node:path';
import type { Frame } from '../../src-shared/atoms/frame';
import { buildDeepmdSystems, readDeepmdSystem, type DeepmdExport, type DeepmdSystemFiles } from '../../src-shared/io/deepmd';
import { ParseError } from '../../src-shared/io/errors';
import type { FormatSpec } from '../../src-shared/io/format';
import type { ReadResult } from '../../src-shared/io/read';

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.access(p);
    return true;
  } catch {
    return false;
  }
}

/** True when `path` is a directory holding a DeePMD system or systems below it. */
export async function isDeepmdPath(path: string): Promise<boolean> {
  try {
    if (!(await fsp.stat(path)).isDirectory()) return false;
  } catch {
    return false;
  }
  return (await findSystems(path, 4)).length > 0;
}

async function findSystems(dir: string, depth: number): Promise<string[]> {
  if (await exists(join(dir, 'type.raw'))) return [dir];
  if (depth === 0) return [];
  let entries;
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    out.push(...(await findSystems(join(dir, e.name), depth - 1)));
  }
  return out;
}

async function readSystemFiles(dir: string, name: string): Promise<DeepmdSystemFiles> {
  const entries = await fsp.readdir(dir, { withFileTypes: true });
  const setDirs = entries.filter((e) => e.isDirectory() && /^set\./.test(e.name)).map((e) => e.name).sort();
  const sets: DeepmdSystemFiles['sets'] = [];
  for (const s of setDirs) {
    const files: Record<string, Uint8Array> = {};
    for (const f of await fsp.readdir(join(dir, s))) {
      if (f.endsWith('.npy')) files[f] = new Uint8Array(await fsp.readFile(join(dir, s, f)));
    }
    sets.push({ name: s, files });
  }
  const raw: Record<string, string> = {};
  if (sets.length === 0) {
    for (const e of entries) if (e.isFile() && e.name.endsWith('.raw')) raw[e.name] = await fsp.readFile(join(dir, e.name), 'utf8');
  }
  const typeMapPath = join(dir, 'type_map.raw');
  return {
    name,
    typeRaw: await fsp.readFile(join(dir, 'type.raw'), 'utf8'),
    typeMapRaw: (await exists(typeMapPath)) ? await fsp.readFile(typeMapPath, 'utf8') : undefined,
    nopbc: await exists(join(dir, 'nopbc')),
    sets,
    raw,
  };
}

export type DeepmdReadResult = { frames: Frame[]; systems: string[] } | { error: string };

/** Every frame of the DeePMD system(s) at `path`; errors come back as { error } naming the file. */
export async function readDeepmdPath(path: string, options: { species?: string[] } = {}): Promise<DeepmdReadResult> {
  const dirs = await findSystems(path, 4);
  if (dirs.length === 0) return { error: `${path}: no DeePMD system (a folder with type.raw) found` };
  const frames: Frame[] = [];
  const systems: string[] = [];
  for (const d of dirs) {
    const name = relative(path, d) || '.';
    try {
      frames.push(...readDeepmdSystem(await readSystemFiles(d, name), options));
      systems.push(name);
    } catch (e) {
      if (e instanceof ParseError) return { error: `${path}: ${e.message}` };
      return { error: `${path}/${name}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
    }
  }
  return { frames, systems };
}

/** Write frames as DeePMD npy systems under `outDir` (created; must be empty or absent). */
export async function writeDeepmdPath(outDir: string, frames: Frame[], options: { setSize?: number; typeMap?: string[] } = {}): Promise<DeepmdExport> {
  if (await exists(outDir)) {
    if (!(await fsp.stat(outDir)).isDirectory()) throw new Error(`${outDir} exists and is not a folder`);
    if ((await fsp.readdir(outDir)).length > 0) throw new Error(`${outDir} is not empty; choose a new folder so that no earlier export is mixed in`);
  }
  const out = buildDeepmdSystems(frames, options);
  for (const sys of out.systems) {
    for (const [rel, content] of Object.entries(sys.files)) {
      const p = join(outDir, sys.dir, rel);
      await fsp.mkdir(join(p, '..'), { recursive: true });
      await fsp.writeFile(p, content);
    }
  }
  return out;
}

/**
 * A registry-like description of DeePMD folders for messages and `info` (no line reader: it is not
 * in FORMATS). carries: cell, energy, forces and virial (as stress).
 */
export const deepmdFolderFormat: FormatSpec = {
  name: 'deepmd',
  title: 'DeePMD-kit npy system (folder)',
  extensions: [],
  multiFrame: true,
  carries: { cell: true, energy: true, forces: true, stress: true },
};

/**
 * The same shape as readFramesFromPath's result (src-main/node/readFile.ts), so that `info`,
 * `convert` and the IO worker can accept DeePMD folders with one branch:
 *   if (st.isDirectory() && (await isDeepmdPath(path))) return readDeepmdAsReadFileResult(path, opts);
 */
export async function readDeepmdAsReadFileResult(path: string, options: { species?: string[] } = {}): Promise<{ format: FormatSpec; sizeBytes: number; result: ReadResult } | { error: string }> {
  const r = await readDeepmdPath(path, options);
  if ('error' in r) return { error: r.error };
  const labelKeys: Record<'energy' | 'forces' | 'stress', Record<string, number>> = { energy: {}, forces: {}, stress: {} };
  for (const f of r.frames) {
    if (f.energyEv !== undefined) labelKeys.energy['energy.npy'] = (labelKeys.energy['energy.npy'] ?? 0) + 1;
    if (f.forcesEvPerA) labelKeys.forces['force.npy'] = (labelKeys.forces['force.npy'] ?? 0) + 1;
    if (f.stressEvPerA3) labelKeys.stress['-virial.npy / V'] = (labelKeys.stress['-virial.npy / V'] ?? 0) + 1;
  }
  return { format: deepmdFolderFormat, sizeBytes: 0, result: { ok: true, frames: r.frames, frameCount: r.frames.length, warnings: [], warningCount: 0, labelKeys } };
}
