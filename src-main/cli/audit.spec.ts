// CLI `audit`: the JSON contract of `audit elastic` (C_GPa 6x6 in Voigt order, bulk and shear
// moduli), the other kinds on a small crystal, and the clear refusals (--model, unknown kind).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../test-support/cliRun';
import { AUDIT_COMMANDS } from './audit';

const FIX = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const CU = `${FIX}audits/cu_fcc_conventional.xyz`;
const EAM = `eam:${FIX}potentials/Cu_u3.eam`;

const run = (argv: string[]) => runCli(AUDIT_COMMANDS[0], argv);

afterEach(() => vi.restoreAllMocks());

describe('atomforge audit', () => {
  it('elastic --json prints C_GPa (6x6, Voigt xx yy zz yz xz xy), bulk and shear moduli; matches LAMMPS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-'));
    const r = await run(['elastic', CU, '--potential', EAM, '--json', '--out', join(dir, 'report.json')]);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.voigt_order).toEqual(['xx', 'yy', 'zz', 'yz', 'xz', 'xy']);
    expect(j.C_GPa).toHaveLength(6);
    for (const row of j.C_GPa) expect(row).toHaveLength(6);
    const lammps = JSON.parse(readFileSync(`${FIX}audits/elastic_cu_u3_lammps.json`, 'utf8')).case;
    expect(Math.abs(j.C_GPa[0][0] - lammps.C11_GPa) / lammps.C11_GPa).toBeLessThan(0.01);
    expect(Math.abs(j.bulk_modulus_gpa - lammps.bulk_modulus_gpa) / lammps.bulk_modulus_gpa).toBeLessThan(0.01);
    expect(j.shear_modulus_gpa).toBeGreaterThan(0);
    expect(j.verdict).toBe('pass');
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).C_GPa).toEqual(j.C_GPa);
  });

  it.each(['symmetry', 'extensivity', 'forces'])('%s on fcc Cu passes, readable summary without --json', async (kind) => {
    const r = await run([kind, CU, '--potential', EAM]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/: PASS/);
    const j = JSON.parse((await run([kind, CU, '--potential', EAM, '--json'])).out);
    expect(j.verdict).toBe('pass');
    expect(j.audit).toBe(kind === 'forces' ? 'conservation' : kind);
  });

  it('refuses a missing model folder, unknown kinds, missing calculators and unlabelled data with a clear message', async () => {
    let r = await run(['symmetry', CU, '--model', 'runs/abc']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--model runs\/abc: .*no model\.json/);
    r = await run(['nonsense', CU, '--potential', EAM]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unknown audit "nonsense"; known: symmetry, extensivity, forces, elastic, errors/);
    r = await run(['elastic', CU]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--potential SPEC/);
    r = await run(['errors', CU, '--potential', EAM]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no frame has an energy or force label/);
  });
});
