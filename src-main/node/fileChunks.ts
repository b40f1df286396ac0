// A file's bytes as chunks for readStream (src-shared/io/read.ts), read into two buffers used in
// turn instead of a fresh buffer per chunk: fs.createReadStream allocates (and the kernel then
// page-faults in) a new 1 MB buffer for every chunk, which cost about as much CPU as parsing an
// extended XYZ file (bench/io.ts). Reusing the memory is safe for readStream's LineCursor: a chunk
// is consumed synchronously before the next is asked for, and when chunk k+1 is pushed the cursor
// copies whatever it still needs of chunk k into memory of its own (lineCursor.ts push), so once
// chunk k+1 has been fed nothing refers to chunk k's buffer, which chunk k+2 then overwrites.
// Consumers must keep to that: use chunk k fully (or copy from it) before asking for chunk k+2.
import { promises as fsp } from 'node:fs';

export const FILE_CHUNK_BYTES = 1 << 20;

export async function* fileChunks(path: string, chunkBytes = FILE_CHUNK_BYTES): AsyncGenerator<Uint8Array, void, void> {
  const fh = await fsp.open(path, 'r');
  try {
    const bufs = [new Uint8Array(chunkBytes), new Uint8Array(chunkBytes)];
    for (let k = 0; ; k++) {
      const b = bufs[k & 1];
      const { bytesRead } = await fh.read(b, 0, b.length, null);
      if (bytesRead === 0) return;
      yield b.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
