// Runs one CLI command in-process (as `npm run -s cli -- NAME ARGS` would), capturing what it prints
// on stdout (console.log) and stderr (console.error), for the CLI specs in src-main/cli.
import { vi } from 'vitest';
import { parseArgs } from '../src-main/cli/args';
import type { Command } from '../src-main/cli/common';

export interface CliResult {
  /** Exit status the command returned. */
  code: number;
  out: string;
  err: string;
}

export async function runCli(cmd: Command, argv: string[]): Promise<CliResult> {
  const out: string[] = [], err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await cmd.run(parseArgs(cmd.spec, argv));
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
