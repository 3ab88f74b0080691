/**
 * Output of `check`: text for people, or (--format github) workflow commands
 * that GitHub Actions shows as annotations on the pull request's files.
 */
import path from 'node:path';
import type { CheckResult } from '../commands/check';
import type { Finding } from '../checks/judge';
import { groupDigits } from './output/group-digits';

const where = (f: Finding) => `${f.migration}${f.phase ? ` ${f.phase}: ${f.step}` : ''}`;
const size = (f: Finding) => (f.rows === null ? 'size unknown' : `${groupDigits(Math.round(f.rows))} rows`);
const hold = (f: Finding) => (f.holdSeconds === null ? '' : `, about ${f.holdSeconds} s`);

export function formatCheck(result: CheckResult): string[] {
  if (result.pending.length === 0) return ['Nothing to check: no migration is pending.'];
  const lines = [`Checked ${result.pending.join(', ')} on a throwaway copy (${result.copiedFrom}; sizes from ${result.sizesFrom}) in ${result.ms} ms.`];
  for (const f of result.findings) {
    const verdict = f.acceptedBecause !== null ? 'accepted' : f.refuses ? 'unsafe' : 'warning';
    lines.push('', `${verdict}: ${f.rule} on ${f.table} (${size(f)}) in ${where(f)}`);
    lines.push(`  ${f.detail}`);
    lines.push(`  ${f.lock} blocks ${f.blocks} (${f.why}${hold(f)})`);
    lines.push(`  statement: ${f.statement.split('\n')[0]}`);
    if (f.acceptedBecause !== null) lines.push(`  accepted: ${f.acceptedBecause}`);
    else lines.push(`  safe way: ${f.safeWay}`);
  }
  const open = result.findings.filter((f) => f.refuses && f.acceptedBecause === null).length;
  lines.push('', open === 0
    ? `No unsafe finding${result.findings.length ? ` (${result.findings.length} warned or accepted)` : ''}.`
    : `${open} unsafe finding(s) on tables of ${groupDigits(result.thresholdRows)} rows or more: write them the safe way, or accept them in the migration (acceptFindings; see docs/checking-migrations.md).`);
  return lines;
}

/** One `::error` (or `::warning`/`::notice`) line per finding, on the migration's file. */
export function formatGithub(result: CheckResult): string[] {
  return result.findings.map((f) => {
    const level = f.acceptedBecause !== null ? 'notice' : f.refuses ? 'error' : 'warning';
    const file = path.relative(process.cwd(), result.files[f.migration] ?? f.migration);
    const message = `${f.detail}; ${f.lock} blocks ${f.blocks} (${size(f)}${hold(f)}). ${f.acceptedBecause !== null ? `Accepted: ${f.acceptedBecause}` : `Safe way: ${f.safeWay}`}`;
    return `::${level} file=${escapeProperty(file)},title=${escapeProperty(`${f.rule} on ${f.table}`)}::${escapeData(message)}`;
  });
}

// GitHub's escaping of workflow command values.
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
