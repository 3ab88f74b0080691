/**
 * The drain gate of `complete`: the contract drops what only the old
 * application version uses, so it must not run while that version is still
 * active. The gate refuses while there is evidence inside the drain window
 * (exit 11, changing nothing), waits it out with `--wait`, or is overridden
 * with `--force`, which says what it overrode.
 */
import type { Knex } from 'knex';
import { sleep } from '../db/backoff';
import { KonstructError } from '../errors';
import { ExitCode } from '../exit-codes';
import { DRAIN_DEFAULTS } from './drain-defaults';
import type { ContractDrops } from './contract-drops';
import { blindSpots, gatherEvidence, recentSigns, type DrainEvidence, type RecentSign } from './drain-evidence';

export { DRAIN_DEFAULTS };

export interface DrainOptions {
  /** Seconds without evidence the old version is active (default 600). */
  drainWindow?: number;
  /** Glob for the old version's application_name; matching sessions block the contract. */
  oldVersion?: string;
  /** Run the contract even with evidence; what was overridden is logged. */
  force?: boolean;
  /** Wait until the window is clear instead of refusing. */
  wait?: boolean;
  /** Told each round of `--wait`: the signs that still block, and when the first clears. */
  onDrainWait?: (signs: RecentSign[], waitedMs: number) => void;
}

export interface DrainTarget {
  migration: string;
  drops: ContractDrops | null;
}

export class DrainRefusedError extends KonstructError {}

/** Resolves once the contract may run; throws DrainRefusedError when it may not. */
export async function passDrainGate(knex: Knex, targets: DrainTarget[], options: DrainOptions, log: (line: string) => void): Promise<DrainEvidence[]> {
  const windowSeconds = options.drainWindow ?? DRAIN_DEFAULTS.windowSeconds;
  const started = Date.now();
  for (let round = 0; ; round++) {
    const evidence = await Promise.all(targets.map((t) => gatherEvidence(knex, t.migration, t.drops, { oldVersion: options.oldVersion, look: true })));
    const signs = evidence.flatMap((e) => recentSigns(e, windowSeconds));
    // Said once, when it matters: what the gate cannot vouch for (a gate that saw nothing at all, or one that acts on what it saw).
    if (round === 0) for (const e of evidence) for (const spot of blindSpots(e).filter((s) => !s.startsWith('sessions'))) {
      if (signs.length > 0 || !e.recordingWrites) log(`${e.migration}: ${spot}`);
    }
    if (signs.length === 0) return evidence;
    if (options.force) {
      for (const s of signs) log(`--force: overriding evidence that the old version is active: ${s.text}`);
      return evidence;
    }
    if (!options.wait) throw refusal(targets, signs, windowSeconds);
    if (round === 0) log(`waiting for the old application version to drain (${signs.length} sign${signs.length === 1 ? '' : 's'}, newest: ${signs[0]!.text}); stopping now changes nothing`);
    options.onDrainWait?.(signs, Date.now() - started);
    const firstClear = Math.min(...signs.map((s) => s.clearsInSeconds ?? DRAIN_DEFAULTS.pollSeconds));
    await sleep(1000 * Math.min(DRAIN_DEFAULTS.pollSeconds, Math.max(0.2, firstClear + 0.05)));
  }
}

function refusal(targets: DrainTarget[], signs: RecentSign[], windowSeconds: number): DrainRefusedError {
  const more = signs.length > 1 ? ` (and ${signs.length - 1} more sign${signs.length > 2 ? 's' : ''}: see \`konstruct-migrate status\`)` : '';
  return new DrainRefusedError(
    `complete refused: the old application version of ${targets.map((t) => t.migration).join(', ')} was active within the last ${windowSeconds} s: ${signs[0]!.text}${more}`,
    {
      exitCode: ExitCode.DrainRefused,
      hint: 'Nothing was changed. Stop the old version, then wait (`complete --wait`); or shorten the window (`--drain-window <s>`); or, knowing its writes will then fail, `complete --force`.',
    },
  );
}
