// bench/accuracy: test-set accuracy of our models on the mlearn benchmark (fixed train/test splits,
// ../shared/data/mlearn_Zuo2020) and on Ta (SNAP training set, seeded 90/10 held-out split), printed
// next to the published test errors (GAP, MTP from Zuo et al. 2020; linear SNAP on Ta's training set).
//
// It runs the product's own CLI (`train`, then `eval --json`) in child processes, so what it measures
// is exactly what a user gets. Not part of CI: a BP fit takes minutes to hours on a laptop core.
//
// Run: npx tsx bench/accuracy.ts [--elements Si,Mo,Ta] [--models linear,bpnn] [--max-minutes 30]
//      [--epochs 2000] [--out /tmp/atomforge-accuracy] [--json results.json]
//      [--data DIR (holding mlearn_Zuo2020/)] [--cli bundled-cli.mjs] [--backend cpu|wasm]
//      [--cutoff 5] [--angular-kind G4|G5] [--n-radial 12] [--radial-min 1.5] [--angular-widths 1.5,2.5,3.5,5 (Å)] [--zetas 1,2,4,16]
//      [--valid-fraction 0.1 (0: train on all training frames)] [--batch-atoms 1024]
//      [--seed 0 (weights, batch order; members of a committee differ only in it)]
//      [--committee K (K members, seeds S..S+K-1, scored on their mean) [--parallel 2 (members at once)]]
//      [--group-weights Surface=5,Vacancy=2 (loss weight per config_type; others 1)]
//      [--final-stage EPOCH:ENERGY_WEIGHT:LR_FACTOR (a last loss stage from EPOCH, as MACE ends its runs)]
//      [--weight-decay W (AdamW, decoupled; default 0 = Adam)]
//      [--sparse-points 1000] [--length-scale 2] [--regularization 1e-6] [--scaling feature|block] [--kernel gaussian|polynomial] [--degree 2] (the kernel model)
//      [--power-spectrum NMAX,LMAX (add the SOAP-like power spectrum; linear and kernel models)] [--angular-kind none]
//      [--energy-weight 1] [--stress-weight 0.05] [--hidden 32,32] [--lr 3e-3] [--lr-patience 15]
//      (--lr-patience: epochs without improvement before the plateau schedule halves the rate; early
//      stopping waits 4x as long)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { defaultPowerSpectrum } from '../src-shared/ml/models/powerSpectrum';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

function opt(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const elements = (opt('elements') ?? 'Si,Mo').split(',');
const models = (opt('models') ?? 'linear,bpnn').split(',');
const maxMinutes = Number(opt('max-minutes') ?? 30);
const epochs = Number(opt('epochs') ?? 2000);
const outDir = opt('out') ?? join(tmpdir(), 'atomforge-accuracy');
const dataDir = opt('data') ?? join(root, '..', 'shared', 'data');
/** A bundled CLI (esbuild of src-main/cli/index.ts) for machines without node_modules; default: the sources through tsx. */
const cliBundle = opt('cli');
const backend = opt('backend');
const seed = Number(opt('seed') ?? 0);
const committeeK = Number(opt('committee') ?? 1);
const finalStage = opt('final-stage')?.split(':').map(Number);
const weightDecay = Number(opt('weight-decay') ?? 0);
const groupWeightsArg = opt('group-weights');
const groupWeights = groupWeightsArg ? { weights: Object.fromEntries(groupWeightsArg.split(',').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)])) } : undefined;
const parallel = Math.max(1, Number(opt('parallel') ?? 2));
const energyWeight = Number(opt('energy-weight') ?? 1);
const hidden = (opt('hidden') ?? '32,32').split(',').map(Number);
const lr = Number(opt('lr') ?? 3e-3);
const lrPatience = Number(opt('lr-patience') ?? 15);
const batchAtoms = Number(opt('batch-atoms') ?? 1024);
const stressWeight = Number(opt('stress-weight') ?? 0.05);
/** Validation frames carved at random from the training file (0: fit on every training frame, as
 * GAP and MTP were; the schedule and the kept weights then follow the training loss). */
