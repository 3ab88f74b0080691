/**
 * A count as en-US writes it (1,234,567), the way the output has always shown
 * counts, without Intl.
 *
 * Why: the first toLocaleString() of a process sets up ICU's number formatting,
 * ~25 ms of CPU, paid by every `up` and `down` that ran a phased step (the
 * interrupt report notes each committed step's rows, interrupt-report.ts). An
 * integer needs no locale data; anything else (fractions, -0, beyond 2^53) still
 * goes to toLocaleString, so the text stays exactly what it was.
 */
export function groupDigits(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en-US');
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, ',');
}
