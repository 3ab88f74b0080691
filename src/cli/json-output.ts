/**
 * The --json document: exactly one per run of a command that takes --json, on
 * stdout, whatever the outcome (success, refusal, usage error, no connection).
 * Its shape is documented in docs/cli-output.md; change both together.
 *
 *   { command, ok, exitCode, result, error }
 *
 * `ok`: the command did its work and `result` holds its answer; `error` is null.
 * A gate's verdict is in `exitCode`, with ok true (`status --check` 3 or 8,
 * `verify` 9). Not ok: `result` is null and `error` says what went wrong and
 * what to do. Commands only shape their `result`; the envelope is the same for all.
 */
import type { DownResult } from '../commands/down';
import type { UpResult } from '../commands/up';
import { RefusedDestructiveError } from '../engine/data-loss';
import type { DryRunStep } from '../engine/dry-run';
import type { StepResult } from '../engine/step-result';
import { KonstructError, MigrationFailedError } from '../errors';
import type { ExitCode } from '../exit-codes';
import { hintFor } from './help-pointer';
import { UnsafeMigrationError } from '../commands/up-gate';

export interface JsonDocument {
  /** The command's name; null when the command line named none (or an unknown one). */
  command: string | null;
  ok: boolean;
  exitCode: ExitCode;
  result: object | null;
  error: JsonError | null;
}

export interface JsonError {
  /** The error's class: UsageError, ConfigError, TargetError, ConnectionError, ... InternalError. */
  type: string;
  message: string;
  /** What to do about it; a usage error always has one. */
  hint: string | null;
  /** Steps that completed (and stay committed) before the failure. */
  completed: StepJson[];
  [detail: string]: unknown;
}

export function resultDocument(command: string, exitCode: ExitCode, result: object): JsonDocument {
  return { command, ok: true, exitCode, result, error: null };
}

export function errorDocument(command: string | null, exitCode: ExitCode, error: unknown): JsonDocument {
  return { command, ok: false, exitCode, result: null, error: errorJson(error, command) };
}

/** The document as printed: indented, so that a person reading a CI log can follow it too. */
export function jsonText(document: JsonDocument): string {
  return JSON.stringify(document, null, 2);
}

export function upJson(result: UpResult): object {
  return {
    dryRun: result.dryRun !== undefined,
    batch: result.batch,
    expanded: result.expanded,
    migrations: result.dryRun ? result.dryRun.map(dryRunJson) : result.applied.map(stepJson),
    ...(result.accepted ? { accepted: result.accepted } : {}),
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

type StepJson = ReturnType<typeof stepJson>;

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

function errorJson(error: unknown, command: string | null): JsonError {
  const hint = hintFor(error, command) ?? null;
  if (!(error instanceof KonstructError)) {
    return { type: 'InternalError', message: error instanceof Error ? error.message : String(error), hint, completed: [] };
  }
  return {
    type: error.name,
    message: error.message,
    hint,
    completed: (error.completed ?? []).map(stepJson),
    ...(error instanceof MigrationFailedError
      ? { migration: error.migration, direction: error.direction, postgres: error.pg ?? null, statement: error.statement ?? null }
      : {}),
    ...(error instanceof RefusedDestructiveError ? { dataLoss: error.dataLoss } : {}),
    ...(error instanceof UnsafeMigrationError ? { findings: error.findings } : {}),
  };
}
