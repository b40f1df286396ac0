// fileChunks recycles three buffers and reads one chunk ahead; reading through it must give exactly what reading the whole
// file at once gives (frames, warnings, errors with their lines), for every format and chunk size,
// including lines much longer than a chunk and chunks that cut CR LF pairs. A consumer that stops
// early (an error, a cancelled read) leaves no read in flight and the file closed.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectFormat } from '../../src-shared/io/registry';
import { readStream, readText } from '../../src-shared/io/read';
import { fileChunks } from './fileChunks';

const dir = mkdtempSync(join(tmpdir(), 'atomforge-chunks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'io');
const files = ['extxyz', 'structures']
  .flatMap((d) => readdirSync(join(FIXTURES, d)).filter((f) => !f.endsWith('.json')).map((f) => join(FIXTURES, d, f)));

async function same(path: string, chunkBytes: number): Promise<void> {
  const bytes = new Uint8Array(readFileSync(path));
  const format = detectFormat(path, new TextDecoder().decode(bytes.subarray(0, 8192)));
  if ('error' in format) throw new Error(format.error);
  const whole = readText(format, bytes, { fileName: 'f' });
  const chunked = await readStream(format, fileChunks(path, chunkBytes), { fileName: 'f' });
  expect(chunked).toEqual(whole);
}

describe('fileChunks', () => {
  it('reads the io fixtures exactly as a whole-file read, at chunk sizes 7 B to 1 MiB', async () => {
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) for (const n of [7, 64, 4096, 5000, 1 << 20]) await same(f, n);
  });

  it('keeps long comment lines, CR LF and errors intact across recycled buffers', async () => {
    const long = `Lattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3 note="${'x'.repeat(20000)}" pbc="T T T"`;
    const frame = (k: number) => `2\r\n${long}\r\nCu 0 0 ${k}.25\r\nNi 1.5 1.5 ${k}.75\r\n`;
    const good = join(dir, 'long.xyz');
    writeFileSync(good, Array.from({ length: 10 }, (_, k) => frame(k)).join(''));
    const bad = join(dir, 'bad.xyz');
    writeFileSync(bad, Array.from({ length: 8 }, (_, k) => frame(k)).join('') + `2\n${long}\nCu 0 0 1\nNi 1 x 1\n`);
    for (const n of [97, 4096, 5000, 9000]) {
      await same(good, n);
      await same(bad, n);
    }
    const r = await readStream(detectFormat(bad, 'x') as never, fileChunks(bad, 4096), { fileName: 'bad.xyz' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/^bad\.xyz:36: /);
  });

  it('yields the bytes of the file in order, and a consumer may stop early', async () => {
    const bytes = new Uint8Array(100_003).map((_, i) => (i * 7 + (i >> 9)) & 255);
    const p = join(dir, 'bytes.bin');
    writeFileSync(p, bytes);
    for (const n of [1000, 4096, 1 << 20]) {
      const parts: Uint8Array[] = [];
      for await (const c of fileChunks(p, n)) parts.push(c.slice()); // copied: the buffers are reused
      expect(Buffer.concat(parts).equals(Buffer.from(bytes))).toBe(true);
    }
    // Stop after the first chunk, while the next is being read ahead; then the file can be removed
    // and read again (the handle was closed, nothing rejects unhandled).
    let seen = 0;
    for await (const c of fileChunks(p, 1000)) {
      seen += c.length;
      break;
    }
    expect(seen).toBe(1000);
    const gen = fileChunks(p, 1000);
    await gen.next();
    await expect(gen.throw(new Error('stop'))).rejects.toThrow('stop');
    rmSync(p);
  });
});

