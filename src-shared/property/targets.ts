// Targets of property models: a per-frame value taken from the data (energy label or any info key:
// atomisation energies, band gaps, class labels) or a column of a CSV table joined by frame index.
// Missing values stay missing (NaN for numbers, -1 for classes) and are counted, never zero-filled
// (GUIDE §6.9). Units are carried as a string: eV for the energy label, otherwise guessed from
// the key's suffix (`_ev`, `_kcal_mol`, `_ev_per_atom`, ...) or left null (then "target units").
// CSV parsing is a pure function over text (RFC 4180 quoting) returning located errors as values.
import type { Frame } from '../atoms/frame';

export interface NumericTarget {
  key: string;
  /** [n] values, NaN where missing. */
  values: Float64Array;
  missing: number;
  /** Unit string when known ("eV", "kcal/mol", ...), else null. */
  units: string | null;
}

export interface ClassTarget {
  key: string;
  /** [n] class index, -1 where missing. */
  labels: Int32Array;
  /** Class names, index = label. */
  classes: string[];
  missing: number;
}

const ENERGY_LABEL_KEYS = new Set(['energy', 'REF_energy', 'DFT_energy', 'Energy', 'free_energy']);

const UNIT_SUFFIXES: [RegExp, string][] = [
  [/_ev_per_atom$/i, 'eV/atom'],
  [/_mev_per_atom$/i, 'meV/atom'],
  [/_kcal_?(per_)?mol$/i, 'kcal/mol'],
  [/_kj_?(per_)?mol$/i, 'kJ/mol'],
  [/_mev$/i, 'meV'],
  [/_ev$/i, 'eV'],
  [/_ha(rtree)?$/i, 'Ha'],
  [/_gpa$/i, 'GPa'],
  [/_k$/i, 'K'],
  [/_a3$/i, 'Å³'],
  [/_debye$/i, 'D'],
];

/** Units guessed from a key name, or null. */
export function unitsOfKey(key: string): string | null {
  if (ENERGY_LABEL_KEYS.has(key)) return 'eV';
  for (const [re, u] of UNIT_SUFFIXES) if (re.test(key)) return u;
  return null;
}

/**
 * Numeric per-frame target: the energy label (`energy` or the file's energy key, eV), or a numeric
 * / boolean info value. Returns an error when no frame has it or a value is not numeric.
 */
export function numericTarget(frames: readonly Pick<Frame, 'info' | 'energyEv'>[], key: string): NumericTarget | { error: string } {
  const values = new Float64Array(frames.length).fill(NaN);
  let missing = 0;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    const v = f.info[key];
    if (v === undefined && ENERGY_LABEL_KEYS.has(key) && f.energyEv !== undefined) values[i] = f.energyEv;
    else if (typeof v === 'number') values[i] = v;
    else if (typeof v === 'boolean') values[i] = v ? 1 : 0;
    else if (v === undefined) missing++;
    else return { error: `frame ${i}: target "${key}" is ${JSON.stringify(v)}, not a number (use it as a class label instead)` };
  }
  if (missing === frames.length) return { error: `no frame has the target "${key}"` };
  return { key, values, missing, units: unitsOfKey(key) };
}

