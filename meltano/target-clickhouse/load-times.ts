import type { ServerFeatures } from './column-types.js';

/**
 * The `_sdc_received_at` / `_sdc_batched_at` text the loader writes into every row (as a
 * TabSeparated field): an ISO time with Z, whole seconds on old servers (18.16 misreads bare
 * seconds since 1970 in TabSeparated), microseconds on DateTime64 servers. The text is remade
 * only when the clock has moved, and the clock is read once per read of input (every line of
 * a read arrived at that moment), not once per row.
 */
export function createLoadClock(features: ServerFeatures) {
  let lastMs = -1;
  let text = '';
  let readMs = Date.now();
  const format = features.dateTime64
    ? (ms: number) => {
        const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000) % 1000;
        return `${new Date(ms).toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
      }
    : (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
  const textOf = (ms: number) => {
    if (ms !== lastMs) {
      lastMs = ms;
      text = format(ms);
    }
    return text;
  };
  return {
    /** The current time as a metadata value. */
    now: () => textOf(Date.now()),
    /**
     * Notes that input was just read: every line of one read arrived at the same moment, so
     * the rows made from it share one `_sdc_received_at` (and one look at the clock).
     */
    read() {
      readMs = Date.now();
    },
    /** When the input being handled was read, as a metadata value. */
    received: () => textOf(readMs),
    /** The current time as ISO text with Z, for rows built as objects. */
    iso: () => `${new Date().toISOString().slice(0, 19)}Z`,
  };
}
