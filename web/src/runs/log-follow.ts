/**
 * Following a run's log over Server-Sent Events (GET /api/v1/runs/:id/logs), without React.
 *
 * The server replays from an id (Last-Event-ID, or `?after=`), follows live, and ends with an
 * `end` event. Ids are Redis stream ids (`<ms>-<seq>`), so they order the log. The reducer keeps
 * entries ordered and drops any id it already has, so a replay that overlaps what we hold (a
 * reconnect, the browser's own retry) never shows a line twice.
 */
import type { EndEvent, LogEntry, LogEvent } from './types.js';

export type Connection = 'connecting' | 'live' | 'reconnecting' | 'ended';

export type LogFollowState = {
  /** Log lines and progress, ordered by id, each id once. */
  entries: LogEntry[];
  /** The newest id seen: where a reconnect resumes. */
  lastId: string | undefined;
  /** The log's last event (the run's final status); nothing is followed after it. */
  end: EndEvent | undefined;
  connection: Connection;
  /** Connection losses since the last successful open: a long outage is worded differently. */
  failures: number;
  /** What the server said when it stopped the stream itself (plain words, from the server). */
  notice: string | undefined;
};

/** An event as it came off the wire: `id` is missing for the archive's closing `end`. */
export type RawEvent = { id: string | undefined; event: LogEvent };

export type FollowAction =
  | { type: 'events'; events: RawEvent[] }
  | { type: 'open' }
  | { type: 'dropped' }
  | { type: 'notice'; message: string };

export const initialFollowState = (): LogFollowState => ({ entries: [], lastId: undefined, end: undefined, connection: 'connecting', failures: 0, notice: undefined });

/** Compares two decimal numbers of any size written as text (a seq may exceed 2^53). */
function compareDecimal(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x === y ? 0 : x < y ? -1 : 1;
}

/** Orders two stream ids as Redis does: by time, then by sequence. */
export function compareIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  return compareDecimal(am, bm) || compareDecimal(as, bs);
}

/** Where `id` sits in `entries` (sorted): its index if present, else where it would go. */
function search(entries: LogEntry[], id: string): { index: number; found: boolean } {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const order = compareIds(entries[mid]!.id, id);
    if (order === 0) return { index: mid, found: true };
    if (order < 0) lo = mid + 1;
    else hi = mid;
  }
  return { index: lo, found: false };
}

function applyEvents(state: LogFollowState, events: RawEvent[]): LogFollowState {
  // Copied once per batch, not per event: a replay arrives a thousand lines at a time.
  let entries: LogEntry[] | undefined;
  let { lastId } = state;
  let end: EndEvent | undefined;
  for (const { id, event } of events) {
    const newer = id !== undefined && (lastId === undefined || compareIds(id, lastId) > 0);
    if (event.type === 'end') {
      // The archive's closing `end` has no id of its own (the browser then repeats the previous
      // one): it ends the log all the same, and moves the resume point only when it is newer.
      end = event;
      if (newer) lastId = id;
      break;
    }
    // The server ids every line and progress event; one without could not be de-duplicated.
    if (id === undefined) continue;
    if (newer) {
      (entries ??= state.entries.slice()).push({ id, event });
      lastId = id;
      continue;
    }
    const list = entries ?? state.entries;
    const at = search(list, id);
    if (at.found) continue;
    (entries ??= state.entries.slice()).splice(at.index, 0, { id, event });
  }
  if (!entries && !end && lastId === state.lastId) return state;
  return { ...state, entries: entries ?? state.entries, lastId, ...(end ? { end, connection: 'ended' as const, notice: undefined } : {}) };
}

/** The whole state machine; an ended log ignores everything after its end. */
export function followReducer(state: LogFollowState, action: FollowAction): LogFollowState {
  if (state.end) return state;
  switch (action.type) {
    case 'events':
      return applyEvents(state, action.events);
    case 'open':
      return { ...state, connection: 'live', failures: 0, notice: undefined };
    case 'dropped':
      return { ...state, connection: 'reconnecting', failures: state.failures + 1 };
    case 'notice':
      return { ...state, notice: action.message };
  }
}

