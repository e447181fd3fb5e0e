import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { progressLine, startProgress } from './progress.js';

describe('load progress lines', () => {
  it('has the format the worker parses', () => {
    expect(progressLine('public-orders', 120000, 40123.456)).toBe(
      'METRIC: {"type":"summary","metric":"load_progress","value":{"stream":"public-orders","rows":120000,"rows_per_second":40123.5},"tags":{"stream":"public-orders"}}',
    );
  });

  it('reports each stream only when it committed rows since its last line', async () => {
    const lines: string[] = [];
    const streams = [{ name: 'a', inserted: 0 }, { name: 'b', inserted: 0 }];
    const progress = startProgress(20, (l) => lines.push(l), () => streams);
    progress.started('a');
    progress.started('b');
    streams[0]!.inserted = 100;
    await sleep(70);
    progress.report();
    const rows = lines.map((l) => JSON.parse(l.slice('METRIC: '.length)) as { value: { stream: string; rows: number } });
    expect(rows.map((r) => [r.value.stream, r.value.rows])).toEqual([['a', 100]]);
    streams[1]!.inserted = 5;
    progress.report('a');
    expect(lines).toHaveLength(1);
    progress.report('b');
    expect(lines.at(-1)).toContain('"stream":"b","rows":5');
    progress.stop();
    streams[0]!.inserted = 200;
    await sleep(50);
    expect(lines).toHaveLength(2);
  });
});
