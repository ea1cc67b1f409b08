/**
 * The fuzzing time budget. CI (default): about 60 s over the whole of test/fuzz. Long runs set
 * `GDHTTP_FUZZ_SECONDS` (scripts/fuzz.mjs does, from `npm run fuzz -- --minutes N`). `GDHTTP_FUZZ_SEED` replays
 * a run (the seed is printed by each test).
 */
export const FUZZ_SECONDS = Number(process.env.GDHTTP_FUZZ_SECONDS ?? 60);

/** Share of the budget each part gets; the shares add up to 1. */
export const SHARE = {
  /** each of the 7 pure properties */
  property: 0.035,
  /** the injection property (makes refused requests against a recording server) */
  injection: 0.06,
  /** the response-byte fuzzer, per use_threads mode (two modes) */
  responses: 0.33,
} as const;

/** Milliseconds for a part. */
export function budgetMs(share: number): number {
  return Math.max(1000, Math.round(FUZZ_SECONDS * 1000 * share));
}

/** The seed of this run. */
export const SEED =
  process.env.GDHTTP_FUZZ_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.GDHTTP_FUZZ_SEED);
