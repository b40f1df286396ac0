// Run folders on disk: one folder per run (MD now, training later) holding its settings, a
// trajectory appended frame by frame as extended XYZ, and a thermo CSV, written so that a crash loses
// at most the frame or row being written (synchronous appends go to the OS at once; fsync on close).
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from '../../src-shared/atoms/frame';
import { formatExtxyzFrame } from '../../src-shared/io/formats/extxyz';

/** Create `<base>/<kind>-<UTC timestamp>-<suffix>` and return its path. */
export function createRunFolder(baseDir: string, kind: string, suffix: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const dir = join(baseDir, `${kind}-${stamp}-${suffix}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Write JSON atomically: temp file, fsync, rename. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify(value, null, 1));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Appends text synchronously; every append reaches the OS before the call returns. */
export class Appender {
  private fd: number | null;
  constructor(readonly path: string, header?: string) {
    this.fd = openSync(path, 'w');
    if (header) writeSync(this.fd, header);
  }
  append(text: string): void {
    if (this.fd === null) throw new Error(`${this.path} is closed`);
    writeSync(this.fd, text);
  }
  sync(): void {
    if (this.fd !== null) fsyncSync(this.fd);
  }
  close(): void {
    if (this.fd === null) return;
    try {
      fsyncSync(this.fd);
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
