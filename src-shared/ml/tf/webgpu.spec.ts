// WebGPU backend selection in Node: the fallback when there is no adapter (a fake GPU and, on this
// machine, the real Dawn binding), and the adapter naming. The numerics on a real adapter are
// tested in headless Chromium (e2e/webgpu.spec.ts), where SwiftShader provides one.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import { describeBackend, initBackend } from './backend';
import { adapterName, NO_ADAPTER_HELP, type GpuLike } from './webgpu';
import { wasmDistPrefix } from '../testing/tfTesting';
import { nodeWebgpu } from '../../../src-main/ml/tfNode';

const wasm = { setWasmPaths: tfWasm.setWasmPaths, pathPrefix: wasmDistPrefix() };
const noTensorflow = () => Promise.reject(new Error("Cannot find module '@tensorflow/tfjs-node'"));

describe('webgpu backend selection', () => {
  it('falls back to the auto order with a clear message when the GPU offers no adapter', async () => {
    let asked: unknown;
    const gpu: GpuLike = { requestAdapter: async (o) => ((asked = o), null) };
    let loaded = false;
    const r = await initBackend(tf, { prefer: 'webgpu', loadTensorflow: noTensorflow, wasm, webgpu: { gpu: async () => gpu, load: async () => ((loaded = true), {}) } });
    expect(asked).toEqual({ powerPreference: 'high-performance' });
    expect(loaded).toBe(false); // the tfjs package is only loaded once an adapter exists
    expect(r.backend).toBe('wasm');
    expect(r.attempts.map((a) => a.backend)).toEqual(['webgpu', 'tensorflow', 'wasm']);
    expect(r.attempts[0].error).toBe(NO_ADAPTER_HELP);
    expect(describeBackend(r)).toMatch(/^wasm \(skipped webgpu: no WebGPU adapter.*Vulkan/);
    expect(r.adapter).toBeUndefined();
  });

  it('says so when the process has no WebGPU at all', async () => {
    const r = await initBackend(tf, { prefer: 'webgpu', loadTensorflow: noTensorflow, wasm, webgpu: { gpu: async () => undefined, load: async () => ({}) } });
    expect(r.attempts[0]).toMatchObject({ backend: 'webgpu', ok: false, error: expect.stringMatching(/no navigator\.gpu/) });
    const r2 = await initBackend(tf, { prefer: 'webgpu', loadTensorflow: noTensorflow, wasm, webgpu: { gpu: () => Promise.reject(new Error("Cannot find package 'webgpu'")), load: async () => ({}) } });
    expect(r2.attempts[0].error).toMatch(/Cannot find package 'webgpu'.*install the optional npm package "webgpu"/);
    const r3 = await initBackend(tf, { prefer: 'webgpu', loadTensorflow: noTensorflow, wasm });
    expect(r3.backend).toBe('wasm');
    expect(r3.attempts[0].error).toMatch(/offers no WebGPU/);
  });

  it('is never chosen by auto', async () => {
    const gpu: GpuLike = { requestAdapter: async () => { throw new Error('auto must not ask for an adapter'); } };
    const r = await initBackend(tf, { loadTensorflow: noTensorflow, wasm, webgpu: { gpu: async () => gpu, load: async () => ({}) } });
    expect(r.attempts.map((a) => a.backend)).toEqual(['tensorflow', 'wasm']);
  });

  it('names adapters by vendor, architecture and description', () => {
    const a = (info: object) => ({ features: new Set<string>(), limits: {}, info, requestDevice: async () => ({}) });
    expect(adapterName(a({ vendor: 'google', architecture: 'swiftshader', description: '' }))).toBe('google / swiftshader');
    expect(adapterName(a({ vendor: 'apple', architecture: 'metal-3', description: 'Apple M2' }))).toBe('apple / metal-3 / Apple M2');
    expect(adapterName(a({ vendor: 'intel', architecture: 'gen-12lp', isFallbackAdapter: true }))).toBe('intel / gen-12lp (software fallback)');
    expect(adapterName(a({}))).toBe('unnamed adapter');
  });

  it('starts webgpu through the Dawn Node binding where it finds an adapter, else falls back', async () => {
    const r = await initBackend(tf, { prefer: 'webgpu', loadTensorflow: noTensorflow, wasm, webgpu: nodeWebgpu() });
    if (r.backend === 'webgpu') {
      // An adapter exists (a machine with a GPU driver): it computes what cpu computes.
      expect(r.adapter).toBeTruthy();
      const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      const y = await tf.matMul(a, a, false, true).data();
      expect(Array.from(y)).toEqual([14, 32, 32, 77]);
      tf.dispose(a);
      await tf.setBackend('wasm');
    } else {
      console.info(`no WebGPU adapter in Node here: ${r.attempts[0].error}`);
      expect(r.backend).toBe('wasm');
      expect(r.attempts[0].error).toMatch(/no WebGPU adapter|not available/);
    }
  });
});
