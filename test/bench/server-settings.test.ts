/**
 * BENCH_SERVER_SETTINGS (bench/server-settings.ts): what an embedded benchmark
 * server is started with, and how a run records it. No server: parsing, the
 * recorded command, the refusal with BENCH_DATABASE_URL, and the sweep's line.
 */
import { describe, expect, it } from 'vitest';
import { openBenchServer } from '../../bench/bench-server';
import { latencySweepMarkdown } from '../../bench/latency/latency-markdown';
import { sweepVariants } from '../../bench/latency/latency-sweep';
import { parseServerSettings, settingsPrefix } from '../../bench/server-settings';

describe('BENCH_SERVER_SETTINGS', () => {
  it('reads name=value pairs, spaces around them ignored', () => {
    expect(parseServerSettings(' shared_buffers=4GB, max_wal_size = 16GB ')).toEqual({ shared_buffers: '4GB', max_wal_size: '16GB' });
  });

  it('is no settings when unset or blank', () => {
    expect(parseServerSettings(undefined)).toEqual({});
    expect(parseServerSettings('  ')).toEqual({});
  });

  it('refuses a pair that is not name=value, naming it', () => {
    expect(() => parseServerSettings('shared_buffers=4GB,max_wal_size')).toThrow('BENCH_SERVER_SETTINGS: "max_wal_size" is not name=value');
    expect(() => parseServerSettings('a=b=c')).toThrow('"a=b=c" is not name=value');
  });

  it('goes before the recorded command line only when set', () => {
    expect(settingsPrefix({ BENCH_SERVER_SETTINGS: 'max_wal_size=16GB' })).toBe('BENCH_SERVER_SETTINGS="max_wal_size=16GB" ');
    expect(settingsPrefix({})).toBe('');
  });

  it('is refused with BENCH_DATABASE_URL, whose server it cannot set up', async () => {
    await expect(openBenchServer({ BENCH_DATABASE_URL: 'postgres://u@127.0.0.1:1/db', BENCH_SERVER_SETTINGS: 'max_wal_size=16GB' })).rejects.toThrow(
      'BENCH_SERVER_SETTINGS sets up the embedded server only',
    );
  });

  it('shows in the sweep results as the server and its settings', () => {
    const markdown = latencySweepMarkdown({
      command: 'sweep', rows: 1_000_000, rounds: 1, loadAverage: { start: 1, end: 1 },
      server: { description: 'embedded', settings: { max_wal_size: '16384 MB', shared_buffers: '4096 MB' } },
      variants: sweepVariants([50]), runs: [],
    });
    expect(markdown).toContain('\nServer: embedded; max_wal_size 16384 MB, shared_buffers 4096 MB.\n');
  });
});
