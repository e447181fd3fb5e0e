import type { ServerFeatures } from './column-types.js';

/**
 * The `_sdc_received_at` / `_sdc_batched_at` text the loader writes into every row (as a
 * TabSeparated field): an ISO time with Z, whole seconds on old servers (18.16 misreads bare
 * seconds since 1970 in TabSeparated), microseconds on DateTime64 servers. The text is remade only when the
 * clock has moved, so a row costs one Date.now().
 */
export function createLoadClock(features: ServerFeatures) {
  let lastMs = -1;
  let text = '';
  const format = features.dateTime64
    ? (ms: number) => {
        const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000) % 1000;
        return `${new Date(ms).toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
      }
    : (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
  return {
    /** The current time as a metadata value. */
    now(): string {
      const ms = Date.now();
      if (ms !== lastMs) {
        lastMs = ms;
        text = format(ms);
      }
      return text;
    },
    /** The current time as ISO text with Z, for rows built as objects. */
    iso: () => `${new Date().toISOString().slice(0, 19)}Z`,
  };
}
