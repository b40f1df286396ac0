// Loading the WebAssembly kernels (kernels/*.ts, AssemblyScript) from bytes embedded as base64
// (generated *WasmBytes.ts), so the same code works in Node worker threads, the CLI, tests and a
// browser page, with no file system or fetch. Compiled synchronously once per thread and cached
// (a browser's main thread refuses synchronous compiles of large modules: `precompileKernels()`
// compiles asynchronously first). Validation fails where WebAssembly SIMD is missing; callers then
// fall back to the TypeScript kernels.
import { bpnnWasmBase64 } from './bpnnWasmBytes';
import { painnWasmBase64 } from './painnWasmBytes';

// The few WebAssembly JS-API members used here, typed locally: tsconfig.node.json has no DOM lib and
// @types/node 20 declares the WebAssembly namespace without its classes.
export interface WasmModule {
  readonly __wasmModule?: never;
}
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (mod: WasmModule, imports: Record<string, unknown>) => WasmInstance;
}
/** The host's WebAssembly object, or null where there is none. */
export const wasmApi: WasmApi | null = ((globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly ?? null);

const SOURCES: Record<string, string> = { bpnn: bpnnWasmBase64, painn: painnWasmBase64 };
const modules = new Map<string, WasmModule | null>();

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let k = 0; k < bin.length; k++) out[k] = bin.charCodeAt(k);
  return out;
}

/** The raw bytes of a kernel module. */
export function kernelBytes(name: string): Uint8Array {
  const src = SOURCES[name];
  if (!src) throw new Error(`unknown WebAssembly kernel "${name}"`);
  return decodeBase64(src);
}

/** The compiled module, or null where it cannot be used (no WebAssembly, no SIMD, or compile refused). */
export function kernelModule(name: string): WasmModule | null {
  if (modules.has(name)) return modules.get(name)!;
  let mod: WasmModule | null = null;
  try {
    const bytes = kernelBytes(name);
    if (wasmApi && wasmApi.validate(bytes)) mod = new wasmApi.Module(bytes);
  } catch {
    mod = null;
  }
  modules.set(name, mod);
  return mod;
}

/** Compile every kernel asynchronously (browser main thread); later kernelModule() calls hit the cache. */
export async function precompileKernels(): Promise<void> {
  for (const name of Object.keys(SOURCES)) {
    if (modules.has(name)) continue;
    try {
      const bytes = kernelBytes(name);
      modules.set(name, wasmApi && wasmApi.validate(bytes) ? await wasmApi.compile(bytes) : null);
    } catch {
      modules.set(name, null);
    }
  }
}

/** Provide a module compiled elsewhere (e.g. posted to a worker). */
export function provideKernelModule(name: string, mod: WasmModule): void {
  modules.set(name, mod);
}

/** A bump layout of byte offsets in a WebAssembly memory (16-byte aligned blocks). */
export class MemoryLayout {
  private top: number;
  constructor(base: number) {
    this.top = align16(base);
  }
  /** Reserve `bytes`; returns the byte offset. */
  take(bytes: number): number {
    const p = this.top;
    this.top = align16(p + bytes);
    return p;
  }
  get end(): number {
    return this.top;
  }
}

export function align16(x: number): number {
  return (x + 15) & ~15;
}

/** Grow `memory` to hold at least `bytes`. Returns true when its buffer changed (views must be recreated). */
export function ensureMemory(memory: WasmMemory, bytes: number): boolean {
  const have = memory.buffer.byteLength;
  if (have >= bytes) return false;
  memory.grow(Math.ceil((bytes - have) / 65536));
  return true;
}
