import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import { describeBackend, initBackend } from './backend';
import { wasmDistPrefix } from '../testing/tfTesting';

describe('initBackend', () => {
  it('falls through tensorflow (not installed) to wasm and says why', async () => {
    const r = await initBackend(tf, {
      loadTensorflow: () => Promise.reject(new Error("Cannot find module '@tensorflow/tfjs-node'")),
      wasm: { setWasmPaths: tfWasm.setWasmPaths, pathPrefix: wasmDistPrefix() },
    });
    expect(r.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(r.attempts[0]).toMatchObject({ backend: 'tensorflow', ok: false });
    expect(r.attempts[0].error).toMatch(/tfjs-node/);
    expect(describeBackend(r)).toMatch(/^wasm \(skipped tensorflow/);
    // the kernels tfjs lacks are there
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
  });

  it('honours an explicit choice, and throws when that backend cannot start', async () => {
    const r = await initBackend(tf, { prefer: 'cpu' });
    expect(r.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    await expect(initBackend(tf, { prefer: 'tensorflow' })).rejects.toThrow(/tensorflow/);
  });
});
