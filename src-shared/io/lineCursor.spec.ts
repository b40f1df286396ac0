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
});
