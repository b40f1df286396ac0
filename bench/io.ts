// Extended XYZ read throughput: our streaming reader vs ASE 3.22's ase.io.read(path, ':'), measured
// in the same run on the same file (GUIDE §3.10: benchmarks print ratios against a reference).
// The file is a synthetic ~50 MB trajectory in the layout ASE writes (Lattice, Properties with
// species/pos/forces, energy, 9-value stress, pbc; %16.8f columns), frames of 64-256 atoms,
// generated once into bench/data/ (gitignored). Real datasets from ../shared/data are timed too
// when present. Files of at least PARALLEL_MIN_BYTES get a second row: readFramesParallel
// (src-main/node/parallelRead.ts), K worker threads on byte ranges cut at verified frame starts.
// On a shared machine the load changes between our short runs and ASE's long one, so the timings
// are taken in R rounds (--rounds), each timing every reader of ours and then ASE; a ratio is the
// median over rounds of ASE's time / ours in the same round (MB/s columns: the best round).
// PYTHON=... picks the interpreter that has ASE (default /usr/bin/python3, Debian python3-ase).
// Run: npx tsx bench/io.ts [--mb 50] [--repeats 3] [--rounds 3] [--settle-s 2] [--ase-repeats 1] [--no-ase] [--workers K]
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extxyzFormat } from '../src-shared/io/formats/extxyz';
import { type ReadResult, readStream } from '../src-shared/io/read';
import { fileChunks } from '../src-main/node/fileChunks';
import { PARALLEL_MIN_BYTES, closeParallelReadWorkers, readFramesParallel } from '../src-main/node/parallelRead';
import { xorshift32 } from '../src-shared/space/rng';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const targetMb = opt('mb', 50);
const repeats = opt('repeats', 3);
const aseRepeats = opt('ase-repeats', 1);
const rounds = Math.max(1, opt('rounds', 3));
const SETTLE_S = opt('settle-s', 2);
const withAse = !args.includes('--no-ase');
const workers = opt('workers', Math.min(availableParallelism(), 4));

const f16 = (x: number) => x.toFixed(8).padStart(16);

function generate(path: string, mb: number): void {
  const r = xorshift32(12345);
  const elements = ['Cu', 'Ni', 'Al', 'Si', 'O', 'H'];
  const pieces: string[] = [];
  let bytes = 0;
  let frame = 0;
  while (bytes < mb * 1e6) {
    const n = 64 + Math.floor(r() * 193);
    const a = 4 * Math.cbrt(n);
    const cell = [a, 0.1 * r(), 0, 0, a, 0.1 * r(), 0.1 * r(), 0, a];
    const stress = Array.from({ length: 6 }, () => (r() - 0.5) * 0.02);
    const [xx, yy, zz, yz, xz, xy] = stress;
    const s9 = [xx, xy, xz, xy, yy, yz, xz, yz, zz];
    const lines = [
      String(n),
      `Lattice="${cell.join(' ')}" Properties=species:S:1:pos:R:3:forces:R:3 config_type=bench frame=${frame} ` +
        `energy=${-3.5 * n + r()} stress="${s9.join(' ')}" pbc="T T T"`,
    ];
    for (let i = 0; i < n; i++) {
      const el = elements[Math.floor(r() * elements.length)];
      lines.push(`${el.padEnd(2)} ${f16(r() * a)} ${f16(r() * a)} ${f16(r() * a)} ${f16(r() - 0.5)} ${f16(r() - 0.5)} ${f16(r() - 0.5)}`);
    }
    const text = lines.join('\n') + '\n';
    pieces.push(text);
    bytes += text.length;
    frame++;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, pieces.join(''));
}

interface Timing {
  seconds: number;
  cpu_seconds: number;
  frames: number;
  atoms: number;
}

// The app's sequential path (parallelRead.ts readSequential): three recycled 1 MB buffers, read ahead.
const readSequential = (path: string) => readStream(extxyzFormat, fileChunks(path), { fileName: path });
// The same over fs.createReadStream (a fresh 1 MB buffer per chunk), for comparison.
const readFsStream = (path: string) => readStream(extxyzFormat, createReadStream(path, { highWaterMark: 1 << 20 }), { fileName: path });

async function readParallel(path: string): Promise<ReadResult> {
  const r = await readFramesParallel(path, { fileName: path, workers });
  if (r.parallel.mode !== 'parallel') throw new Error(`${path}: read sequentially (${r.parallel.reason})`);
  return r;
}

/** Best wall and CPU time (CPU of the whole process: every thread, workers included). */
async function timeOurs(path: string, read: (path: string) => Promise<ReadResult>, warmUp: boolean): Promise<Timing> {
  let best = Infinity;
  let bestCpu = Infinity;
  let frames = 0;
  let atoms = 0;
  for (let k = warmUp ? 0 : 1; k < repeats + 1; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await read(path);
    const dt = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    if (!r.ok) throw new Error(r.error.message);
    if (k > 0) {
      // the first run warms up the JIT
      best = Math.min(best, dt);
      bestCpu = Math.min(bestCpu, (c.user + c.system) / 1e6);
    }
    frames = r.frameCount;
    atoms = r.frames.reduce((s, f) => s + f.symbols.length, 0);
  }
  return { seconds: best, cpu_seconds: bestCpu, frames, atoms };
}

