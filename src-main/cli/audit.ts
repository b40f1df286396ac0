// CLI `audit KIND IN (--potential SPEC | --model RUNDIR)`: the physics audits of issue 6
// (src-shared/audits/) on the structures of a file. The argument parser (args.ts) has no
// sub-commands, so the audit kind is the first positional: symmetry, extensivity, forces
// (conservation), elastic, errors. `--json` prints the audit's report object unchanged (keys carry
// their units; `audit elastic` has C_GPa [6x6] in Voigt order xx, yy, zz, yz, xz, xy,
// bulk_modulus_gpa and shear_modulus_gpa, Hill averages). Progress goes to stderr. Exit status:
// 0 when the audit ran (whatever its verdict; with --strict, 3 when it flags), 1 on errors.
import type { Frame } from '../../src-shared/atoms/frame';
import type { Calculator } from '../../src-shared/calculators/calculator';
import { conservationAudit } from '../../src-shared/audits/conservation';
import { elasticAudit } from '../../src-shared/audits/elastic';
import { errorBreakdown } from '../../src-shared/audits/errorBreakdown';
import { extensivityAudit } from '../../src-shared/audits/extensivity';
import { AUDITS, auditByCliName } from '../../src-shared/audits/registry';
import type { AuditReportBase } from '../../src-shared/audits/report';
import { symmetryAudit } from '../../src-shared/audits/symmetry';
import type { OptionSpec } from './args';
import { load, readOptions, writeAtomic, type Command, optString as str, optNumber as num, fail } from './common';
import { calculatorFromOptions, MODEL_ENGINE_OPTION } from './calculatorOption';

const KINDS = AUDITS.map((a) => a.cliName);

/**
 * The calculator to audit. --potential SPEC now; --model RUNDIR (a trained model's run folder)
 * is accepted by the parser but not yet supported: the ML engine lands later, and this is the one
 * place to wire it.
 */
export async function auditCalculator(o: Record<string, string | boolean>): Promise<Calculator | string> {
  const model = str(o, 'model');
  const potential = str(o, 'potential');
  if (model !== undefined && potential !== undefined) return 'give either --potential SPEC or --model RUNDIR, not both';
  if (potential === undefined && model === undefined) return 'a calculator is required: --potential SPEC (e.g. eam:Cu_u3.eam) or --model RUNDIR';
  return calculatorFromOptions(o);
}

/** Frames to audit: --frame I, else all frames, evenly thinned to --max-frames. */
function selectFrames(frames: Frame[], o: Record<string, string | boolean>, defaultMax: number): { frames: Frame[]; indices: number[]; note?: string } | string {
  const i = num(o, 'frame');
  if (i !== undefined) {
    const idx = i < 0 ? frames.length + i : i;
    if (!Number.isInteger(idx) || idx < 0 || idx >= frames.length) return `--frame ${i} is out of range (the file has ${frames.length} frames; negative counts from the end)`;
    return { frames: [frames[idx]], indices: [idx] };
  }
  const max = num(o, 'max-frames') ?? defaultMax;
  if (!Number.isInteger(max) || max < 1) return `--max-frames must be a positive integer, got ${max}`;
  if (frames.length <= max) return { frames, indices: frames.map((_, k) => k) };
  const indices = Array.from({ length: max }, (_, k) => Math.round((k * (frames.length - 1)) / Math.max(1, max - 1)));
  return { frames: indices.map((k) => frames[k]), indices, note: `audited ${max} of ${frames.length} frames, evenly spaced (--max-frames N to change)` };
}

const options: OptionSpec[] = [
  { name: 'potential', type: 'string', valueName: 'SPEC', help: 'classical potential: lj:..., morse:..., zbl, eam:FILE, sw:FILE' },
  { name: 'model', type: 'string', valueName: 'RUNDIR', help: 'trained model run folder (written by `train`)' },
  MODEL_ENGINE_OPTION,
  { name: 'json', type: 'boolean', help: 'print the report as one JSON object' },
  { name: 'out', type: 'string', valueName: 'REPORT.json', help: 'also write the JSON report to a file' },
  { name: 'strict', type: 'boolean', help: 'exit with status 3 when the audit flags something' },
  { name: 'frame', type: 'string', valueName: 'I', help: 'audit only frame I (elastic: default 0; negative counts from the end)' },
  { name: 'max-frames', type: 'string', valueName: 'N', help: 'audit at most N frames, evenly spaced (default 20; errors: all)' },
  { name: 'seed', type: 'string', valueName: 'S', help: 'random seed of rotations, directions, rattles (default 1)' },
  { name: 'strains', type: 'string', valueName: 'D1,D2,..', help: 'elastic: strain magnitudes (default 0.0025,0.005,0.01)' },
  { name: 'fixed-cell', type: 'boolean', help: 'elastic: do not relax the cell to zero stress first' },
  { name: 'fmax-ev-per-a', type: 'string', valueName: 'F', help: 'elastic: force criterion of the relaxations, eV/Å (default 1e-5)' },
  { name: 'step-a', type: 'string', valueName: 'H', help: 'forces: finite-difference step, Å (default 1e-3; ~1e-2 for float32 models)' },
  { name: 'gap-a', type: 'string', valueName: 'G', help: 'extensivity: gap between separated parts, Å (default cutoff + 5)' },
  { name: 'energy-shift', type: 'string', valueName: 'none|per_element', help: 'errors: fit and remove per-element energy constants first' },
  { name: 'group-key', type: 'string', valueName: 'KEY', help: 'errors: info key naming the group (default config_type)' },
  ...readOptions,
];

