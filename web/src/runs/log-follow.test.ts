import { afterEach, describe, expect, it, vi } from 'vitest';
import { compareIds, followReducer, followRunLog, initialFollowState, logStreamUrl, retryDelayMs, type EventSourceLike, type LogFollowState, type RawEvent } from './log-follow.js';
import type { LogEvent } from './types.js';

const at = '2024-05-01T10:00:00.000Z';
const line = (id: string | undefined, message = `line ${id}`): RawEvent => ({ id, event: { type: 'log', level: 'info', message, at } });
const end = (id: string | undefined, status = 'succeeded'): RawEvent => ({ id, event: { type: 'end', status, at } });
const events = (state: LogFollowState, ...batch: RawEvent[]) => followReducer(state, { type: 'events', events: batch });
const ids = (state: LogFollowState) => state.entries.map((e) => e.id);

describe('compareIds', () => {
  it('orders by time, then sequence, as numbers (not as text)', () => {
    expect(compareIds('1700000000000-2', '1700000000000-10')).toBe(-1);
    expect(compareIds('999-5', '1000-0')).toBe(-1);
    expect(compareIds('1000-0', '1000-0')).toBe(0);
    // sequences past 2^53 still compare exactly
    expect(compareIds('5-18446744073709551615', '5-18446744073709551614')).toBe(1);
  });
});

describe('followReducer', () => {
  it('keeps lines in id order and remembers the newest id', () => {
    const state = events(initialFollowState(), line('1-0'), line('1-1'), line('2-0'));
    expect(ids(state)).toEqual(['1-0', '1-1', '2-0']);
    expect(state.lastId).toBe('2-0');
  });

  it('puts a late, older line in its place without moving the resume point back', () => {
    const state = events(initialFollowState(), line('1-0'), line('3-0'), line('2-0'));
    expect(ids(state)).toEqual(['1-0', '2-0', '3-0']);
    expect(state.lastId).toBe('3-0');
  });

  it('drops the lines a reconnect replays again', () => {
    let state = events(initialFollowState(), line('1-0'), line('2-0'), line('3-0'));
    state = followReducer(state, { type: 'dropped' });
    // the browser's retry (or our ?after=) overlapping what we hold
    state = events(state, line('2-0'), line('3-0'), line('4-0'));
    expect(ids(state)).toEqual(['1-0', '2-0', '3-0', '4-0']);
    expect(state.lastId).toBe('4-0');
  });

  it('returns the same state when a batch brings nothing new (no re-render)', () => {
    const state = events(initialFollowState(), line('1-0'), line('2-0'));
    expect(events(state, line('1-0'), line('2-0'))).toBe(state);
  });

  it('keeps progress events with the lines, de-duplicated the same way', () => {
    const progress: RawEvent = { id: '2-0', event: { type: 'progress', stream: 's', records: 10, at } };
    const state = events(initialFollowState(), line('1-0'), progress, progress);
    expect(state.entries.map((e) => e.event.type)).toEqual(['log', 'progress']);
  });

  it('stops for good at the end: later events and connection changes are ignored', () => {
    let state = events(initialFollowState(), line('1-0'), end('2-0'), line('3-0'));
    expect(state.end).toEqual({ type: 'end', status: 'succeeded', at });
    expect(state.connection).toBe('ended');
    expect(ids(state)).toEqual(['1-0']);
    expect(state.lastId).toBe('2-0');
    expect(events(state, line('4-0'))).toBe(state);
    expect(followReducer(state, { type: 'dropped' })).toBe(state);
    expect(followReducer(state, { type: 'open' })).toBe(state);
  });

  it('ends on an end without an id of its own (the archive replay) and keeps the resume point', () => {
    // the browser repeats the previous id for an event that has none
    const state = events(initialFollowState(), line('1-0'), end('1-0', 'failed'));
    expect(state.end?.status).toBe('failed');
    expect(state.lastId).toBe('1-0');
    expect(events(initialFollowState(), end(undefined)).end?.status).toBe('succeeded');
  });

  it('counts losses until the stream opens again, and keeps what the server said', () => {
    let state = followReducer(initialFollowState(), { type: 'open' });
    state = followReducer(followReducer(state, { type: 'dropped' }), { type: 'dropped' });
    expect(state).toMatchObject({ connection: 'reconnecting', failures: 2 });
    state = followReducer(state, { type: 'notice', message: 'The live log stopped.' });
    expect(state.notice).toBe('The live log stopped.');
    state = followReducer(state, { type: 'open' });
    expect(state).toMatchObject({ connection: 'live', failures: 0, notice: undefined });
  });
});

