import { describe, expect, it } from 'vitest';
import { hybridOverlay } from './lammpsHybrid';

describe('hybridOverlay', () => {
  it('joins pair styles and prefixes every pair_coeff with its style', () => {
    const lines = hybridOverlay([
      ['pair_style table spline 100', 'pair_coeff 1 1 t.table O_O 5', 'pair_coeff 1 2 t.table O_Si 5'],
      ['pair_style hdnnp 4.5 dir nnp/ showew no', 'pair_coeff * * O Si'],
    ]);
    expect(lines).toEqual([
      'pair_style hybrid/overlay table spline 100 hdnnp 4.5 dir nnp/ showew no',
      'pair_coeff 1 1 table t.table O_O 5',
      'pair_coeff 1 2 table t.table O_Si 5',
      'pair_coeff * * hdnnp O Si',
    ]);
  });
  it('refuses a part without its pair_style line and a style given twice', () => {
    expect(() => hybridOverlay([['pair_coeff * * x']])).toThrow(/must start with its pair_style/);
    expect(() => hybridOverlay([['pair_style zero 3'], ['pair_style zero 4']])).toThrow(/zero appears twice/);
  });
});
