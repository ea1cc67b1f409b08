#!/usr/bin/env node
// `npm run soak [-- --n N]`: the long leak soak (default 10,000 requests per failure class), in a child process
// with --expose-gc; prints the SOAK_RESULT line of test/soak/soak-run.ts and fails on a leak or a wrong result.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const at = args.indexOf('--n');
const n = at === -1 ? 10_000 : Number(args[at + 1]);
if (!Number.isInteger(n) || n < 1) {
  console.error('usage: npm run soak -- [--n REQUESTS_PER_CLASS]');
  process.exit(2);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-timeout=7200000', 'test/soak/soak.test.ts'],
  {
    stdio: 'inherit',
    env: { ...process.env, GDHTTP_SOAK_N: String(n), GDHTTP_SOAK_CHILD_TIMEOUT_MS: '7000000' },
  },
);
process.exit(result.status ?? 1);
