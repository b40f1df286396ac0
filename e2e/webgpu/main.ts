// Backend parity page (built by e2e/webgpu.spec.ts with Vite, served from 127.0.0.1): the training
// engine of src-shared in a browser context. The same tiny models, with the same weights, are
// evaluated, differentiated and trained for a few steps on cpu and then on webgpu; the numbers go
// to window.__parity for the test to compare. Without a WebGPU adapter the page says why.
import * as tf from '@tensorflow/tfjs';
import { initBackend, describeBackend } from '../../src-shared/ml/tf/backend';
import type { Tf } from '../../src-shared/ml/tf/types';
import type { GpuLike } from '../../src-shared/ml/tf/webgpu';
import { compareParity, parityData, parityModel, parityNumbers, PARITY_MODELS, type ParityNumbers } from '../../src-shared/ml/testing/backendParity';

export interface ParityPageResult {
  backend: string;
  description: string;
  adapter: string | null;
  skipped: string | null;
  /** Largest absolute error of single ops on webgpu against cpu over typical arguments. */
  ops: Record<string, number>;
  models: { name: string; errors: ReturnType<typeof compareParity>; reference: ParityNumbers; test: ParityNumbers; ms: { cpu: number; webgpu: number } }[];
}

const status = document.getElementById('status')!;
const say = (s: string) => (status.textContent = s);
const T = tf as unknown as Tf;
const webgpu = { gpu: async () => (navigator as unknown as { gpu?: GpuLike }).gpu ?? null, load: () => import('@tensorflow/tfjs-backend-webgpu') };

/** The element-wise ops the models use, on arguments of the size they see (r in Å, exponents). */
function opCases(t: typeof tf) {
  const x = t.linspace(-3.2, 3.2, 4001);
  const r = t.linspace(0.5, 6, 4001);
  return {
    cos: () => t.cos(x),
    sin: () => t.sin(x),
    'cos(pi r / rc)': () => t.cos(t.mul(r, Math.PI / 5)),
    exp: () => t.exp(t.neg(r)),
    'pow(x, 2.5)': () => t.pow(r, 2.5),
    sqrt: () => t.sqrt(r),
    log: () => t.log(r),
    reciprocal: () => t.div(1, r),
    sigmoid: () => t.sigmoid(x),
    softplus: () => t.softplus(x),
  };
}

async function opErrors(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const names = Object.keys(opCases(tf)) as (keyof ReturnType<typeof opCases>)[];
  const values: Record<string, Float32Array[]> = {};
  for (const backend of ['cpu', 'webgpu']) {
    await tf.setBackend(backend);
    for (const n of names) {
      const y = tf.tidy(() => opCases(tf)[n]());
      (values[n] ??= []).push((await y.data()) as Float32Array);
      y.dispose();
    }
  }
  for (const n of names) {
    const [a, b] = values[n];
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    out[n] = worst;
  }
  return out;
}

async function main(): Promise<ParityPageResult> {
  await initBackend(T, { prefer: 'cpu' });
  const data = parityData();
  const refs = [];
  for (const { name, config } of PARITY_MODELS) {
    say(`cpu: ${name}`);
    const saved = parityModel(T, data, name, config);
    const t0 = performance.now();
    const reference = await parityNumbers(T, data, saved);
    refs.push({ name, saved, reference, ms: performance.now() - t0 });
  }
  const report = await initBackend(T, { prefer: 'webgpu', webgpu });
  const description = describeBackend(report);
  if (report.backend !== 'webgpu') return { backend: report.backend, description, adapter: null, skipped: report.attempts[0].error ?? 'webgpu did not start', ops: {}, models: [] };
  say('webgpu: single ops');
  const ops = await opErrors();
  const models = [];
  for (const r of refs) {
    say(`webgpu: ${r.name}`);
    const t0 = performance.now();
    const test = await parityNumbers(T, data, r.saved);
    models.push({ name: r.name, errors: compareParity(test, r.reference), reference: r.reference, test, ms: { cpu: r.ms, webgpu: performance.now() - t0 } });
  }
  return { backend: report.backend, description, adapter: report.adapter ?? null, skipped: null, ops, models };
}

main().then(
  (r) => {
    (window as unknown as { __parity: unknown }).__parity = r;
    say(`done: ${r.description}`);
  },
  (e: unknown) => {
    (window as unknown as { __parity: unknown }).__parity = { error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) };
    say(`error: ${String(e)}`);
  },
);