describe('resuming', () => {
  it('asks from the start first, then after the last id', () => {
    expect(logStreamUrl('r1', undefined)).toBe('/api/v1/runs/r1/logs');
    expect(logStreamUrl('r1', '1700000000000-3')).toBe('/api/v1/runs/r1/logs?after=1700000000000-3');
  });

  it('waits longer after each loss, up to 30 s', () => {
    expect([1, 2, 3, 6, 20].map(retryDelayMs)).toEqual([1000, 2000, 4000, 30_000, 30_000]);
  });
});

/** An EventSource that the test drives: it opens, sends, drops and gives up on command. */
class FakeSource implements EventSourceLike {
  readyState = 0;
  closed = false;
  private listeners = new Map<string, Array<(event: Event) => void>>();
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: (event: Event) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  private fire(type: string, event: Event) {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
  open() {
    this.readyState = 1;
    this.fire('open', new Event('open'));
  }
  send(id: string | undefined, event: LogEvent) {
    this.fire(event.type, new MessageEvent(event.type, { data: JSON.stringify(event), lastEventId: id ?? '' }));
  }
  /** `giveUp`: the browser will not retry (an HTTP error answer); otherwise it retries itself. */
  drop(giveUp: boolean) {
    this.readyState = giveUp ? 2 : 0;
    this.fire('error', new Event('error'));
  }
}

describe('followRunLog', () => {
  afterEach(() => void vi.useRealTimers());

  const start = () => {
    vi.useFakeTimers();
    const sources: FakeSource[] = [];
    const states: LogFollowState[] = [];
    const stop = followRunLog('run-1', { onChange: (s) => states.push(s) }, { createSource: (url) => sources.at(sources.push(new FakeSource(url)) - 1)!, flushMs: 50 });
    return { sources, states, stop, latest: () => states.at(-1)! };
  };

  it('batches lines, and after the browser gives up reconnects itself with ?after= and no duplicates', () => {
    const { sources, latest, stop } = start();
    const first = sources[0]!;
    expect(first.url).toBe('/api/v1/runs/run-1/logs');
    first.open();
    first.send('1-0', line('1-0').event);
    first.send('2-0', line('2-0').event);
    vi.advanceTimersByTime(50);
    expect(ids(latest())).toEqual(['1-0', '2-0']);

    first.drop(true);
    expect(latest().connection).toBe('reconnecting');
    expect(first.closed).toBe(true);
    vi.advanceTimersByTime(retryDelayMs(1));
    const second = sources[1]!;
    expect(second.url).toBe('/api/v1/runs/run-1/logs?after=2-0');
    second.open();
    second.send('2-0', line('2-0').event);
    second.send('3-0', line('3-0').event);
    vi.advanceTimersByTime(50);
    expect(ids(latest())).toEqual(['1-0', '2-0', '3-0']);
    expect(latest().connection).toBe('live');
    stop();
  });

  it('leaves a retrying EventSource alone (the browser resumes with Last-Event-ID)', () => {
    const { sources, latest, stop } = start();
    sources[0]!.open();
    sources[0]!.drop(false);
    vi.advanceTimersByTime(60_000);
    expect(sources).toHaveLength(1);
    expect(latest().connection).toBe('reconnecting');
    stop();
  });

  it('closes at the end at once, and never reconnects after it', () => {
    const { sources, latest } = start();
    const first = sources[0]!;
    first.open();
    first.send('1-0', line('1-0').event);
    first.send('2-0', end('2-0', 'failed').event);
    expect(latest().end?.status).toBe('failed');
    expect(ids(latest())).toEqual(['1-0']);
    expect(first.closed).toBe(true);
    first.drop(true);
    vi.advanceTimersByTime(60_000);
    expect(sources).toHaveLength(1);
  });

  it('shows what the server said when it stopped the stream', () => {
    const { sources, latest, stop } = start();
    sources[0]!.open();
    sources[0]!.send(undefined, { type: 'error', message: 'Reload the page.' } as unknown as LogEvent);
    expect(latest().notice).toBe('Reload the page.');
    stop();
  });

  it('stop() closes the stream and cancels a pending reconnect', () => {
    const { sources, stop } = start();
    sources[0]!.drop(true);
    stop();
    vi.advanceTimersByTime(60_000);
    expect(sources).toHaveLength(1);
    expect(sources[0]!.closed).toBe(true);
  });
});
