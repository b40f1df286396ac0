// Atomforge command line: `npm run -s cli -- <command> [args]` or the `atomforge` bin.
// The UI's twin: same core readers and writers, progress on stderr, `--json` prints one object
// whose keys carry their units.
import { COMMANDS } from './commands';
import { parseArgs, usage, UsageError } from './args';

function help(): string {
  return [
    'Atomforge - workbench for machine-learned interatomic potentials',
    '',
    'usage: atomforge <command> [args]     (from the project: npm run -s cli -- <command> [args])',
    '',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(Math.max(...COMMANDS.map((x) => x.spec.name.length)) + 1)} ${c.spec.summary}`),
    '',
    'atomforge help <command> shows the options of a command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const c = COMMANDS.find((x) => x.spec.name === rest[0]);
    console.log(c ? usage(c.spec) : help());
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.spec.name === name);
  if (!cmd) {
    console.error(`atomforge: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(usage(cmd.spec));
    return 0;
  }
  try {
    return await cmd.run(parseArgs(cmd.spec, rest));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`atomforge: ${e.message}\n\n${usage(cmd.spec)}`);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(`atomforge: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 70;
  },
);
