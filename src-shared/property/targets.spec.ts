import { describe, expect, it } from 'vitest';
import type { InfoValue } from '../atoms/frame';
import { classTarget, csvNumericTarget, numericTarget, parseCsv, unitsOfKey, type ClassTarget, type CsvTable, type NumericTarget } from './targets';

const frames: { energyEv?: number; info: Record<string, InfoValue> }[] = [
  { energyEv: -1.5, info: { gap_ev: 2.0, phase: 'fcc', ok: true } },
  { energyEv: -2.5, info: { phase: 'bcc', ok: false } },
  { energyEv: undefined, info: { gap_ev: 3.5, phase: 'fcc', n: 2 } },
];

describe('per-frame targets', () => {
  it('the energy label (eV) and numeric info keys; missing stays NaN and is counted', () => {
    const e = numericTarget(frames, 'energy') as NumericTarget;
    expect(Array.from(e.values)).toEqual([-1.5, -2.5, NaN]);
    expect(e.missing).toBe(1);
    expect(e.units).toBe('eV');
    const g = numericTarget(frames, 'gap_ev') as NumericTarget;
    expect(Array.from(g.values)).toEqual([2, NaN, 3.5]);
    expect(g.units).toBe('eV');
    expect(Array.from((numericTarget(frames, 'ok') as NumericTarget).values)).toEqual([1, 0, NaN]);
    expect(numericTarget(frames, 'phase')).toEqual({ error: 'frame 0: target "phase" is "fcc", not a number (use it as a class label instead)' });
    expect('error' in numericTarget(frames, 'absent')).toBe(true);
  });

  it('units from key suffixes', () => {
    expect(unitsOfKey('atomization_energy_kcal_mol')).toBe('kcal/mol');
    expect(unitsOfKey('formation_energy_ev_per_atom')).toBe('eV/atom');
    expect(unitsOfKey('temperature_k')).toBe('K');
    expect(unitsOfKey('homo')).toBeNull();
  });

  it('class labels: sorted class names, -1 for missing', () => {
    const c = classTarget(frames, 'phase') as ClassTarget;
    expect(c.classes).toEqual(['bcc', 'fcc']);
    expect(Array.from(c.labels)).toEqual([1, 0, 1]);
    const n = classTarget(frames, 'n') as ClassTarget;
    expect(Array.from(n.labels)).toEqual([-1, -1, 0]);
    expect(n.missing).toBe(2);
  });
});

describe('CSV targets', () => {
  it('parses quotes, escaped quotes, CRLF, a BOM and blank lines', () => {
    const t = parseCsv('\ufeffframe,name,gap\r\n0,"a, b",1.5\r\n\r\n2,"say ""hi""",\n') as CsvTable;
    expect(t.header).toEqual(['frame', 'name', 'gap']);
    expect(t.rows).toEqual([['0', 'a, b', '1.5'], ['2', 'say "hi"', '']]);
    expect(t.lines).toEqual([2, 4]);
  });

  it('located errors: ragged rows, unterminated quotes, empty input', () => {
    expect(parseCsv('a,b\n1,2\n3\n', 'x.csv')).toEqual({ error: { file: 'x.csv', line: 3, message: 'expected 2 fields (as the header), got 1' } });
    expect((parseCsv('a\n"open\n', 'x.csv') as { error: { message: string } }).error.message).toMatch(/unterminated/);
    expect('error' in parseCsv('')).toBe(true);
  });

  it('joins by a frame column (partial tables allowed) or by row order (one row per frame)', () => {
    const byIndex = csvNumericTarget(parseCsv('frame,gap\n2,3.5\n0,1\n') as CsvTable, 'gap', 3) as NumericTarget;
    expect(Array.from(byIndex.values)).toEqual([1, NaN, 3.5]);
    expect(byIndex.missing).toBe(1);
    const byRow = csvNumericTarget(parseCsv('gap_ev\n1\n2\n\n3\n') as CsvTable, 'gap_ev', 3) as NumericTarget;
    expect(Array.from(byRow.values)).toEqual([1, 2, 3]);
    expect(byRow.units).toBe('eV');
    expect((csvNumericTarget(parseCsv('gap\n1\n2\n') as CsvTable, 'gap', 3) as { error: { message: string } }).error.message).toMatch(/2 data rows for 3 frames/);
    expect((csvNumericTarget(parseCsv('frame,gap\n5,1\n') as CsvTable, 'gap', 3) as { error: { message: string } }).error.message).toMatch(/not a frame index/);
    expect((csvNumericTarget(parseCsv('frame,gap\n1,1\n1,2\n') as CsvTable, 'gap', 3) as { error: { message: string } }).error.message).toMatch(/twice/);
    expect(csvNumericTarget(parseCsv('frame,gap\n0,x\n') as CsvTable, 'gap', 3, { fileName: 't.csv' })).toEqual({ error: { file: 't.csv', line: 2, message: 'column "gap" (frame 0): "x" is not a number' } });
    expect((csvNumericTarget(parseCsv('frame,gap\n0,1\n') as CsvTable, 'band', 3) as { error: { message: string } }).error.message).toMatch(/no column "band"/);
  });
});