const validFraction = Number(opt('valid-fraction') ?? 0.1);
mkdirSync(outDir, { recursive: true });

/** Published test-set MAE (energy meV/atom, force eV/Å); mlearn from Zuo et al. 2020. */
const PUBLISHED: Record<string, { label: string; energy: number | null; force: number }[]> = {
  Mo: [
    { label: 'GAP (Zuo 2020)', energy: 2.24, force: 0.09 },
    { label: 'MTP (Zuo 2020)', energy: 2.83, force: 0.09 },
  ],
  Si: [
    { label: 'GAP (Zuo 2020)', energy: 2.91, force: 0.07 },
    { label: 'MTP (Zuo 2020)', energy: 2.21, force: 0.06 },
  ],
  Ge: [
    { label: 'GAP (Zuo 2020)', energy: 2.06, force: 0.05 },
    { label: 'MTP (Zuo 2020)', energy: 1.79, force: 0.05 },
  ],
  Li: [
    { label: 'GAP (Zuo 2020)', energy: 0.49, force: 0.01 },
    { label: 'MTP (Zuo 2020)', energy: 0.49, force: 0.01 },
  ],
  Ta: [{ label: 'linear SNAP, training set (FitSNAP)', energy: null, force: 0.0758 }],
};

/** Symmetry functions and network used for every element (n2p2 sfparamgen-like grid, rc 5 Å). */
function modelConfig(model: string): unknown {
  const rc = Number(opt('cutoff') ?? 5);
  const n = Number(opt('n-radial') ?? 12);
  const lo = Number(opt('radial-min') ?? 1.5);
  const hi = rc - 0.5;
  const dr = (hi - lo) / (n - 1);
  const radial = [{ etaPerA2: 0, rsA: 0 }, ...Array.from({ length: n }, (_, k) => ({ etaPerA2: 1 / (2 * dr * dr), rsA: lo + k * dr }))];
  const etas = (opt('angular-widths') ?? `1.5,2.5,3.5,${rc}`).split(',').map(Number).map((r) => 1 / (2 * r * r));
  const zeta = (opt('zetas') ?? '1,2,4,16').split(',').map(Number);
  const kind = opt('angular-kind') ?? 'G4';
  const ps = opt('power-spectrum')?.split(',').map(Number);
  const symmetryFunctions = {
    cutoffA: rc,
    radial,
    angular: kind === 'none' ? null : { kind, cutoffA: rc, etaPerA2: etas, zeta, lambda: [-1, 1] },
    ...(ps ? { powerSpectrum: defaultPowerSpectrum({ cutoffA: rc, nMax: ps[0], lMax: ps[1], rLowerA: lo }) } : {}),
  };
  if (model === 'bpnn') return { symmetryFunctions, hidden, activation: 'tanh' };
  if (model === 'linear') return { symmetryFunctions };
  if (model === 'kernel') {
    return { symmetryFunctions, sparsePoints: Number(opt('sparse-points') ?? 1000), lengthScale: Number(opt('length-scale') ?? 2), regularization: Number(opt('regularization') ?? 1e-6), scaling: opt('scaling') ?? 'feature', ...(opt('kernel') === 'polynomial' ? { kernel: 'polynomial', degree: Number(opt('degree') ?? 2) } : {}) };
  }
  return {};
}

function trainConfig(): unknown {
  return {
    maxEpochs: epochs,
    batchAtoms,
    loss: { energy: energyWeight, forces: 1, stress: stressWeight },
    optimizer: weightDecay > 0 ? { type: 'adamw', lr, weightDecay, clipGradNorm: 10 } : { type: 'adam', lr, clipGradNorm: 10 },
    schedule: { type: 'plateau', warmupSteps: 20, factor: 0.5, patience: lrPatience, minLr: 1e-5 },
    earlyStopping: { patience: 4 * lrPatience, minDelta: 1e-5 },
    checkpointEvery: 20,
    ...(finalStage ? { lossStages: [{ startEpoch: finalStage[0], loss: { energy: finalStage[1], forces: 1, stress: stressWeight }, lrFactor: finalStage[2] }] } : {}),
  };
}

