// A file's bytes as chunks for readStream (src-shared/io/read.ts), read into three buffers used in
// turn instead of a fresh buffer per chunk: fs.createReadStream allocates (and the kernel then
// page-faults in) a new 1 MB buffer for every chunk, which cost about as much CPU as parsing an
// extended XYZ file (bench/io.ts). The next chunk is read ahead, in libuv's thread pool, while the
// consumer parses the current one, so the parser does not sit idle waiting for each read.
// Reusing the memory is safe for readStream's LineCursor: a chunk is consumed synchronously before
// the next is asked for, and when chunk k+1 is pushed the cursor copies whatever it still needs of
// chunk k into memory of its own (lineCursor.ts push), so once chunk k+1 has been fed nothing
// refers to chunk k's buffer. The read-ahead of chunk k+2 starts when the consumer asks for chunk
// k+1, into chunk k-1's buffer (three buffers: k-1 free, k possibly still referenced, k+1 yielded).
// Consumers must keep to that: use chunk k fully (or copy from it) before asking for chunk k+2.
import { promises as fsp } from 'node:fs';

export const FILE_CHUNK_BYTES = 1 << 20;

export async function* fileChunks(path: string, chunkBytes = FILE_CHUNK_BYTES): AsyncGenerator<Uint8Array, void, void> {
  const fh = await fsp.open(path, 'r');
  let pending: Promise<{ bytesRead: number }> | null = null;
  try {
    const bufs = [new Uint8Array(chunkBytes), new Uint8Array(chunkBytes), new Uint8Array(chunkBytes)];
    let pos = 0;
    const readInto = (b: Uint8Array) => fh.read(b, 0, b.length, pos);
    pending = readInto(bufs[0]);
    for (let k = 0; ; k++) {
      const { bytesRead } = await pending;
      pending = null;
      if (bytesRead === 0) return;
      pos += bytesRead;
      // Read ahead into the buffer of chunk k-2, which the consumer no longer refers to: it asked
      // for chunk k, so it has fed chunk k-1, and the cursor copied what it needed of chunk k-2.
      pending = readInto(bufs[(k + 1) % 3]);
      yield bufs[k % 3].subarray(0, bytesRead);
    }
  } finally {
    // A consumer that stops early (an error, a cancelled read) leaves a read in flight: let it
    // finish before the file is closed.
    if (pending) await pending.catch(() => {});
    await fh.close();
  }
}
