// The WebGPU backend (@tensorflow/tfjs-backend-webgpu) started on an adapter the host provides.
//
// The host owns the imports (this module never loads a package): in a browser or the Electron
// renderer the GPU is `navigator.gpu`; in a Node worker thread it is the `webgpu` npm package
// (Dawn's Node binding), whose `globals` (GPUBufferUsage, GPUMapMode, ...) the tfjs backend reads
// from the global scope:
//
//   const { create, globals } = await import('webgpu'); Object.assign(globalThis, globals);
//   initBackend(tf, { prefer: 'webgpu', webgpu: { gpu: async () => create([]), load: () => import('@tensorflow/tfjs-backend-webgpu') } });
//
// The tfjs package registers its own 'webgpu' factory on import only where `navigator.gpu` exists
// (a browser); here the factory is always ours, so the adapter that was found (and named to the
// user) is the one that trains, and a missing adapter is a clear message instead of a TypeError.
// webgpu has UnsortedSegmentSum and GatherV2 kernels of its own (kernels.ts only replaces them on
// cpu and wasm); the host kernels of the fused symmetry functions are cpu/wasm only, so models take
// their plain tf graph there (hostKernel.ts hasKernel).
import type { Tf } from './types';

/** The parts of the WebGPU API used here (a subset of GPU / GPUAdapter; no DOM types needed). */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance'; forceFallbackAdapter?: boolean }): Promise<GpuAdapterLike | null>;
}
export interface GpuAdapterLike {
  readonly features: { has(name: string): boolean };
  readonly limits: Record<string, number>;
  readonly info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  requestDevice(descriptor?: { requiredFeatures?: string[]; requiredLimits?: Record<string, number> }): Promise<unknown>;
}

export interface WebgpuHost {
  /** navigator.gpu (browser) or the `webgpu` package's create([]) (Node); null where there is none. */
  gpu(): Promise<GpuLike | null | undefined>;
  /** import('@tensorflow/tfjs-backend-webgpu'): registers the webgpu kernels, exports WebGPUBackend. */
  load(): Promise<unknown>;
  /** Adapter choice on laptops with two GPUs (default 'high-performance': the discrete one). */
  powerPreference?: 'low-power' | 'high-performance';
}

export type WebgpuStart = { ok: true; adapter: string; fallbackAdapter: boolean } | { ok: false; error: string };

/** "vendor / architecture / description" of an adapter, e.g. "google / swiftshader". */
export function adapterName(a: GpuAdapterLike): string {
  const i = a.info ?? {};
  const parts = [i.vendor, i.architecture, i.description || i.device].filter((x): x is string => !!x && x.trim() !== '');
  const name = [...new Set(parts)].join(' / ') || 'unnamed adapter';
  return i.isFallbackAdapter ? `${name} (software fallback)` : name;
}

/** Why there is no adapter, and what the user can do, per platform. */
export const NO_ADAPTER_HELP =
  'no WebGPU adapter: the GPU driver offers none (Linux: a Vulkan driver, e.g. mesa-vulkan-drivers or the vendor driver, and libvulkan1; ' +
  'Windows: a D3D12 driver; macOS: Metal, present since 10.15). Training continues on the next backend';

const registered = new WeakMap<object, { adapter: GpuAdapterLike }>();

/** Find an adapter, register the tfjs webgpu backend on it and make it the active backend. */
export async function startWebgpu(tf: Tf, host: WebgpuHost): Promise<WebgpuStart> {
  const mine = registered.get(tf);
  if (mine && tf.getBackend() === 'webgpu') return { ok: true, adapter: adapterName(mine.adapter), fallbackAdapter: !!mine.adapter.info?.isFallbackAdapter };
  let gpu: GpuLike | null | undefined;
  try {
    gpu = await host.gpu();
  } catch (e) {
    return { ok: false, error: `WebGPU is not available in this process (${e instanceof Error ? e.message : String(e)}); install the optional npm package "webgpu"` };
  }
  if (!gpu) return { ok: false, error: 'WebGPU is not available in this process (no navigator.gpu)' };
  const adapter = mine?.adapter ?? (await gpu.requestAdapter({ powerPreference: host.powerPreference ?? 'high-performance' }));
  if (!adapter) return { ok: false, error: NO_ADAPTER_HELP };
  const mod = (await host.load()) as { WebGPUBackend?: new (device: unknown, adapterInfo?: unknown) => unknown };
  if (typeof mod.WebGPUBackend !== 'function') return { ok: false, error: '@tensorflow/tfjs-backend-webgpu did not export WebGPUBackend' };
  const Backend = mod.WebGPUBackend;
  if (!mine) {
    // Replace the package's own factory (browser) with one on this adapter.
    if (tf.findBackendFactory('webgpu') != null) tf.removeBackend('webgpu');
    tf.registerBackend(
      'webgpu',
      async () => {
        const limits = adapter.limits;
        const requiredLimits: Record<string, number> = {};
        // The largest buffers and workgroups the adapter allows (tfjs asks for the same).
        for (const k of ['maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup', 'maxStorageBuffersPerShaderStage']) {
          if (typeof limits[k] === 'number') requiredLimits[k] = limits[k];
        }
        const requiredFeatures = ['timestamp-query'].filter((f) => adapter.features.has(f));
        const device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
        return new Backend(device, adapter.info) as never;
      },
      0,
    );
    registered.set(tf, { adapter });
  }
  const ok = await tf.setBackend('webgpu');
  if (!ok) return { ok: false, error: `the WebGPU device on "${adapterName(adapter)}" could not be created` };
  await tf.ready();
  return { ok: true, adapter: adapterName(adapter), fallbackAdapter: !!adapter.info?.isFallbackAdapter };
}

/** The adapter's limits that bound a batch: the largest single buffer a tensor may occupy (bytes). */
export function webgpuMaxBufferBytes(tf: Tf): number | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const be = tf.backend() as unknown as { device?: { limits?: Record<string, number> } };
  const l = be.device?.limits;
  if (!l) return null;
  return Math.min(l.maxStorageBufferBindingSize ?? Infinity, l.maxBufferSize ?? Infinity);
}
