/** The benchmark's options: defaults, k/M suffixes, and the 10M guard. */
import { expect, it } from 'vitest';
import { parseBenchOptions, UsageError } from '../../bench/bench-options';

it('defaults to 1M rows, the chart at 10k/100k/1M, 3 rounds with the seed in each, 100 requests/s, an 8 s transaction', () => {
  expect(parseBenchOptions([])).toEqual({
    rows: 1_000_000,
    sizes: [10_000, 100_000, 1_000_000],
    runs: 3,
    hugeRuns: 3,
    seedRuns: null,
    seedMaxRows: null,
    appRate: 100,
    openTransactionSeconds: 8,
    loadMarginMs: 1_000,
    statusRuns: 10,
    lockSampleMs: 5,
    earlyDeploy: false,
    pgbench: true,
    contenders: ['ours', 'today', 'pgroll', 'single', 'seed'],
    out: undefined,
    scenarios: ['ops', 'drain-cost', 'rolling-deploy', 'standby'],
    only: false,
    opsRows: 1_000_000,
    drainRounds: 10,
    drainSegmentSeconds: 10,
    drainWindowSeconds: 5,
    oldStopsAfterSeconds: 5,
  });
});

it('runs the rollout scenarios alone with --only, or leaves one out with --no-<name>', () => {
  expect(parseBenchOptions(['--only', 'rolling-deploy,ops', '--ops-rows', '20k'])).toMatchObject({ scenarios: ['ops', 'rolling-deploy'], only: true, opsRows: 20_000 });
  expect(parseBenchOptions(['--no-drain-cost'])).toMatchObject({ scenarios: ['ops', 'rolling-deploy', 'standby'], only: false });
  expect(parseBenchOptions(['--no-ops', '--no-drain-cost', '--no-rolling-deploy', '--no-standby'])).toMatchObject({ scenarios: [] });
  expect(() => parseBenchOptions(['--only', 'ops,typo'])).toThrow(/--only expects some of ops, drain-cost, rolling-deploy, standby, got "ops,typo"/);
  expect(() => parseBenchOptions(['--only', 'ops', '--no-ops'])).toThrow(/do not go together/);
  expect(() => parseBenchOptions(['--ops-rows', '10M'])).toThrow(/add --huge/);
});

it('picks the contenders by name, in a fixed order ("new" is the new engine), and refuses an unknown one', () => {
  expect(parseBenchOptions(['--contenders', 'pgroll,new,today'])).toMatchObject({ contenders: ['ours', 'today', 'pgroll'] });
  expect(parseBenchOptions(['--contenders', 'single, seed'])).toMatchObject({ contenders: ['single', 'seed'] });
  for (const name of ['gh-ost', 'constructor', '']) {
    expect(() => parseBenchOptions(['--contenders', name]), name).toThrow(/--contenders: unknown contender/);
  }
});

it('adds the early-deploy scenario and leaves pgbench out when asked', () => {
  expect(parseBenchOptions(['--early-deploy', '--no-pgbench'])).toMatchObject({ earlyDeploy: true, pgbench: false });
});

it('reads k and M suffixes, sorts and de-duplicates the sizes', () => {
  expect(parseBenchOptions(['--rows', '20k', '--sizes', '20k,1k,20000', '--runs', '1'])).toMatchObject({
    rows: 20_000,
    sizes: [1_000, 20_000],
    runs: 1,
  });
});

it('keeps 10M behind --huge', () => {
  expect(() => parseBenchOptions(['--rows', '10M'])).toThrow(/add --huge/);
  expect(parseBenchOptions(['--huge'])).toMatchObject({ rows: 1_000_000, sizes: [10_000, 100_000, 1_000_000, 10_000_000] });
  expect(parseBenchOptions(['--huge', '--rows', '10M'])).toMatchObject({ rows: 10_000_000 });
});

it('takes fewer rounds at 10M, and the seed in fewer rounds or sizes (0 rounds allowed)', () => {
  expect(parseBenchOptions(['--huge', '--runs', '3', '--huge-runs', '1', '--seed-runs', '0', '--seed-max-rows', '1M'])).toMatchObject({
    runs: 3,
    hugeRuns: 1,
    seedRuns: 0,
    seedMaxRows: 1_000_000,
  });
  expect(parseBenchOptions(['--runs', '2'])).toMatchObject({ runs: 2, hugeRuns: 2 });
});

it('rejects what is not a positive whole number, and unknown options', () => {
  for (const args of [['--rows', '0'], ['--runs', 'two'], ['--sizes', '1k,'], ['--rows', '1.5'], ['--runs', '0'], ['--seed-runs', '-1'], ['--app-rate', '0'], ['--bogus']]) {
    expect(() => parseBenchOptions(args), args.join(' ')).toThrow(UsageError);
  }
});

it('answers --help', () => {
  expect(parseBenchOptions(['--help'])).toBe('help');
});

it('runs the rollout scenarios at --rows unless --ops-rows says otherwise', () => {
  expect(parseBenchOptions(['--rows', '100k'])).toMatchObject({ rows: 100_000, opsRows: 100_000 });
  expect(parseBenchOptions(['--rows', '100k', '--ops-rows', '20k'])).toMatchObject({ rows: 100_000, opsRows: 20_000 });
});