/** Class-label target from an info key (strings, integers or booleans; each distinct value is a class). */
export function classTarget(frames: readonly Pick<Frame, 'info'>[], key: string): ClassTarget | { error: string } {
  const raw = frames.map((f) => f.info[key]);
  const bad = raw.findIndex((v) => v !== undefined && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean');
  if (bad >= 0) return { error: `frame ${bad}: class "${key}" is ${JSON.stringify(raw[bad])}, not a single label` };
  return classesOf(key, raw.map((v) => (v === undefined ? undefined : String(v))));
}

/** Class indices of string labels (sorted class names; undefined/empty = missing). */
export function classesOf(key: string, raw: (string | undefined)[]): ClassTarget | { error: string } {
  const classes = [...new Set(raw.filter((v): v is string => v !== undefined && v !== ''))].sort();
  if (classes.length === 0) return { error: `no value for the class "${key}"` };
  const index = new Map(classes.map((c, i) => [c, i]));
  const labels = new Int32Array(raw.length).fill(-1);
  let missing = 0;
  raw.forEach((v, i) => {
    if (v === undefined || v === '') missing++;
    else labels[i] = index.get(v)!;
  });
  return { key, labels, classes, missing };
}

export interface CsvTable {
  header: string[];
  /** Data rows (cells as text). */
  rows: string[][];
  /** 1-based line number of each data row in the file. */
  lines: number[];
}

export interface CsvError {
  file: string;
  line: number;
  message: string;
}

/** Parse CSV text (comma-separated, first line = header, "quoted, fields" with "" escapes). */
export function parseCsv(text: string, fileName = 'CSV'): CsvTable | { error: CsvError } {
  const records: { cells: string[]; line: number }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endCell = () => {
    cells.push(cell);
    cell = '';
  };
  const endRecord = () => {
    endCell();
    if (!(cells.length === 1 && cells[0].trim() === '')) records.push({ cells, line: recordLine });
    cells = [];
  };
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (; i < s.length; i++) {
    const ch = s[i];
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (ch === ',') endCell();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else cell += ch;
  }
  if (quoted) return { error: { file: fileName, line: recordLine, message: 'unterminated quoted field' } };
  if (cell !== '' || cells.length) endRecord();
  if (records.length === 0) return { error: { file: fileName, line: 1, message: 'empty file: expected a header line' } };
  const header = records[0].cells.map((h) => h.trim());
  const rows: string[][] = [];
  const lines: number[] = [];
  for (const r of records.slice(1)) {
    if (r.cells.length !== header.length) return { error: { file: fileName, line: r.line, message: `expected ${header.length} fields (as the header), got ${r.cells.length}` } };
    rows.push(r.cells.map((c) => c.trim()));
    lines.push(r.line);
  }
  return { header, rows, lines };
}

const INDEX_COLUMNS = ['frame', 'frame_index', 'index', 'idx'];

/**
 * A CSV column as a per-frame target. Rows are joined to frames by an index column (`frame`,
 * `frame_index`, `index` or `idx`, 0-based; or the one named by `indexColumn`), else by row order
 * (row r -> frame r, which then requires exactly one row per frame). Empty cells are missing.
 */
export function csvColumn(csv: CsvTable, column: string, nFrames: number, opts: { indexColumn?: string; fileName?: string } = {}): { raw: (string | undefined)[]; lines: number[] } | { error: CsvError } {
  const file = opts.fileName ?? 'CSV';
  const col = csv.header.indexOf(column);
  if (col < 0) return { error: { file, line: 1, message: `no column "${column}" (columns: ${csv.header.join(', ')})` } };
  const idxName = opts.indexColumn ?? INDEX_COLUMNS.find((c) => csv.header.includes(c));
  const raw: (string | undefined)[] = new Array(nFrames).fill(undefined);
  const lines: number[] = new Array(nFrames).fill(0);
  if (idxName !== undefined) {
    const ic = csv.header.indexOf(idxName);
    if (ic < 0) return { error: { file, line: 1, message: `no index column "${idxName}"` } };
    const seen = new Set<number>();
    for (let r = 0; r < csv.rows.length; r++) {
      const k = Number(csv.rows[r][ic]);
      if (!Number.isInteger(k) || k < 0 || k >= nFrames) return { error: { file, line: csv.lines[r], message: `${idxName} "${csv.rows[r][ic]}" is not a frame index in 0..${nFrames - 1}` } };
      if (seen.has(k)) return { error: { file, line: csv.lines[r], message: `frame ${k} appears twice` } };
      seen.add(k);
      raw[k] = csv.rows[r][col] === '' ? undefined : csv.rows[r][col];
      lines[k] = csv.lines[r];
    }
  } else {
    if (csv.rows.length !== nFrames) return { error: { file, line: csv.lines[csv.lines.length - 1] ?? 1, message: `${csv.rows.length} data rows for ${nFrames} frames; add a "frame" column (0-based frame index) to join a partial table` } };
    for (let r = 0; r < nFrames; r++) {
      raw[r] = csv.rows[r][col] === '' ? undefined : csv.rows[r][col];
      lines[r] = csv.lines[r];
    }
  }
  return { raw, lines };
}

/** Numeric target from a CSV column (see csvColumn for the join). */
export function csvNumericTarget(csv: CsvTable, column: string, nFrames: number, opts: { indexColumn?: string; fileName?: string } = {}): NumericTarget | { error: CsvError } {
  const c = csvColumn(csv, column, nFrames, opts);
  if ('error' in c) return c;
  const values = new Float64Array(nFrames).fill(NaN);
  let missing = 0;
  for (let i = 0; i < nFrames; i++) {
    const s = c.raw[i];
    if (s === undefined) {
      missing++;
      continue;
    }
    const v = Number(s);
    if (!Number.isFinite(v)) return { error: { file: opts.fileName ?? 'CSV', line: c.lines[i], message: `column "${column}" (frame ${i}): "${s}" is not a number` } };
    values[i] = v;
  }
  return { key: column, values, missing, units: unitsOfKey(column) };
}
