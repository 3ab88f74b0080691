/**
 * The --json documents: one per run, on stdout. Their shape is documented in
 * the README ("JSON output"); change both together.
 *   { command, ok, exitCode, ...command fields, error }
 * `ok` is false only when the command failed (`status --check` reporting
 * pending migrations is ok, with exitCode 3); `error` is null when ok.
 */
import type { DownResult } from '../commands/down';
import type { StatusResult } from '../commands/status';
import type { UpResult } from '../commands/up';
import { RefusedDestructiveError } from '../engine/data-loss';
import type { DryRunStep } from '../engine/dry-run';
import type { StepResult } from '../engine/run-step';
import { KonstructError, MigrationFailedError } from '../errors';
import type { ExitCode } from '../exit-codes';

export function resultDocument(command: string, exitCode: ExitCode, fields: object): object {
  return { command, ok: true, exitCode, ...fields, error: null };
}

export function errorDocument(command: string, exitCode: ExitCode, error: unknown): object {
  const completed = error instanceof KonstructError ? (error.completed ?? []) : [];
  return { command, ok: false, exitCode, migrations: completed.map(stepJson), error: errorJson(error) };
}

export function upJson(result: UpResult): object {
  return {
    dryRun: result.dryRun !== undefined,
    batch: result.batch,
    expanded: result.expanded,
    migrations: result.dryRun ? result.dryRun.map(dryRunJson) : result.applied.map(stepJson),
  };
}

export function downJson(result: DownResult): object {
  return {
    dryRun: result.dryRun !== undefined,
    dataLoss: result.dataLoss,
    expanded: result.expanded,
    migrations: result.dryRun ? result.dryRun.map(dryRunJson) : result.reverted.map(stepJson),
  };
}

export function statusJson(result: StatusResult): object {
  return result;
}

function stepJson(step: Pick<StepResult, 'name' | 'direction' | 'ms' | 'attempts'>) {
  return { name: step.name, direction: step.direction, durationMs: step.ms, attempts: step.attempts };
}

function dryRunJson(step: DryRunStep) {
  return {
    name: step.name,
    direction: step.direction,
    ...(step.phase ? { phase: step.phase, step: step.step, batches: step.batches ?? null } : {}),
    statements: step.statements,
    notRun: step.notRun ?? null,
  };
}

function errorJson(error: unknown): object {
  if (!(error instanceof KonstructError)) {
    return { type: 'InternalError', message: error instanceof Error ? error.message : String(error), hint: null };
  }
  return {
    type: error.name,
    message: error.message,
    hint: error.hint ?? null,
    ...(error instanceof MigrationFailedError
      ? { migration: error.migration, direction: error.direction, postgres: error.pg ?? null, statement: error.statement ?? null }
      : {}),
    ...(error instanceof RefusedDestructiveError ? { dataLoss: error.dataLoss } : {}),
  };
}
