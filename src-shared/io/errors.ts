// Located parse errors and warnings: every problem in a file names the file, the line (1-based)
// and what was expected, plus a hint at the fix. Parsers throw ParseError; the read driver turns it
// into an error value so that a bad file never crashes a worker or the app.

export class ParseError extends Error {
  readonly file: string;
  readonly line: number;
  readonly expected: string;
  readonly found?: string;
  readonly hint?: string;
  constructor(file: string, line: number, expected: string, found?: string, hint?: string) {
    const shown = found === undefined ? '' : `, found "${found.length > 80 ? found.slice(0, 77) + '...' : found}"`;
    super(`${file}:${line}: expected ${expected}${shown}${hint ? `. ${hint}` : ''}`);
    this.name = 'ParseError';
    this.file = file;
    this.line = line;
    this.expected = expected;
    this.found = found;
    this.hint = hint;
  }
}

export interface ParseWarning {
  file: string;
  line: number;
  message: string;
}

/** Plain-object form of a ParseError, safe to send over IPC or print as JSON. */
export interface ParseErrorInfo {
  file: string;
  line: number;
  expected: string;
  found?: string;
  hint?: string;
  message: string;
}

export function errorInfo(e: ParseError): ParseErrorInfo {
  return { file: e.file, line: e.line, expected: e.expected, found: e.found, hint: e.hint, message: e.message };
}
