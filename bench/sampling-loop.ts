/**
 * Runs `sample` every `intervalMs` (from start to start) until stopped, then
 * once more, so what happened just before the stop is seen too. A failed
 * sample ends the loop and surfaces from stop(), not as an unhandled rejection.
 */
export interface SamplingLoop {
  stop(): Promise<void>;
}

export function startSampling(intervalMs: number, sample: () => Promise<void>): SamplingLoop {
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      const started = performance.now();
      await sample();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (performance.now() - started))));
    }
    await sample();
  })();
  loop.catch(() => {});
  return {
    stop: async () => {
      stopping = true;
      await loop;
    },
  };
}