/** The stream's address, resuming after `lastId` when we have one. */
export const logStreamUrl = (runId: string, lastId: string | undefined) =>
  `/api/v1/runs/${encodeURIComponent(runId)}/logs${lastId === undefined ? '' : `?after=${encodeURIComponent(lastId)}`}`;

/** Wait before our own reconnect: 1 s, doubling, at most 30 s (the server may be restarting). */
export const retryDelayMs = (failures: number) => Math.min(30_000, 1000 * 2 ** Math.max(0, failures - 1));

/** What the page needs of an EventSource, so tests can hand in a fake one. */
export type EventSourceLike = {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: Event) => void): void;
  close(): void;
};

export type FollowHandlers = { onChange: (state: LogFollowState) => void };
export type FollowOptions = {
  createSource?: (url: string) => EventSourceLike;
  /** Events are handed over in batches at most this often, so a fast replay renders a few times, not once per line. */
  flushMs?: number;
};

const CLOSED = 2;
const EVENT_TYPES = ['log', 'progress', 'end'] as const;

/** The data of a message event (the server's own `event: error` carries one; a lost connection does not). */
const dataOf = (event: Event) => {
  const data = (event as Partial<MessageEvent>).data;
  return typeof data === 'string' ? data : undefined;
};

/**
 * Follows a run's log until its `end` (or `stop()`), calling `onChange` with each new state.
 * A dropped connection is resumed from the last id we hold: by the browser's own retry (it sends
 * Last-Event-ID) while the EventSource is reconnecting, by a new EventSource with `?after=` once
 * the browser gave up (an HTTP error answer, a proxy between us). The reducer makes either safe.
 */
export function followRunLog(runId: string, handlers: FollowHandlers, options: FollowOptions = {}): () => void {
  const createSource = options.createSource ?? ((url: string) => new EventSource(url));
  const flushMs = options.flushMs ?? 100;
  let state = initialFollowState();
  let source: EventSourceLike | undefined;
  let pending: RawEvent[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const dispatch = (action: FollowAction) => {
    if (stopped) return;
    const next = followReducer(state, action);
    if (next === state) return;
    state = next;
    handlers.onChange(state);
  };
  const close = () => {
    source?.close();
    source = undefined;
  };
  const flush = () => {
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    flushTimer = undefined;
    if (pending.length === 0) return;
    const events = pending;
    pending = [];
    dispatch({ type: 'events', events });
    // Closed at once: otherwise the browser reconnects when the server ends the stream.
    if (state.end) close();
  };
  const onEvent = (message: Event) => {
    const data = dataOf(message);
    if (data === undefined) return;
    let event: LogEvent;
    try {
      event = JSON.parse(data) as LogEvent;
    } catch {
      return;
    }
    const id = (message as MessageEvent).lastEventId;
    pending.push({ id: id ? id : undefined, event });
    if (event.type === 'end') flush();
    else flushTimer ??= setTimeout(flush, flushMs);
  };
  const connect = () => {
    retryTimer = undefined;
    if (stopped || state.end) return;
    const current = createSource(logStreamUrl(runId, state.lastId));
    source = current;
    current.addEventListener('open', () => dispatch({ type: 'open' }));
    for (const type of EVENT_TYPES) current.addEventListener(type, onEvent);
    current.addEventListener('error', (event) => {
      if (source !== current || stopped) return;
      const message = dataOf(event);
      if (message !== undefined) {
        // The server's `event: error`: it stops the stream next; the drop that follows reconnects.
        const said = (() => {
          try {
            return (JSON.parse(message) as { message?: unknown }).message;
          } catch {
            return undefined;
          }
        })();
        if (typeof said === 'string') dispatch({ type: 'notice', message: said });
        return;
      }
      flush();
      if (state.end) return;
      dispatch({ type: 'dropped' });
      if (current.readyState === CLOSED) {
        close();
        retryTimer = setTimeout(connect, retryDelayMs(state.failures));
      }
    });
  };
  connect();
  return () => {
    stopped = true;
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    if (retryTimer !== undefined) clearTimeout(retryTimer);
    close();
  };
}
