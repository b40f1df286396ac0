// Device memory refusals. A GPU refuses a buffer larger than its limits or its free memory; on
// WebGPU that is not an exception but an error reported to an error scope (the buffer is invalid and
// the results garbage). `checkedStep` turns it into an AllocationError, and the trainer answers one
// by halving its batch and carrying on (train/trainer.ts). Host backends' own out-of-memory errors
// (wasm "Cannot enlarge memory", tfjs-node OOM) are recognised by their messages.
import type { Tf } from './types';

export class AllocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AllocationError';
  }
}

const MESSAGES = /out of memory|\bOOM\b|failed to allocate|allocation (?:failed|refused)|cannot enlarge memory|exceeds the max(?:imum)? buffer size|maxBufferSize|maxStorageBufferBindingSize/i;

/** Whether `e` says the device refused memory. */
export function isAllocationError(e: unknown): boolean {
  if (e instanceof AllocationError) return true;
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return MESSAGES.test(msg);
}

interface ErrorScopeDevice {
  pushErrorScope(filter: 'out-of-memory' | 'validation'): void;
  popErrorScope(): Promise<{ message: string } | null>;
}

/**
 * Run one asynchronous step; on webgpu, inside 'out-of-memory' and 'validation' error scopes, and
 * throw an AllocationError when the device reported a refused allocation (validation errors about
 * buffer sizes count too; other validation errors are rethrown as they are).
 */
export async function checkedStep<T>(tf: Tf, fn: () => Promise<T>): Promise<T> {
  const device = tf.getBackend() === 'webgpu' ? (tf.backend() as unknown as { device?: ErrorScopeDevice }).device : undefined;
  if (!device || typeof device.pushErrorScope !== 'function') return fn();
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let result: T | undefined, thrown: unknown = null;
  try {
    result = await fn();
  } catch (e) {
    thrown = e;
  }
  const validation = await device.popErrorScope();
  const oom = await device.popErrorScope();
  if (oom) throw new AllocationError(`the GPU refused an allocation: ${oom.message}`);
  if (validation) {
    if (/buffer size|maxBufferSize|maxStorageBufferBindingSize|memory/i.test(validation.message)) throw new AllocationError(`the GPU refused a buffer: ${validation.message}`);
    throw new Error(`WebGPU validation error: ${validation.message}`);
  }
  if (thrown) throw thrown;
  return result as T;
}
