// Messages between the host process and the IO worker thread (parsing runs off the main thread).
import type { Frame } from '../../src-shared/atoms/frame';
import type { ParseWarning } from '../../src-shared/io/errors';
import type { LabelKeysUsed } from '../../src-shared/io/read';
import type { ApiErrorInfo, ReadOptionsDto } from '../../src-shared/protocol/api';

export type ToIoWorker =
  | { type: 'open-path'; path: string; options: ReadOptionsDto }
  | { type: 'open-stream'; fileName: string; sizeBytes: number; options: ReadOptionsDto }
  | { type: 'chunk'; bytes: Uint8Array }
  | { type: 'end' }
  | { type: 'cancel' };

export type FromIoWorker =
  | { type: 'progress'; bytesDone: number; bytesTotal: number | null; frames: number }
  | {
      type: 'done';
      format: string;
      formatTitle: string;
      sizeBytes: number;
      frames: Frame[];
      labelKeys: LabelKeysUsed;
      warnings: ParseWarning[];
      warningCount: number;
    }
  | { type: 'failed'; error: ApiErrorInfo };

/** Every ArrayBuffer referenced by a list of frames, once, for a transfer list. */
export function frameBuffers(frames: Frame[]): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView | undefined | null) => {
    if (a && a.buffer instanceof ArrayBuffer) set.add(a.buffer);
  };
  for (const f of frames) {
    add(f.numbers);
    add(f.positionsA);
    add(f.cellA);
    add(f.forcesEvPerA);
    add(f.stressEvPerA3);
    for (const col of Object.values(f.arrays)) if (col.kind !== 'string') add(col.data);
  }
  return [...set];
}
