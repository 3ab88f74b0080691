/**
 * What the README quotes of the results (issue #12: five lines and a link): the
 * verdict with the link, then the online migration, 006 against the seed, the
 * table's growth and `status`, each value as lowest–highest over its runs, with
 * "met in N of M runs" wherever a run missed. RESULTS.md holds every run's value.
 */
import type { BenchResult } from './benchmark';
import { formatRows, formatValue, loadAverageText, maxOf, minOf } from './format';
import { scenarioTargets } from './scenario-targets';
import { alwaysMet, headline, metCount, offlineTargets, ONLINE, onlineTargets, type TargetResult } from './targets';

export function readmeBlock(result: BenchResult, resultsLink: string): string {
  const env = result.environment;
  const atTarget = result.sizes.find((s) => s.rows === ONLINE.atRows);
  const online = atTarget ? onlineTargets(atTarget) : [];
  const offline = offlineTargets(result);
  const scenarios = scenarioTargets(result.scenarios);
  const pick = (targets: TargetResult[], start: string) => targets.find((t) => t.what.startsWith(start));
  const quote = (targets: TargetResult[], start: string) => {
    const t = pick(targets, start);
    return t ? valueRange(t) : 'not measured';
  };
  const q = (start: string) => quote(online, start);
  const o = (start: string) => quote(offline, start);
  const onlineLine =
    online.length > 0
      ? `- Online \`up\` (expand, backfill, contract) on ${formatRows(ONLINE.atRows)} rows under ${result.load.ratePerVersion} requests/s per application version: max latency ${q('application max latency during `up` (served versions), quiet')} on a quiet table, ${q('application max latency during `up` (served versions), with')} with an open application transaction; errors from the start of expand to the start of contract: ${q('errors from the start of expand')}; longest hold of a lock that stops reads or writes: ${q('longest hold of a lock that stops')}; all phases take ${q('all phases end to end')} the single-transaction 006's time.`
      : `- Online \`up\` (expand, backfill, contract): not measured on ${formatRows(ONLINE.atRows)} rows in this run (\`--huge\`).`;
  const bare = pick(offline, '`status`: konstruct-migrate / bare') ? ` and ${o('`status`: konstruct-migrate / bare')} that of a bare node + pg script reading knex_migrations` : '';
  const s = (start: string) => quote(scenarios, start);
  // Only the scenarios this run measured (--only, --no-<scenario> leave some out).
  const has = (start: string) => pick(scenarios, start) !== undefined;
  const scenarioParts = [
    has('operations: old version errors') &&
      `a rename, a type change and an index as operations: errors ${s('operations: old version errors')} (old), ${s('operations: new version errors')} (new), longest blocking hold ${s('operations: longest hold')}`,
    has('drain recording: old') && `drain recorder's cost, p99 with / without (upper end of its 95 % interval): ${s('drain recording: old')} (old), ${s('drain recording: new')} (new)`,
    has('rolling deploy: old') &&
      `rolling deploy with \`complete --wait\`: errors ${s('rolling deploy: old')} (old), ${s('rolling deploy: new')} (new), contracted after the old version's last request: ${s('rolling deploy: `complete')}`,
  ].filter((part): part is string => typeof part === 'string');
  const scenarioLine = result.scenarios && scenarioParts.length > 0 ? [`- Rollout scenarios on ${formatRows(result.scenarios.rows)} rows: ${scenarioParts.join('; ')}.`] : [];
  return [
    `${verdict([...online, ...offline, ...scenarios])} Measured by \`npm run bench\` on ${env.date.slice(0, 10)}, ${env.machine} (load average ${loadAverageText(env.loadAverage, env.loadAverageAfter)}), Node.js ${env.node}, PostgreSQL ${env.postgres}; each value is lowest–highest over the runs. Method, charts, every number: [${resultsLink}](${resultsLink}).`,
    onlineLine,
    `- Revision 006 on ${formatRows(headline(result)?.rows ?? result.options.rows)} rows against the seed's statements: \`up\` ${o('006 up: speed-up')} faster, \`down\` ${o('006 down: speed-up')} faster; longest AccessExclusiveLock on portal_users ${o('006 up: longest')} (\`up\`), ${o('006 down: longest')} (\`down\`).`,
    `- Growth of portal_users (the larger of total and heap size): ${o('006 up: growth')} in \`up\`, ${o('006 down: growth')} in \`down\`.`,
    `- \`status\`: ${o('`status`: konstruct-migrate / stock')} the stock knex CLI's time${bare}.`,
    ...scenarioLine,
  ].join('\n');
}

function verdict(targets: TargetResult[]): string {
  const missed = targets.filter((t) => !alwaysMet(t));
  if (missed.length === 0) return 'Every target met in every run.';
  return `Targets **not met in every run**: ${missed.map((t) => `${t.what} (${t.target}): met in ${metCount(t)} of ${t.values.length} runs`).join('; ')}.`;
}

/** "1.20x" for one run or equal values, else "1.10x–1.30x"; then "met in N of M runs" when some run missed. */
function valueRange(t: TargetResult): string {
  if (t.values.length === 0) return 'not measured';
  const [low, high] = [formatValue(t.kind, minOf(t.values)), formatValue(t.kind, maxOf(t.values))];
  const range = low === high ? low : `${low}–${high}`;
  return alwaysMet(t) ? range : `${range} (**met in ${metCount(t)} of ${t.values.length} runs**)`;
}
