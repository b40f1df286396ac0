// CLI commands. Issue 2: info, convert, formats; issue 3: calc, md, relax, rdf, msd (simulate.ts).
import { basename } from 'node:path';
import { frameLabels, SummaryBuilder } from '../../src-shared/atoms/summary';
import { FORMATS, formatForWriting } from '../../src-shared/io/registry';
import { load, readOptions, writeAtomic, type Command } from './common';
import { SIMULATION_COMMANDS } from './simulate';
import { AUDIT_COMMANDS } from './audit';
import { DATASET_COMMANDS } from './datasetTools';
import { TRAIN_COMMANDS } from './train';
import { STUDY_COMMANDS } from './study';
import { PROPERTY_COMMANDS } from './property';
import { EXPORT_MODEL_COMMANDS } from './exportModel';
import { UNCERTAINTY_COMMANDS } from './uncertainty';

export type { Command };

const info: Command = {
  spec: {
    name: 'info',
    summary: 'frames, atoms, elements, cell, pbc and which labels each frame carries',
    positionals: [{ name: 'FILE', help: 'structure or dataset file' }],
    options: [{ name: 'json', type: 'boolean', help: 'print one JSON object' }, ...readOptions],
  },
  async run({ positionals: [file], options }) {
    const d = await load(file, options);
    if (!d) return 1;
    const sb = new SummaryBuilder();
    for (const f of d.frames) sb.add(f);
    const s = sb.build();
    const perFrame = d.frames.map((f, i) => {
      const l = frameLabels(f, i);
      return {
        index: i,
        atoms: l.atoms,
        formula: l.formula,
        pbc: l.pbc,
        cell_a: f.cellA ? Array.from(f.cellA) : null,
        energy_ev: f.energyEv ?? null,
        has_energy: l.energy,
        has_forces: l.forces,
        has_stress: l.stress,
        config_type: l.configType,
      };
    });
    if (options.json) {
      console.log(
        JSON.stringify({
          file,
          format: d.format,
          frames: s.frames,
          atoms_total: s.atomsTotal,
          atoms_min: s.atomsMin,
          atoms_max: s.atomsMax,
          elements: Object.fromEntries(s.elements.map((e) => [e.symbol, e.atoms])),
          label_frames: s.labelFrames,
          label_keys: d.labelKeys,
          periodic_frames: s.periodicFrames,
          config_types: Object.fromEntries(s.configTypes.map((c) => [c.name, c.frames])),
          info_keys: s.infoKeys,
          per_atom_columns: s.arrayKeys,
          warnings: d.warnings,
          per_frame: perFrame,
        }),
      );
      return 0;
    }
    const keys = (k: 'energy' | 'forces' | 'stress') => Object.keys(d.labelKeys[k] ?? {}).join(', ');
    const lines = [
      `${file}  (${d.format})`,
      `frames: ${s.frames}   atoms: ${s.atomsTotal} (${s.atomsMin}-${s.atomsMax} per frame)   periodic frames: ${s.periodicFrames}`,
      `elements: ${s.elements.map((e) => `${e.symbol} ${e.atoms}`).join(', ')}`,
      `labels: energy ${s.labelFrames.energy}/${s.frames}${keys('energy') ? ` (${keys('energy')})` : ''}, forces ${s.labelFrames.forces}/${s.frames}${keys('forces') ? ` (${keys('forces')})` : ''}, stress ${s.labelFrames.stress}/${s.frames}${keys('stress') ? ` (${keys('stress')})` : ''}`,
    ];
    if (s.configTypes.length) lines.push(`config_type: ${s.configTypes.map((c) => `${c.name} ${c.frames}`).join(', ')}`);
    if (s.infoKeys.length) lines.push(`info keys: ${s.infoKeys.join(', ')}`);
    if (s.arrayKeys.length) lines.push(`per-atom columns: ${s.arrayKeys.join(', ')}`);
    lines.push('', ' frame  atoms  formula            pbc    E(eV)              E F S  config_type');
    const shown = perFrame.length > 40 ? [...perFrame.slice(0, 20), null, ...perFrame.slice(-10)] : perFrame;
    for (const r of shown) {
      if (!r) {
        lines.push(`  ... ${perFrame.length - 30} more frames ...`);
        continue;
      }
      lines.push(
        `${String(r.index).padStart(6)} ${String(r.atoms).padStart(6)}  ${r.formula.slice(0, 18).padEnd(18)} ${r.pbc.map((p) => (p ? 'T' : 'F')).join('')}    ${(r.energy_ev === null ? '-' : r.energy_ev.toFixed(6)).padStart(16)}   ${r.has_energy ? 'E' : '.'} ${r.has_forces ? 'F' : '.'} ${r.has_stress ? 'S' : '.'}  ${r.config_type ?? ''}`,
      );
    }
    if (s.labelFrames.energy === 0 && s.labelFrames.forces === 0) lines.push('', 'note: no energy or force labels were found; if your file names them differently, pass --energy-key / --forces-key.');
    console.log(lines.join('\n'));
    return 0;
  },
};

