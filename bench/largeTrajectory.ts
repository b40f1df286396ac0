// Large inputs (issue 9): a ~1 GB extended XYZ trajectory streamed with bounded memory.
// Writes a synthetic trajectory (src-main/reliability/syntheticTrajectory.ts: 128-atom frames with
// forces, energy, stress, pbc, in the layout ASE writes) into a temp folder, then reads it in a
// fresh child process per mode, sampling RSS and V8 heap every 50 ms and every 1,000 frames:
//   stream:  readStream (src-shared/io/read.ts) over fs.createReadStream, collect: false, frames
//            handed to onFrame and dropped (the streaming path);
//   file:    readFramesFromPath (src-main/node/readFile.ts, what the IO worker and the CLI call)
//            with collect: false; for extended XYZ this is readFramesParallel, which holds the
//            frames of its ranges until the tiling is verified (so memory grows with the file).
// The reference is the file size and the child's RSS before reading: the script prints peak RSS,
// its growth over the baseline and the ratio growth / file size.
// Run: npx tsx bench/largeTrajectory.ts [--mb 1024] [--modes stream,file] [--keep]
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extxyzFormat } from '../src-shared/io/formats/extxyz';
import { readStream } from '../src-shared/io/read';
import { readFramesFromPath } from '../src-main/node/readFile';
import { closeParallelReadWorkers } from '../src-main/node/parallelRead';
import { syntheticChunks, syntheticTrajectory } from '../src-main/reliability/syntheticTrajectory';

const MB = 1 << 20;
const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};

interface ChildReport {
  mode: string;
  ok: boolean;
  frames: number;
  seconds: number;
  baseRssBytes: number;
  peakRssBytes: number;
  peakHeapBytes: number;
  peakExternalBytes: number;
}

async function child(mode: string, path: string): Promise<void> {
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  let peakExt = base.external;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakExt = Math.max(peakExt, m.external);
  };
  const timer = setInterval(sample, 50);
  let frames = 0;
  const onFrame = (_f: unknown, i: number) => {
    frames++;
    if (i % 1000 === 0) sample();
  };
  const t0 = process.hrtime.bigint();
  let ok: boolean;
  if (mode === 'stream') {
    const res = await readStream(extxyzFormat, createReadStream(path, { highWaterMark: 1 << 20 }), {
      fileName: 'large.extxyz',
      totalBytes: statSync(path).size,
      collect: false,
      onFrame,
    });
    ok = res.ok;
  } else {
    const res = await readFramesFromPath(path, { collect: false, onFrame });
    ok = !('error' in res) && res.result.ok;
    await closeParallelReadWorkers();
  }
  sample();
  clearInterval(timer);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const r: ChildReport = { mode, ok, frames, seconds, baseRssBytes: base.rss, peakRssBytes: peakRss, peakHeapBytes: peakHeap, peakExternalBytes: peakExt };
  process.stdout.write(`REPORT ${JSON.stringify(r)}\n`);
}

function writeTrajectory(path: string, bytes: number): { frames: number; atomsPerFrame: number } {
  const t = syntheticTrajectory(128, 8, 11);
  const fd = openSync(path, 'w');
  let frames = 0;
  try {
    for (const chunk of syntheticChunks(t, bytes, 4 * MB)) {
      writeSync(fd, chunk);
      frames += Math.round(chunk.length / t.frameBytes);
    }
  } finally {
    closeSync(fd);
  }
  return { frames, atomsPerFrame: t.atomsPerFrame };
}

async function main(): Promise<void> {
  if (args[0] === '--child') return child(args[1], args[2]);
  const targetMb = Number(opt('mb', '1024'));
  const modes = opt('modes', 'stream,file').split(',');
  const dir = mkdtempSync(join(tmpdir(), 'atomforge-large-traj-'));
  const path = join(dir, 'large.extxyz');
  try {
    let t0 = Date.now();
    const w = writeTrajectory(path, targetMb * MB);
    const size = statSync(path).size;
    console.log(`wrote ${path}: ${(size / MB).toFixed(0)} MiB, ~${w.frames} frames of ${w.atomsPerFrame} atoms in ${((Date.now() - t0) / 1e3).toFixed(1)} s`);
    console.log('| mode | frames | s | MiB/s | base RSS MiB | peak RSS MiB | RSS growth MiB | growth / file | peak heap MiB | peak external MiB |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const mode of modes) {
      t0 = Date.now();
      const me = fileURLToPath(import.meta.url);
      const p = spawnSync(process.execPath, [...process.execArgv, me, '--child', mode, path], { encoding: 'utf8', maxBuffer: 64 * MB });
      const line = (p.stdout ?? '').split('\n').find((l) => l.startsWith('REPORT '));
      if (!line) {
        console.log(`| ${mode} | failed (exit ${p.status}): ${(p.stderr ?? '').slice(-300).replace(/\n/g, ' ')} |`);
        continue;
      }
      const r = JSON.parse(line.slice(7)) as ChildReport;
      const growth = r.peakRssBytes - r.baseRssBytes;
      const f = (b: number) => (b / MB).toFixed(0);
      console.log(
        `| ${mode}${r.ok ? '' : ' (read failed)'} | ${r.frames} | ${r.seconds.toFixed(1)} | ${(size / MB / r.seconds).toFixed(0)} | ${f(r.baseRssBytes)} | ${f(r.peakRssBytes)} | ${f(growth)} | ${(growth / size).toFixed(3)} | ${f(r.peakHeapBytes)} | ${f(r.peakExternalBytes)} |`,
      );
    }
  } finally {
    if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