function timeAse(path: string): (Timing & { ase_version: string }) | null {
  const r = spawnSync(process.env.PYTHON ?? '/usr/bin/python3', [join(HERE, 'io_ase.py'), path, String(aseRepeats)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) {
    console.error(`ASE run failed: ${r.stderr || r.error}`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const col = (x: string, w: number) => x.padStart(w);

const median = (xs: number[]) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[a.length >> 1] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};

async function bench(label: string, path: string): Promise<void> {
  const size = statSync(path).size;
  const mb = size / 1e6;
  const readers: [string, (path: string) => Promise<ReadResult>][] = [[label, readSequential]];
  if (size >= PARALLEL_MIN_BYTES) readers.push(['  ours, over fs.createReadStream', readFsStream]);
  if (size >= PARALLEL_MIN_BYTES && workers >= 2) readers.push([`  ours, parallel ${workers} workers`, readParallel]);
  const ours: Timing[][] = readers.map(() => []);
  const ase: Timing[] = [];
  for (let r = 0; r < rounds; r++) {
    // Every round starts with untimed reads for SETTLE_S seconds: the JIT warms up in round 1, and
    // after ASE's process exits (a few GB of Python objects just freed) the machine reclaims memory
    // for a while, which slowed whichever reader ran first by 2-3x (seen with either order).
    const t0 = performance.now();
    for (let k = 0; performance.now() - t0 < SETTLE_S * 1000 || k < readers.length; k++) await readers[k % readers.length][1](path);
    // The reader timed first in a round ran slower (the garbage of the untimed reads is collected
    // then), whichever it was: the order rotates, so each reader goes first in 1/n of the rounds
    // and the median over rounds leaves that out.
    const timed: Timing[] = [];
    for (let j = 0; j < readers.length; j++) {
      const i = (r + j) % readers.length;
      timed[i] = await timeOurs(path, readers[i][1], false);
    }
    timed.forEach((t, i) => ours[i].push(t));
    const a = withAse ? timeAse(path) : null;
    if (a) ase.push(a);
  }
  const best = (ts: Timing[], key: 'seconds' | 'cpu_seconds') => Math.min(...ts.map((t) => t[key]));
  readers.forEach(([name], i) => {
    const o = ours[i];
    const cells = [name.padEnd(32), col(mb.toFixed(1), 6), col(String(o[0].frames), 7), col((mb / best(o, 'seconds')).toFixed(0), 10), col((mb / best(o, 'cpu_seconds')).toFixed(0), 9)];
    if (ase.length === rounds) {
      if (ase[0].frames !== o[0].frames || ase[0].atoms !== o[0].atoms) {
        throw new Error(`${label}: ASE read ${ase[0].frames} frames/${ase[0].atoms} atoms, we read ${o[0].frames}/${o[0].atoms}`);
      }
      const wall = median(o.map((t, r) => ase[r].seconds / t.seconds));
      const cpu = median(o.map((t, r) => ase[r].cpu_seconds / t.cpu_seconds));
      cells.push(col((mb / best(ase, 'seconds')).toFixed(1), 9), col((mb / best(ase, 'cpu_seconds')).toFixed(1), 8));
      cells.push(col(wall.toFixed(1) + 'x', 10), col(cpu.toFixed(1) + 'x', 9));
    }
    console.log(cells.join(' '));
  });
}

async function main(): Promise<void> {
  const path = join(HERE, 'data', `extxyz_${targetMb}MB.xyz`);
  if (!existsSync(path)) {
    console.error(`generating ${path} ...`);
    generate(path, targetMb);
  }
  console.log(`node ${process.version}, ${cpus().length} x ${cpus()[0]?.model}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`ours: readStream over fileChunks (1 MB chunks, 3 recycled buffers, read ahead), best of ${repeats} after ${SETTLE_S} s of untimed reads in each round; ASE: ase.io.read(path, ':'), best of ${aseRepeats}; ${rounds} rounds`);
  console.log(`ratio = median over the ${rounds} rounds of ASE's time / ours in the same round; MB/s = best round`);
  console.log(`parallel rows: readFramesParallel, ${workers} workers (pooled, so the warm-up run also starts them), files >= ${PARALLEL_MIN_BYTES / 2 ** 20} MiB`);
  console.log(`MB/s by wall-clock time and by CPU time of the process, all threads (the CPU ratio is steadier on a shared machine)`);
  console.log(
    ['file'.padEnd(32), col('MB', 6), col('frames', 7), col('ours wall', 10), col('ours cpu', 9), col('ASE wall', 9), col('ASE cpu', 8), col('ratio wall', 10), col('ratio cpu', 9)].join(' '),
  );
  await bench(`synthetic (64-256 atoms/frame)`, path);
  const shared = join(HERE, '..', '..', 'shared', 'data');
  for (const rel of ['InP_SNAP_Cusentino2020/InP_Cusentino2020.xyz', 'Ta_SNAP_Thompson2015/Ta_Thompson2015.xyz']) {
    const p = join(shared, rel);
    if (existsSync(p)) await bench(rel.split('/')[1], p);
  }
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  await closeParallelReadWorkers();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