const convert: Command = {
  spec: {
    name: 'convert',
    summary: 'convert between formats (all frames; cell, pbc, energy, forces, stress and per-atom columns carried over)',
    positionals: [
      { name: 'IN', help: 'input file' },
      { name: 'OUT', help: 'output file (.xyz means extended XYZ)' },
    ],
    options: [{ name: 'to', type: 'string', valueName: 'FORMAT', help: `output format: ${FORMATS.filter((f) => f.write).map((f) => f.name).join(', ')}` }, ...readOptions],
  },
  async run({ positionals: [input, output], options }) {
    const fmt = formatForWriting(output, typeof options.to === 'string' ? options.to : undefined);
    if ('error' in fmt) {
      console.error(`atomforge: ${fmt.error}`);
      return 2;
    }
    const d = await load(input, options);
    if (!d) return 1;
    if (!fmt.multiFrame && d.frames.length > 1) {
      console.error(`atomforge: ${fmt.title} holds one structure but ${input} has ${d.frames.length} frames; write to a multi-frame format (extxyz, pdb, lammps-dump) or pick a frame first`);
      return 1;
    }
    try {
      await writeAtomic(output, fmt.write!(d.frames, { fileName: basename(output) }));
    } catch (e) {
      console.error(`atomforge: cannot write ${output}: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
    const lost: string[] = [];
    const s = new SummaryBuilder();
    for (const f of d.frames) s.add(f);
    const sum = s.build();
    if (!fmt.carries.energy && sum.labelFrames.energy) lost.push('energies');
    if (!fmt.carries.forces && sum.labelFrames.forces) lost.push('forces');
    if (!fmt.carries.stress && sum.labelFrames.stress) lost.push('stresses');
    if (!fmt.carries.cell && d.frames.some((f) => f.cellA)) lost.push('cells');
    if (lost.length) console.error(`note: ${fmt.title} cannot hold ${lost.join(', ')}; they were not written`);
    console.error(`wrote ${d.frames.length} frame(s) to ${output} (${fmt.name})`);
    return 0;
  },
};

const formats: Command = {
  spec: {
    name: 'formats',
    summary: 'list supported file formats',
    positionals: [],
    options: [{ name: 'json', type: 'boolean', help: 'print JSON' }],
  },
  async run({ options }) {
    const rows = FORMATS.map((f) => ({
      name: f.name,
      title: f.title,
      extensions: f.extensions,
      read: !!f.read,
      write: !!f.write,
      multi_frame: f.multiFrame,
      carries: f.carries,
    }));
    if (options.json) console.log(JSON.stringify(rows));
    else for (const r of rows) console.log(`${r.name.padEnd(12)} ${r.title.padEnd(40)} ${r.extensions.map((e) => '.' + e).join(' ').padEnd(24)} ${r.read ? 'read' : ''}${r.write ? '/write' : ''}`);
    return 0;
  },
};

export const COMMANDS: Command[] = [info, convert, formats, ...SIMULATION_COMMANDS, ...AUDIT_COMMANDS, ...DATASET_COMMANDS, ...TRAIN_COMMANDS, ...STUDY_COMMANDS, ...PROPERTY_COMMANDS, ...UNCERTAINTY_COMMANDS, ...EXPORT_MODEL_COMMANDS];