function cli(args: string[]): { status: number; stdout: string; stderr: string } {
  const entry = cliBundle ? [cliBundle] : ['--import', 'tsx', join(root, 'src-main', 'cli', 'index.ts')];
  const r = spawnSync(process.execPath, [...entry, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI in a child process without blocking (committee members train side by side). */
function cliAsync(args: string[]): Promise<{ status: number; stderr: string }> {
  const entry = cliBundle ? [cliBundle] : ['--import', 'tsx', join(root, 'src-main', 'cli', 'index.ts')];
  return new Promise((done) => {
    const c = spawn(process.execPath, [...entry, ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d) => (err = (err + d).slice(-20000)));
    c.on('close', (code) => done({ status: code ?? -1, stderr: err }));
  });
}

/** Train K members (seeds seed..seed+K-1, `parallel` at a time) and write a committee folder
 * (committee.json as src-main/ml/committee.ts writes it) so that `eval` scores their mean. */
async function trainCommittee(run: string, trainArgs: (dir: string, seed: number) => string[], model: string, dataset: string, split: unknown): Promise<string | null> {
  mkdirSync(run, { recursive: true });
  const members = Array.from({ length: committeeK }, (_, k) => ({ dir: `member-${k}`, seed: seed + k, state: 'pending', reason: null, message: null }));
  let next = 0;
  let failed: string | null = null;
  const worker = async () => {
    while (next < members.length && !failed) {
      const m = members[next++];
      const r = await cliAsync(trainArgs(join(run, m.dir), m.seed));
      if (r.status !== 0) failed = `member ${m.dir}: ${r.stderr.slice(-2000)}`;
      else m.state = 'finished';
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, committeeK) }, worker));
  if (failed) return failed;
  const settings = JSON.parse(readFileSync(join(run, 'member-0', 'run.json'), 'utf8')).settings;
  const manifest = { format: 'atomforge-committee', version: 1, k: committeeK, modelType: model, baseSeed: seed, bootstrap: false, dataset, valid: null, readOptions: {}, split, settings, members, state: 'finished', createdAt: new Date().toISOString() };
  writeFileSync(join(run, 'committee.json'), JSON.stringify(manifest, null, 1));
  return null;
}

/** Ta has no fixed split: write a seeded 90/10 split with the dataset tools. */
function taSplit(): { train: string; test: string } {
  const src = join(dataDir, 'Ta_SNAP_Thompson2015', 'Ta_Thompson2015.xyz');
  const train = join(outDir, 'Ta_train.xyz');
  const test = join(outDir, 'Ta_test.xyz');
  if (!existsSync(train)) {
    const r = cli(['dataset', 'split', src, join(outDir, 'Ta_split'), '--train', '0.9', '--valid', '0', '--test', '0.1', '--seed', '1']);
    if (r.status !== 0) throw new Error(`Ta split failed: ${r.stderr}`);
    // dataset split writes PREFIX.train.xyz and PREFIX.test.xyz
    writeFileSync(train, readFileSync(join(outDir, 'Ta_split.train.xyz')));
    writeFileSync(test, readFileSync(join(outDir, 'Ta_split.test.xyz')));
  }
  return { train, test };
}

interface Row {
  element: string;
  model: string;
  energy_mae_mev_per_atom: number;
  force_mae_ev_per_a: number;
  stress_mae_gpa: number | null;
  train_minutes: number;
  test_frames: number;
}

const rows: Row[] = [];
for (const el of elements) {
  const files = el === 'Ta' ? taSplit() : { train: join(dataDir, 'mlearn_Zuo2020', `${el}_train.xyz`), test: join(dataDir, 'mlearn_Zuo2020', `${el}_test.xyz`) };
  if (!existsSync(files.train)) {
    console.log(`${el}: no training file ${files.train}, skipped`);
    continue;
  }
  for (const model of models) {
    const run = join(outDir, `${el}_${model}`);
    const cfgPath = join(outDir, `${el}_${model}.json`);
    const split = { method: 'random', validFraction, seed: 0 };
    writeFileSync(cfgPath, JSON.stringify({ model: modelConfig(model), train: trainConfig(), split, ...(groupWeights ? { groupWeights } : {}) }));
    const t0 = performance.now();
    const trainArgs = (out: string, s: number) => ['train', files.train, '--model', model, '--out', out, '--config', cfgPath, '--max-minutes', String(maxMinutes), '--seed', String(s), ...(backend ? ['--backend', backend] : [])];
    let failure: string | null;
    if (committeeK > 1) failure = await trainCommittee(run, trainArgs, model, files.train, split);
    else {
      const tr = cli(trainArgs(run, seed));
      failure = tr.status === 0 ? null : tr.stderr.slice(-2000);
    }
    const minutes = (performance.now() - t0) / 60000;
    if (failure) {
      console.log(`${el} ${model}: training failed:\n${failure}`);
      continue;
    }
    const ev = cli(['eval', files.test, '--model', run, '--json']);
    if (ev.status !== 0) {
      console.log(`${el} ${model}: eval failed:\n${ev.stderr.slice(-2000)}`);
      continue;
    }
    const m = JSON.parse(ev.stdout.trim().split('\n').pop()!);
    const mE = (m.member_energy_mae_mev_per_atom ?? []) as number[], mF = (m.member_force_mae_ev_per_a ?? []) as number[];
    if (mE.length) console.log(`${el} ${model}: members' own test MAE (E / F): ${mE.map((e, k) => `${e.toFixed(2)} / ${mF[k].toFixed(3)}`).join(', ')}`);
    const row: Row = { element: el, model: committeeK > 1 ? `${model} (mean of ${committeeK})` : model, energy_mae_mev_per_atom: m.energy_mae_mev_per_atom, force_mae_ev_per_a: m.force_mae_ev_per_a, stress_mae_gpa: m.stress_mae_gpa ?? null, train_minutes: minutes, test_frames: m.frames };
    rows.push(row);
    console.log(`${el} ${model}: E ${row.energy_mae_mev_per_atom.toFixed(2)} meV/atom, F ${row.force_mae_ev_per_a.toFixed(3)} eV/Å (test, ${row.test_frames} frames; ${minutes.toFixed(1)} min training)`);
  }
}

console.log('\nTest-set MAE, ours next to published (energy meV/atom, force eV/Å):');
console.log('element  model                              E MAE    F MAE   E/E_best  F/F_best');
for (const el of elements) {
  const pub = PUBLISHED[el] ?? [];
  const bestE = Math.min(...pub.map((p) => p.energy ?? Infinity));
  const bestF = Math.min(...pub.map((p) => p.force));
  for (const p of pub) console.log(`${el.padEnd(8)} ${p.label.padEnd(34)} ${(p.energy?.toFixed(2) ?? '-').padStart(6)} ${p.force.toFixed(3).padStart(8)}`);
  for (const r of rows.filter((x) => x.element === el)) {
    const re = Number.isFinite(bestE) ? (r.energy_mae_mev_per_atom / bestE).toFixed(2) : '-';
    console.log(`${el.padEnd(8)} ${('Atomforge ' + r.model).padEnd(34)} ${r.energy_mae_mev_per_atom.toFixed(2).padStart(6)} ${r.force_mae_ev_per_a.toFixed(3).padStart(8)} ${re.padStart(9)} ${(r.force_mae_ev_per_a / bestF).toFixed(2).padStart(9)}`);
  }
}
const jsonOut = opt('json');
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ rows, published: PUBLISHED, maxMinutes, epochs }, null, 2));
