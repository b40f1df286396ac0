#!/usr/bin/env node
// `atomforge` command: runs the TypeScript CLI through tsx (a dependency), so it works right after
// `npm install` without a build step.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const tsx = require.resolve('tsx');
const r = spawnSync(process.execPath, ['--import', tsx, join(root, 'src-main/cli/index.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
