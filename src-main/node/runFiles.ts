// Run folders on disk: one folder per run (MD now, training later) holding its settings, a
// trajectory appended frame by frame as extended XYZ, and a thermo CSV, written so that a crash loses
// at most the frame or row being written (synchronous appends go to the OS at once; fsync on close).
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Frame } from '../../src-shared/atoms/frame';
import { formatExtxyzFrame } from '../../src-shared/io/formats/extxyz';

/** Create `<base>/<kind>-<UTC timestamp>-<suffix>` and return its path. */
export function createRunFolder(baseDir: string, kind: string, suffix: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const dir = join(baseDir, `${kind}-${stamp}-${suffix}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Write every byte (writeSync may write fewer than asked). */
function writeAll(fd: number, data: Uint8Array): void {
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
}

/** fsync a folder so that a rename in it survives a power cut (a no-op where folders cannot be opened). */
export function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* Windows: folders cannot be fsynced; the rename is still atomic */
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * Write a file atomically: temp file, every byte, fsync, rename over the target, fsync the folder.
 * A crash at any moment leaves either the old file or the new one, never a mix; a failed write
 * (full disk) removes the temp file and throws with the path.
 */
export function writeBytesAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeAll(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(dirname(path));
}
/** Write JSON atomically (see writeBytesAtomic). */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeBytesAtomic(path, JSON.stringify(value, null, 1));
}

/** An fs error as "cannot write PATH: the disk is full (ENOSPC)": what happened and what to do. */
export function writeError(path: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException)?.code;
  const why =
    code === 'ENOSPC' || code === 'EDQUOT' ? 'the disk is full; free some space and start again' :
    code === 'ENOENT' ? 'its folder was deleted or moved' :
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'the folder is not writable' :
    code === 'EIO' ? 'the disk reported an input/output error' :
    e instanceof Error ? e.message : String(e);
  const err = new Error(`cannot write ${path}: ${why}${code ? ` (${code})` : ''}`);
  (err as NodeJS.ErrnoException).code = code;
  return err;
}

/** Appends text synchronously; every append reaches the OS before the call returns. */
export class Appender {
  private fd: number | null;
  constructor(readonly path: string, header?: string) {
    try {
      this.fd = openSync(path, 'w');
      if (header) writeSync(this.fd, header);
    } catch (e) {
      throw writeError(path, e);
    }
  }
  append(text: string): void {
    if (this.fd === null) throw new Error(`${this.path} is closed`);
    try {
      writeSync(this.fd, text);
    } catch (e) {
      throw writeError(this.path, e);
    }
  }
  sync(): void {
    if (this.fd !== null) fsyncSync(this.fd);
  }
  /** fsync and close; EINVAL from fsync (a pipe or a device such as /dev/null) is not an error. */
  close(): void {
    if (this.fd === null) return;
    try {
      fsyncSync(this.fd);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EINVAL') throw writeError(this.path, e);
    } finally {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}

/** Extended XYZ trajectory, one frame per append. */
export class TrajectoryWriter {
  private out: Appender;
  private count = 0;
  constructor(path: string) {
    this.out = new Appender(path);
  }
  get path() {
    return this.out.path;
  }
  get frames() {
    return this.count;
  }
  append(frame: Frame): void {
    this.out.append(formatExtxyzFrame(frame, this.count, { fileName: this.out.path }));
    this.count++;
  }
  close(): void {
    this.out.close();
  }
}

export const THERMO_HEADER = 'step,time_fs,epot_ev,ekin_ev,etot_ev,temperature_k,pressure_gpa,conserved_ev';

export interface ThermoRow {
  step: number;
  timeFs: number;
  epotEv: number;
  ekinEv: number;
  etotEv: number;
  temperatureK: number;
  pressureGpa: number;
  conservedEv: number;
}

/** Thermo CSV with the header the CLI documents; numbers in shortest round-trip form. */
export class ThermoWriter {
  private out: Appender;
  constructor(path: string) {
    this.out = new Appender(path, THERMO_HEADER + '\n');
  }
  append(r: ThermoRow): void {
    this.out.append(`${r.step},${r.timeFs},${r.epotEv},${r.ekinEv},${r.etotEv},${r.temperatureK},${r.pressureGpa},${r.conservedEv}\n`);
  }
  close(): void {
    this.out.close();
  }
}

export function writeText(path: string, text: string): void {
  writeFileSync(path, text);
}