function progress(label: string): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY && process.env.ATOMFORGE_PROGRESS !== '1') return undefined;
  return (done, total) => {
    process.stderr.write(`\r${label}: ${done}/${total}   `);
    if (done === total) process.stderr.write('\n');
  };
}

const f = (x: number | null | undefined, d = 4) => (x === null || x === undefined ? 'n/a' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? x.toFixed(d) : x.toExponential(3));

/** A few readable lines per audit (the full report is the --json output). */
function summarize(r: AuditReportBase & Record<string, unknown>): string[] {
  const lines: string[] = [`${r.audit} audit of ${r.calculator}: ${r.verdict.toUpperCase()}`];
  const get = (k: string) => r[k] as number | null;
  if (r.audit === 'symmetry') {
    lines.push(`  max |ΔE| ${f(get('max_energy_error_mev_per_atom'))} meV/atom, force error ${f(get('max_force_error_ev_per_a'))} eV/Å, stress error ${f(get('max_stress_error_gpa'))} GPa`);
    for (const [kind, s] of Object.entries(r.by_kind as Record<string, { checks: number; max_energy_error_mev_per_atom: number | null; max_force_error_ev_per_a: number | null }>)) {
      if (s.checks) lines.push(`  ${kind.padEnd(14)} ${String(s.checks).padStart(3)} checks  |ΔE| ${f(s.max_energy_error_mev_per_atom)} meV/atom  ΔF ${f(s.max_force_error_ev_per_a)} eV/Å`);
    }
  } else if (r.audit === 'extensivity') {
    lines.push(`  max |ΔE| ${f(get('max_energy_error_mev_per_atom'))} meV/atom, force error ${f(get('max_force_error_ev_per_a'))} eV/Å, stress error ${f(get('max_stress_error_gpa'))} GPa (gap ${r.gap_a} Å)`);
  } else if (r.audit === 'conservation') {
    lines.push(`  forces: max |F·d + dE/dh| ${f(get('max_force_error_ev_per_a'))} eV/Å (relative ${f(get('max_force_relative_error'))}); stress: max error ${f(get('max_stress_error_gpa'))} GPa (relative ${f(get('max_stress_relative_error'))})`);
  } else if (r.audit === 'elastic') {
    const C = r.C_GPa as number[][];
    lines.push('  C (GPa), Voigt order xx yy zz yz xz xy:');
    for (const row of C) lines.push('    ' + row.map((v) => (Math.abs(v) < 0.005 ? 0 : v).toFixed(2).padStart(9)).join(' '));
    lines.push(`  bulk modulus ${f(get('bulk_modulus_gpa'), 2)} GPa, shear modulus ${f(get('shear_modulus_gpa'), 2)} GPa (Hill), Young ${f(get('youngs_modulus_gpa'), 2)} GPa, Poisson ${f(get('poisson_ratio'), 3)}`);
    const cubic = r.cubic as { C11_GPa: number; C12_GPa: number; C44_GPa: number } | null;
    if (cubic) lines.push(`  cubic: C11 ${cubic.C11_GPa.toFixed(2)}, C12 ${cubic.C12_GPa.toFixed(2)}, C44 ${cubic.C44_GPa.toFixed(2)} GPa`);
  } else if (r.audit === 'errors') {
    const o = r.overall as Record<string, number | null>;
    lines.push(`  overall: energy MAE ${f(o.energy_mae_mev_per_atom)} meV/atom, force MAE ${f(o.force_mae_ev_per_a)} eV/Å, stress MAE ${f(o.stress_mae_gpa)} GPa`);
    for (const e of r.elements as { element: string; atoms: number; force_mae_ev_per_a: number | null; energy_mae_mev_per_atom: number | null; flagged: boolean }[]) {
      lines.push(`  element ${e.element.padEnd(3)} ${String(e.atoms).padStart(7)} atoms  force MAE ${f(e.force_mae_ev_per_a)} eV/Å  energy MAE ${f(e.energy_mae_mev_per_atom)} meV/atom${e.flagged ? '  FLAGGED' : ''}`);
    }
    for (const g of r.groups as { group: string; frames: number; force_mae_ev_per_a: number | null; energy_mae_mev_per_atom: number | null; flagged: boolean }[]) {
      lines.push(`  group ${g.group.padEnd(16)} ${String(g.frames).padStart(6)} frames  energy MAE ${f(g.energy_mae_mev_per_atom)} meV/atom  force MAE ${f(g.force_mae_ev_per_a)} eV/Å${g.flagged ? '  FLAGGED' : ''}`);
    }
  }
  for (const fl of r.flags) lines.push(`  flag: ${fl}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return lines;
}

const audit: Command = {
  spec: {
    name: 'audit',
    summary: `physics audits of a potential: ${KINDS.join(' | ')}`,
    positionals: [
      { name: 'KIND', help: AUDITS.map((a) => `${a.cliName} (${a.title.toLowerCase()})`).join('; ') },
      { name: 'IN', help: 'structures (symmetry, extensivity, forces: all frames; elastic: one crystal; errors: a labelled dataset)' },
    ],
    options,
  },
  async run({ positionals: [kindName, input], options: o }) {
    const entry = auditByCliName(kindName);
    if (!entry) return fail(`unknown audit "${kindName}"; known: ${KINDS.join(', ')}`);
    const calc = await auditCalculator(o);
    if (typeof calc === 'string') return fail(calc);
    const d = await load(input, o);
    if (!d) return 1;
    if (d.frames.length === 0) return fail(`${input} holds no structures`);
    let report: AuditReportBase;
    const notes: string[] = [];
    try {
      const seed = num(o, 'seed') ?? 1;
      const onProgress = progress(`audit ${entry.cliName}`);
      if (entry.kind === 'elastic') {
        const sel = selectFrames(d.frames, { ...o, frame: str(o, 'frame') ?? '0' }, 1);
        if (typeof sel === 'string') return fail(sel);
        const strains = str(o, 'strains')?.split(',').map((s) => Number(s.trim()));
        if (strains && strains.some((v) => !Number.isFinite(v))) return fail(`--strains must be comma-separated numbers, got "${str(o, 'strains')}"`);
        report = elasticAudit(calc, sel.frames[0], { strainMagnitudes: strains, relaxCell: !o['fixed-cell'], fmaxEvPerA: num(o, 'fmax-ev-per-a'), onProgress });
      } else if (entry.kind === 'errors') {
        const sel = selectFrames(d.frames, o, Number.MAX_SAFE_INTEGER);
        if (typeof sel === 'string') return fail(sel);
        if (sel.note) notes.push(sel.note);
        const shift = str(o, 'energy-shift') ?? 'none';
        if (shift !== 'none' && shift !== 'per_element') return fail(`--energy-shift must be none or per_element, got "${shift}"`);
        report = errorBreakdown(calc, sel.frames, { energyShift: shift, groupKey: str(o, 'group-key'), onProgress });
      } else {
        const sel = selectFrames(d.frames, o, 20);
        if (typeof sel === 'string') return fail(sel);
        if (sel.note) notes.push(sel.note);
        if (entry.kind === 'symmetry') report = symmetryAudit(calc, sel.frames, { seed, onProgress });
        else if (entry.kind === 'extensivity') report = extensivityAudit(calc, sel.frames, { gapA: num(o, 'gap-a'), onProgress });
        else report = conservationAudit(calc, sel.frames, { seed, stepA: num(o, 'step-a'), onProgress });
      }
    } catch (e) {
      return fail(`${entry.cliName} audit: ${e instanceof Error ? e.message : String(e)}`);
    }
    report.notes.push(...notes);
    const out = { ...report, input, format: d.format };
    const json = JSON.stringify(out);
    const outPath = str(o, 'out');
    if (outPath) await writeAtomic(outPath, [json, '\n']);
    if (o.json) console.log(json);
    else console.log(summarize(report as AuditReportBase & Record<string, unknown>).join('\n'));
    return o.strict && report.verdict === 'flag' ? 3 : 0;
  },
};

export const AUDIT_COMMANDS: Command[] = [audit];
