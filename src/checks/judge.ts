/**
 * From what the statements did to findings: each rule's verdict, with where it
 * happened, the table's size, the estimated hold, whether the migration
 * accepted it and whether it is big enough to refuse.
 */
import type { AcceptedFinding } from './accepted-findings';
import type { RuleFinding } from './finding';
import { estimatedHoldSeconds } from './hold-estimate';
import type { ObservedStatement } from './observation';
import { RULES } from './rules/registry';
import type { TableSize } from './table-sizes';

export interface Finding extends RuleFinding {
  rule: string;
  migration: string;
  phase: string | null;
  step: string | null;
  statement: string;
  /** The table's size where it was read (statistics or the recorded file); null when unknown. */
  rows: number | null;
  bytes: number | null;
  holdSeconds: number | null;
  /** At or above the size threshold, or of unknown size: `up` refuses it unless accepted. */
  refuses: boolean;
  /** The migration's reason for accepting it; null when not accepted. */
  acceptedBecause: string | null;
}

export function judge(
  observed: ObservedStatement[],
  sizes: Record<string, TableSize>,
  accepts: Map<string, AcceptedFinding[]>,
  thresholdRows: number,
): Finding[] {
  const seen = new Set<string>();
  return observed.flatMap((s) =>
    RULES.flatMap((rule) => rule.find(s).map((f) => ({ rule: rule.name, ...f }))).flatMap((f) => {
      // A batched step repeats its statements once per batch: one finding is enough.
      const key = `${s.migration}|${s.step ?? ''}|${f.rule}|${f.table}|${s.sql}`;
      if (seen.has(key)) return [];
      seen.add(key);
      const size = sizes[f.table];
      const accepted = accepts.get(s.migration)?.find((a) => a.rule === f.rule && a.table === f.table);
      return [{
        ...f,
        migration: s.migration,
        phase: s.phase ?? null,
        step: s.step ?? null,
        statement: s.sql.trim(),
        rows: size?.rows ?? null,
        bytes: size?.bytes ?? null,
        holdSeconds: size ? estimatedHoldSeconds(f.why, size.rows) : null,
        refuses: size === undefined || size.rows >= thresholdRows,
        acceptedBecause: accepted?.reason ?? null,
      }];
    }),
  );
}

/** Findings that stop `up` and make `check` exit 10. */
export const blocking = (findings: Finding[]): Finding[] => findings.filter((f) => f.refuses && f.acceptedBecause === null);
