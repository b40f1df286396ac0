// Minimal declarative argument parser for the CLI: each command declares its positionals and
// options, so usage text and errors come from the same data.
export interface OptionSpec {
  name: string; // without dashes, e.g. 'json', 'to'
  type: 'boolean' | 'string';
  help: string;
  valueName?: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Trailing positionals may be optional (sub-commands with different arities). */
  positionals: { name: string; help: string; optional?: boolean }[];
  options: OptionSpec[];
}

export class UsageError extends Error {}

export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | boolean>;
}

export function parseArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const positionals: string[] = [];
  const options: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq > 0 ? eq : undefined);
      const opt = spec.options.find((o) => o.name === name);
      if (!opt) throw new UsageError(`${spec.name}: unknown option --${name}`);
      if (opt.type === 'boolean') {
        if (eq > 0) throw new UsageError(`${spec.name}: --${name} takes no value`);
        options[name] = true;
      } else {
        const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined || (eq < 0 && v.startsWith('--'))) throw new UsageError(`${spec.name}: --${name} needs a value (${opt.valueName ?? 'VALUE'})`);
        options[name] = v;
      }
    } else positionals.push(a);
  }
  const required = spec.positionals.filter((p) => !p.optional).length;
  if (positionals.length < required || positionals.length > spec.positionals.length) {
    throw new UsageError(`${spec.name}: expected ${spec.positionals.map((p) => p.name).join(' ')}, got ${positionals.length ? positionals.join(' ') : 'nothing'}`);
  }
  return { positionals, options };
}

export function usage(spec: CommandSpec): string {
  // Pad to a column of 28, with at least two spaces after a long flag so help never runs into it.
  const col = (head: string, help: string) => (head.length >= 27 ? `${head}  ` : head.padEnd(28)) + help;
  const opts = spec.options.map((o) => col(`  --${o.name}${o.type === 'string' ? ' ' + (o.valueName ?? 'VALUE') : ''}`, o.help));
  const pos = spec.positionals.map((p) => col(`  ${p.name}`, p.help));
  return [`atomforge ${spec.name} ${spec.positionals.map((p) => (p.optional ? `[${p.name}]` : p.name)).join(' ')} [options]`, `  ${spec.summary}`, ...pos, ...opts].join('\n');
}
