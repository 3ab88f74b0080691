/** A table of targets, run by run: each run's value, min, max, the target, and "met in N of M runs" (bold when not all). */
import { eachRun, formatValue, maxOf, minOf } from './format';
import { metCount, type TargetResult } from './targets';

export function targetTable(targets: TargetResult[]): string[] {
  return [
    '| measurement | each run | min | max | target | met |',
    '| --- | ---: | ---: | ---: | --- | :---: |',
    ...targets.map((t) => {
      const some = t.values.length > 0;
      const range = some ? [formatValue(t.kind, minOf(t.values)), formatValue(t.kind, maxOf(t.values))] : ['–', '–'];
      const count = `${metCount(t)} of ${t.values.length} runs`;
      const met = !some ? 'not measured' : metCount(t) === t.values.length ? count : `**${count}**`;
      return `| ${t.what} | ${eachRun(t.kind, t.values)} | ${range.join(' | ')} | ${t.target} | ${met} |`;
    }),
  ];
}
