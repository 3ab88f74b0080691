/**
 * Imported first by the CLI entry point, before anything can load pg.
 *
 * When pg is loaded it checks whether it runs on Cloudflare Workers: it looks at
 * `navigator.userAgent`, and where there is no `navigator` (Node 20; Node >= 21
 * has one) it constructs a fetch `Response`, which makes Node load its whole
 * fetch implementation (undici): ~30 ms of every command's start-up, for a
 * feature this tool never uses. Giving Node 20 the minimal `navigator` that newer
 * Nodes define answers pg's question without that detour. Only the CLI process
 * does this; the library never touches globals of the application importing it.
 */
if (typeof (globalThis as { navigator?: unknown }).navigator === 'undefined') {
  Object.defineProperty(globalThis, 'navigator', {
    value: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` },
    writable: true,
    configurable: true,
  });
}

export {};
