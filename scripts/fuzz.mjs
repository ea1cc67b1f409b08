#!/usr/bin/env node
// `npm run fuzz [-- --minutes N] [-- --seed S]`: the fuzzing suite (test/fuzz) with a budget of N minutes
// (default 1, the CI budget), split between the properties and the response-byte fuzzer (test/fuzz/budget.ts).
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const value = (flag) => {
  const at = args.indexOf(flag);
  return at === -1 ? undefined : args[at + 1];
};
const minutes = Number(value('--minutes') ?? 1);
if (!(minutes > 0)) {
  console.error('usage: npm run fuzz -- [--minutes N] [--seed S]');
  process.exit(2);
}
const env = { ...process.env, GDHTTP_FUZZ_SECONDS: String(Math.round(minutes * 60)) };
const seed = value('--seed');
if (seed !== undefined) env.GDHTTP_FUZZ_SEED = seed;
const timeoutMs = Math.round(minutes * 60_000 * 1.5 + 120_000);
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    `--test-timeout=${timeoutMs}`,
    'test/fuzz/properties.test.ts',
    'test/fuzz/injection.test.ts',
    'test/fuzz/responses.test.ts',
  ],
  { stdio: 'inherit', env },
);
process.exit(result.status ?? 1);
