// Tabulated vs exact PaiNN filters in the fast float64 path (issue 5; src-shared/ml/inference/
// painnFilterTable.ts): ms per energy+forces call of the same calculator with filterTable on (the
// default) and off (the per-pair Bessel GEMVs), on rattled diamond-silicon supercells, alternating
// the two inside each round so that a busy machine slows both alike; the median and the best over
// --rounds, by CPU time of the process (steadier on a shared machine: single-threaded) and by wall
// time. Also prints the table's size and the relative errors of energy, forces and stress of the
// table path against the exact path on each cell (max |Δ| / max |exact|).
// Model: the app's default PaiNN (F 32, K 16 Bessel, 2 blocks, rc 5 Å, head 16, SiLU) with the
// statistics of resources/examples/Si_mlearn_test.xyz and its initial weights (timing and the
// interpolation error depend on the sizes, not on training).
//
// Run: npx tsx bench/painnFilterTable.ts [--sizes 64,512] [--rounds 15] [--kernel wasm|ts]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { extxyzFormat } from '../src-shared/io/formats/extxyz';
import { readText } from '../src-shared/io/read';
import { diamondSilicon, maxRelativeError, modelFromFrames } from '../src-shared/ml/inference/fixtures';
import { fastModelCalculator } from '../src-shared/ml/inference/index';
import { defaultFilterTableIntervals } from '../src-shared/ml/inference/painnFilterTable';
import { defaultPainnConfig } from '../src-shared/ml/models/painn';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 ? args[k + 1] : def;
};
const SIZES = opt('sizes', '64,512').split(',').map(Number);
const ROUNDS = Number(opt('rounds', '15'));
const KERNEL = opt('kernel', 'wasm') as 'wasm' | 'ts';

await tf.setBackend('cpu');
const read = readText(extxyzFormat, readFileSync(new URL('../resources/examples/Si_mlearn_test.xyz', import.meta.url), 'utf8'), { fileName: 'Si_mlearn_test.xyz' });
if (!read.ok) throw new Error('cannot read resources/examples/Si_mlearn_test.xyz');
const { model } = modelFromFrames(tf, 'painn', defaultPainnConfig(), read.frames, 1);
const saved = model.save();
model.dispose();
const calcs = { exact: fastModelCalculator(saved, { kernel: KERNEL, filterTable: false })!, table: fastModelCalculator(saved, { kernel: KERNEL })! };
const cfg = defaultPainnConfig(), M = defaultFilterTableIntervals(cfg.radialBasis);
const tableMB = (cfg.layers * (M + 1) * 3 * 3 * cfg.features * 8) / 1e6; // per block: (M + 1) nodes × [W | hW' | h²W''] × 3F float64
console.log(`bench/painnFilterTable: ${calcs.table.name}; ${cfg.layers} tables of ${M} intervals, ${tableMB.toFixed(2)} MB in all`);
console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

const med = (x: number[]) => x.slice().sort((a, b) => a - b)[x.length >> 1];
for (const n of SIZES) {
  const reps = Math.round(Math.cbrt(n / 8));
  if (8 * reps ** 3 !== n) throw new Error(`--sizes: ${n} is not 8 k³ (a diamond-silicon supercell); use 64, 512, 4096`);
  const sys = diamondSilicon(reps, { seed: 7, rattleA: 0.1 });
  const req = { forces: true, stress: true };
  const a = calcs.table.compute(sys, req), eA = a.energyEv, fA = a.forcesEvPerA!.slice(), sA = a.stressEvPerA3!.slice();
  const b = calcs.exact.compute(sys, req);
  const err = `E ${(Math.abs(eA - b.energyEv) / Math.abs(b.energyEv)).toExponential(1)}, F ${maxRelativeError(fA, b.forcesEvPerA!).toExponential(1)}, σ ${maxRelativeError(sA, b.stressEvPerA3!).toExponential(1)}`;
  const calls = Math.max(3, Math.round(6000 / n));
  const cpu: Record<string, number[]> = { exact: [], table: [] }, wall: Record<string, number[]> = { exact: [], table: [] };
  for (let r = 0; r < ROUNDS; r++) for (const k of ['exact', 'table'] as const) {
    const c = calcs[k];
    for (let i = 0; i < 3; i++) c.compute(sys, { forces: true });
    const c0 = process.cpuUsage(), t0 = performance.now();
    for (let i = 0; i < calls; i++) {
      sys.positionsA[0] += 1e-6;
      c.compute(sys, { forces: true });
    }
    const du = process.cpuUsage(c0);
    wall[k].push((performance.now() - t0) / calls);
    cpu[k].push((du.user + du.system) / 1000 / calls);
  }
  const line = (t: Record<string, number[]>, f: (x: number[]) => number) =>
    `exact ${f(t.exact).toFixed(3)} ms, table ${f(t.table).toFixed(3)} ms, exact/table ${(f(t.exact) / f(t.table)).toFixed(3)}`;
  console.log(`\n${n} atoms (${ROUNDS} rounds × ${calls} calls, energy + forces; table vs exact: ${err})`);
  console.log(`  CPU  median: ${line(cpu, med)}`);
  console.log(`  CPU  best:   ${line(cpu, (x) => Math.min(...x))}`);
  console.log(`  wall median: ${line(wall, med)}`);
}
console.log(`\nload average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
