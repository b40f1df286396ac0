// Large fuzz run of every reader in the format registry (issue 9; the CI spec is
// src-shared/io/fuzz/fuzz.spec.ts with a fixed seed and 64 cases per format).
//
//   npx tsx bench/fuzz.ts [--seed N] [--count 1000] [--format NAME] [--max-ms 2000] [--show 5]
//
// Each format runs in its own child process, which reports every case before it starts: a reader
// that hangs (no progress for 20 s) or takes the process down (an out-of-memory abort, a V8 fatal
// error) is reported with the case that did it, and the other formats still run. Prints per format
// the counts of ok / located error / failure and the slowest case, then the first failures with
// the seed that reproduces each (reproduceCase in src-shared/io/fuzz/fuzzHarness.ts).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { cpuClockMs, fuzzFixturesFor } from '../test-support/fuzzFixtures';
import { type FormatStats, type FuzzFailure, fuzzFormat } from '../src-shared/io/fuzz/fuzzHarness';
import { caseSeed } from '../src-shared/io/fuzz/mutate';
import { FORMATS, formatByName } from '../src-shared/io/registry';

interface Args {
  seed: number;
  count: number;
  format?: string;
  maxMs: number;
  show: number;
  child: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { seed: 1, count: 1000, maxMs: 2000, show: 5, child: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === '--seed') a.seed = Number(v());
    else if (k === '--count') a.count = Number(v());
    else if (k === '--format') a.format = v();
    else if (k === '--max-ms') a.maxMs = Number(v());
    else if (k === '--show') a.show = Number(v());
    else if (k === '--child') a.child = true;
    else throw new Error(`unknown option ${k}; usage: bench/fuzz.ts [--seed N] [--count N] [--format NAME] [--max-ms MS] [--show N]`);
  }
  if (!Number.isFinite(a.seed) || !(a.count >= 1)) throw new Error('--seed must be a number and --count >= 1');
  return a;
}

/** Child: fuzz one format, one JSON line per case start and one with the stats at the end. */
async function child(args: Args): Promise<void> {
  const format = formatByName(args.format!);
  if (!format?.read) throw new Error(`no reader for format ${args.format}`);
  const stats = await fuzzFormat(format, fuzzFixturesFor(format.name), {
    seed: args.seed,
    count: args.count,
    maxMs: args.maxMs,
    clock: cpuClockMs,
    onCase: (c) => process.stdout.write(JSON.stringify({ case: c }) + '\n'),
  });
  process.stdout.write(JSON.stringify({ stats }) + '\n');
}

const STALL_MS = 20_000;
/** Before its first case a child loads tsx and the readers: slow on a loaded machine, not a hang. */
const STARTUP_MS = 180_000;

/** Parent: one child per format, with a watchdog; a crash or hang becomes one failure. */
function runFormat(name: string, args: Args): Promise<FormatStats> {
  const script = fileURLToPath(import.meta.url);
  const proc = spawn(process.execPath, ['--import', 'tsx', script, '--child', '--format', name, '--seed', String(args.seed), '--count', String(args.count), '--max-ms', String(args.maxMs)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let last: { index: number; fixture: string; mutation: string } | null = null;
  let stats: FormatStats | null = null;
  let buf = '';
  let stderr = '';
  let timer: NodeJS.Timeout;
  let stalled = false;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      proc.kill('SIGKILL');
    }, last ? STALL_MS : STARTUP_MS);
  };
  arm();
  proc.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const msg = JSON.parse(line);
      if (msg.case) {
        last = msg.case;
        arm();
      } else if (msg.stats) stats = msg.stats;
    }
  });
  proc.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  return new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (stats && code === 0) return resolve(stats);
      const at = last ? last.index : -1;
      const failure: FuzzFailure = {
        format: name,
        fixture: last?.fixture ?? '?',
        index: at,
        seed: at >= 0 ? caseSeed(args.seed, name, at) : args.seed,
        mutation: last?.mutation ?? '?',
        reason: stalled ? (last ? `hang: no progress for ${STALL_MS / 1000} s` : `the child did not start its first case within ${STARTUP_MS / 1000} s`) : `process died (code ${code}, signal ${signal}): ${stderr.trim().split('\n').slice(-6).join(' | ')}`,
      };
      resolve({ format: name, cases: at + 1, ok: 0, error: 0, failure: 1, maxMs: NaN, failures: [failure] });
    });
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.child) return child(args);
  const names = args.format ? [args.format] : FORMATS.filter((f) => f.read).map((f) => f.name);
  console.log(`fuzz: seed ${args.seed}, ${args.count} mutations per format, ${names.length} formats, case limit ${args.maxMs} ms CPU`);
  const t0 = performance.now();
  const all: FormatStats[] = [];
  // Formats run in parallel, a few at a time (each is single-threaded).
  const queue = names.slice();
  const lanes = Math.max(1, Math.min(availableParallelism(), names.length));
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let n = queue.shift(); n; n = queue.shift()) all.push(await runFormat(n, args));
    }),
  );
  all.sort((a, b) => names.indexOf(a.format) - names.indexOf(b.format));
  const pad = (s: string | number, w: number) => String(s).padStart(w);
  console.log(`${'format'.padEnd(20)}${pad('cases', 7)}${pad('ok', 7)}${pad('error', 7)}${pad('FAIL', 6)}${pad('max ms', 9)}`);
  for (const s of all) console.log(`${s.format.padEnd(20)}${pad(s.cases, 7)}${pad(s.ok, 7)}${pad(s.error, 7)}${pad(s.failure, 6)}${pad(Number.isFinite(s.maxMs) ? s.maxMs.toFixed(1) : '-', 9)}`);
  const failures = all.flatMap((s) => s.failures);
  const total = all.reduce((n, s) => n + s.cases, 0);
  console.log(`${total} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${failures.length} failures`);
  for (const f of failures.slice(0, args.show)) {
    console.log(`\n${f.format} #${f.index} ${f.fixture} (case seed ${f.seed}) [${f.mutation}]\n  ${f.reason.split('\n').slice(0, 6).join('\n  ')}`);
  }
  process.exitCode = failures.length ? 1 : 0;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
});
