// LineCursor: complete lines as byte ranges across chunk boundaries, CRLF, line numbers and byte
// offsets, Node Buffers, and the bulk-scan API (unreadStart / completeEnd / skipLines).
import { describe, expect, it } from 'vitest';
import { LineCursor } from './lineCursor';

const enc = (s: string) => new TextEncoder().encode(s);

function allLines(chunks: string[]): { text: string; lineNo: number; consumed: number }[] {
  const cur = new LineCursor();
  const out: { text: string; lineNo: number; consumed: number }[] = [];
  chunks.forEach((c, i) => {
    cur.push(enc(c), i === chunks.length - 1);
    while (cur.next()) out.push({ text: cur.text(), lineNo: cur.lineNo, consumed: cur.consumedBytes });
  });
  return out;
}

describe('LineCursor', () => {
  it('gives the same lines however the input is chunked, with CRLF stripped', () => {
    const text = 'a b\r\n\r\nccc\nlast';
    const want = [
      { text: 'a b', lineNo: 1, consumed: 5 },
      { text: '', lineNo: 2, consumed: 7 },
      { text: 'ccc', lineNo: 3, consumed: 11 },
      { text: 'last', lineNo: 4, consumed: 15 },
    ];
    expect(allLines([text])).toEqual(want);
    expect(allLines(text.split(''))).toEqual(want);
    expect(allLines(['a b\r', '\n\r\nc', 'cc\nla', 'st', ''])).toEqual(want);
  });

  it('views Node Buffers as plain Uint8Arrays (fast indexOf)', () => {
    const cur = new LineCursor();
    cur.push(Buffer.from('x\ny\n'), true);
    expect(Object.getPrototypeOf(cur.buf)).toBe(Uint8Array.prototype);
    expect(cur.next() && cur.text()).toBe('x');
  });

  it('bulk scan: completeEnd stops after the last newline until EOF; skipLines advances', () => {
    const cur = new LineCursor();
    cur.push(enc('1\n22\n33'));
    expect(cur.unreadStart()).toBe(0);
    expect(cur.completeEnd()).toBe(5);
    cur.skipLines(5, 2);
    expect(cur.lineNo).toBe(2);
    expect(cur.consumedBytes).toBe(5);
    expect(cur.completeEnd()).toBe(cur.unreadStart()); // only a partial line left
    cur.push(enc('3\n4'), true);
    expect(cur.completeEnd()).toBe(cur.buf.length);
    expect(cur.next() && cur.text()).toBe('333');
    expect(cur.lineNo).toBe(3);
    expect(cur.next() && cur.text()).toBe('4');
    expect(cur.next()).toBe(false);
    expect(cur.atEnd()).toBe(true);
    expect(cur.consumedBytes).toBe(10);
  });

  it('long lines over many chunks (growable buffer, scanned-once search): same lines, offsets and bulk scan as a plain split', () => {
    // Deterministic pseudo-random chunking of a text with 100 kB lines, short lines and CRLF.
    let state = 12345;
    const rand = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    const parts: string[] = [];
    for (let k = 0; k < 40; k++) parts.push(k % 7 === 3 ? 'x'.repeat(100_000 + k) : `line ${k}${k % 5 === 0 ? '\r' : ''}`);
    const text = parts.join('\n') + '\n' + 'tail'.repeat(30_000);
    const bytes = enc(text);
    const want = text.split('\n').map((t) => t.replace(/\r$/, ''));
    for (let trial = 0; trial < 4; trial++) {
      const cur = new LineCursor();
      const got: string[] = [];
      const consumed: number[] = [];
      for (let at = 0; at < bytes.length; ) {
        const size = 1 + rand(trial % 2 ? 70_000 : 3000);
        cur.push(bytes.subarray(at, at + size), at + size >= bytes.length);
        at += size;
        // Alternate between next() and the bulk-scan API.
        if (trial >= 2 && !cur.eof) {
          const end = cur.completeEnd();
          let n = 0;
          for (let i = cur.unreadStart(); i < end; i++) if (cur.buf[i] === 10) n++;
          if (n > 0) {
            let s = cur.unreadStart();
            for (let i = s; i < end; i++) {
              if (cur.buf[i] === 10) {
                got.push(new TextDecoder().decode(cur.buf.subarray(s, i)).replace(/\r$/, ''));
                s = i + 1;
              }
            }
            cur.skipLines(end, n);
            consumed.push(cur.consumedBytes);
          }
          continue;
        }
        while (cur.next()) {
          got.push(cur.text());
          consumed.push(cur.consumedBytes);
        }
      }
      expect(got.length).toBe(want.length);
      expect(got.map((g) => g.length)).toEqual(want.map((w) => w.length));
      expect(got).toEqual(want);
      expect(consumed[consumed.length - 1]).toBe(bytes.length);
      expect(cur.lineNo).toBe(want.length);
      // The buffer never holds much more than twice the longest unfinished line plus a chunk.
      expect(cur.buf.length).toBeLessThan(bytes.length);
    }
  });
});
