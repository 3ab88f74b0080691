/** The drain gate's defaults, apart from its code: `complete --help` shows them without loading it. */
export const DRAIN_DEFAULTS = {
  /** Seconds with no sign of the old version before the contract may run: longer than a rolling deploy's tail, shorter than a coffee. */
  windowSeconds: 600,
  /** How often `--wait` looks again. */
  pollSeconds: 5,
} as const;
