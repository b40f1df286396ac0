// Byte-level line cursor for streaming parsers. Chunks of a file are pushed in as they are read;
// parsers pull complete lines as byte ranges [start, end) of `buf` (no string per line), so a large
// trajectory is parsed without ever holding the whole file as one string. A parser is a synchronous
// generator that yields NEED_MORE when the cursor has no complete line left before EOF; the driver
// (read.ts) then pushes the next chunk and resumes it.

export const NEED_MORE: unique symbol = Symbol('need-more');
export type NeedMore = typeof NEED_MORE;

const NL = 10;
const CR = 13;
const decoder = new TextDecoder('utf-8');

export class LineCursor {
  /** Buffer holding unconsumed bytes; the current line is buf[start, end). */
  buf: Uint8Array = new Uint8Array(0);
  start = 0;
  end = 0;
  /** 1-based number of the current line (0 before the first). */
  lineNo = 0;
  /** True when no more chunks will arrive. */
  eof = false;
  /** Bytes consumed from the beginning of the file up to the end of the current line. */
  consumedBytes = 0;
  private pos = 0; // start of the next unread line in buf
  private len = 0; // valid bytes in buf
  private baseOffset = 0; // file offset of buf[0]
  /** Growable storage buf is a view of (capacity > len), or null when buf is a chunk or exact. */
  private owned: Uint8Array | null = null;
  /** buf[pos, scanned) is known to hold no '\n' (a long line arriving in many chunks is scanned once). */
  private scanned = 0;

  /** Append a chunk; bytes before the next unread line are dropped. */
  push(chunk: Uint8Array, eof = false): void {
    // Node Buffers (fs streams, readFileSync) override indexOf with a much slower JS/C++ binding
    // path; view them as plain Uint8Arrays so that next() uses the fast TypedArray builtin.
    if (Object.getPrototypeOf(chunk) !== Uint8Array.prototype) chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const keep = this.len - this.pos;
    if (keep === 0 && chunk.length > 0) {
      this.baseOffset += this.len;
      this.buf = chunk;
      this.len = chunk.length;
      this.owned = null;
      this.pos = 0;
      this.scanned = 0;
    } else if (chunk.length > 0) {
      const need = keep + chunk.length;
      if (this.owned && this.len + chunk.length <= this.owned.length) {
        // A long unfinished line: append in place (capacity doubles), so a line that spans many
        // chunks costs linear, not quadratic, copying.
        this.owned.set(chunk, this.len);
        this.len += chunk.length;
        this.buf = this.owned.subarray(0, this.len);
      } else {
        const cap = need < 65536 ? need : 2 * need;
        const nb = new Uint8Array(cap);
        nb.set(this.buf.subarray(this.pos, this.len), 0);
        nb.set(chunk, keep);
        this.baseOffset += this.pos;
        this.scanned = Math.max(0, this.scanned - this.pos);
        this.owned = cap > need ? nb : null;
        this.buf = cap > need ? nb.subarray(0, need) : nb;
        this.len = need;
        this.pos = 0;
      }
    } else {
      this.baseOffset += this.pos;
      this.scanned = Math.max(0, this.scanned - this.pos);
      this.buf = this.buf.subarray(this.pos, this.len);
      this.len = this.buf.length;
      this.owned = null;
      this.pos = 0;
    }
    this.start = this.end = this.pos;
    this.eof = this.eof || eof;
  }

  /**
   * Advance to the next complete line. Returns false when none is available: either more input is
   * needed (`!eof`) or the file has ended (`eof`).
   */
  next(): boolean {
    const buf = this.buf;
    const len = this.len;
    let i = this.pos;
    if (i >= len) return false;
    const nl = buf.indexOf(NL, i > this.scanned ? i : this.scanned);
    let lineEnd: number;
    let nextPos: number;
    if (nl === -1) {
      if (!this.eof) {
        this.scanned = len;
        return false;
      }
      lineEnd = len;
      nextPos = len;
    } else {
      lineEnd = nl;
      nextPos = nl + 1;
    }
    this.start = i;
    this.end = lineEnd > i && buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    this.pos = nextPos;
    this.lineNo++;
    this.consumedBytes = this.baseOffset + nextPos;
    return true;
  }

  /**
   * For parsers that scan many lines in one loop (hot paths): the next unread line starts at
   * buf[unreadStart()]. See completeEnd() and skipLines().
   */
  unreadStart(): number {
    return this.pos;
  }

  /** End of the complete lines available: just after the last '\n' (or the end of data at EOF). */
  completeEnd(): number {
    if (this.eof) return this.len;
    const lo = this.pos > this.scanned ? this.pos : this.scanned;
    const k = this.buf.subarray(lo, this.len).lastIndexOf(NL);
    if (k < 0) {
      this.scanned = this.len;
      return this.pos;
    }
    return lo + k + 1;
  }

  /** Mark `count` lines, ending just before buf[pos], as consumed (pos <= completeEnd()). */
  skipLines(pos: number, count: number): void {
    this.start = this.end = pos;
    this.pos = pos;
    this.lineNo += count;
    this.consumedBytes = this.baseOffset + pos;
  }

  /** True when every byte has been consumed and no more will come. */
  atEnd(): boolean {
    return this.eof && this.pos >= this.len;
  }

  /** The current line as a string. */
  text(): string {
    return decoder.decode(this.buf.subarray(this.start, this.end));
  }

  /** Whether the current line is empty or only whitespace. */
  isBlank(): boolean {
    const b = this.buf;
    for (let i = this.start; i < this.end; i++) {
      const c = b[i];
      if (c !== 32 && c !== 9 && c !== 13) return false;
    }
    return true;
  }
}

/**
 * Pull the next line inside a parser generator: `if (!(yield* nextLine(cur))) ...eof...`.
 * Yields NEED_MORE until a complete line or EOF is available.
 */
export function* nextLine(cur: LineCursor): Generator<NeedMore, boolean, void> {
  for (;;) {
    if (cur.next()) return true;
    if (cur.eof) return false;
    yield NEED_MORE;
  }
}

/** Pull the next line that is not blank; false at EOF. */
export function* nextNonBlankLine(cur: LineCursor): Generator<NeedMore, boolean, void> {
  for (;;) {
    if (!(yield* nextLine(cur))) return false;
    if (!cur.isBlank()) return true;
  }
}
