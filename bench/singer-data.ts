import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * Deterministic Singer streams for the loader benchmark: a narrow shape (10 columns: ints,
 * floats, strings, a timestamp, a nullable; ~200 bytes a record) and a wide one (100
 * columns). The same rows are also written as plain JSONEachRow, what ClickHouse parses
 * when data is POSTed to it directly.
 */
export type Shape = 'narrow' | 'wide';

const CITIES = ['Lisbon', 'Osaka', 'Zürich', 'Nairobi', 'Montréal', 'Hanoi', 'Quito', 'Tromsø'];

function* narrowRecords(n: number) {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let id = 1; id <= n; id += 1) {
    yield {
      id,
      account_id: Math.floor(rand() * 100_000),
      quantity: Math.floor(rand() * 20),
      amount: Math.round(rand() * 1e6) / 100,
      score: rand(),
      name: `customer ${id.toString(36)}`,
      email: `user${id}@example.com`,
      city: CITIES[id % CITIES.length],
      created_at: new Date(1_700_000_000_000 + id * 1000).toISOString(),
      note: id % 3 === 0 ? null : `note ${id % 97}`,
    };
  }
}

function* wideRecords(n: number) {
  for (let id = 1; id <= n; id += 1) {
    const record: Record<string, unknown> = { id };
    for (let c = 0; c < 33; c += 1) record[`i${c}`] = (id * (c + 1)) % 1_000_003;
    for (let c = 0; c < 33; c += 1) record[`f${c}`] = ((id * (c + 7)) % 10_007) / 7;
    for (let c = 0; c < 33; c += 1) record[`s${c}`] = `v${(id + c) % 977}`;
    yield record;
  }
}

export function schemaOf(shape: Shape): { properties: Record<string, unknown> } {
  if (shape === 'narrow') {
    return {
      properties: {
        id: { type: 'integer' },
        account_id: { type: ['integer', 'null'] },
        quantity: { type: ['integer', 'null'] },
        amount: { type: ['number', 'null'] },
        score: { type: ['number', 'null'] },
        name: { type: ['string', 'null'] },
        email: { type: ['string', 'null'] },
        city: { type: ['string', 'null'] },
        created_at: { type: ['string', 'null'], format: 'date-time' },
        note: { type: ['string', 'null'] },
      },
    };
  }
  const properties: Record<string, unknown> = { id: { type: 'integer' } };
  for (let c = 0; c < 33; c += 1) properties[`i${c}`] = { type: ['integer', 'null'] };
  for (let c = 0; c < 33; c += 1) properties[`f${c}`] = { type: ['number', 'null'] };
  for (let c = 0; c < 33; c += 1) properties[`s${c}`] = { type: ['string', 'null'] };
  return { properties };
}

async function writeLines(path: string, lines: Iterable<string>) {
  const out = createWriteStream(path);
  let chunk = '';
  for (const line of lines) {
    chunk += `${line}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

/** Writes `<dir>/<shape>-<n>.singer` and `.jsonl`; returns their paths. */
export async function generate(dir: string, shape: Shape, n: number, stream = shape) {
  const records = () => (shape === 'narrow' ? narrowRecords(n) : wideRecords(n));
  const singer = `${dir}/${shape}-${n}.singer`;
  const jsonl = `${dir}/${shape}-${n}.jsonl`;
  const extracted = '2026-11-21T00:00:00.000000+00:00';
  await writeLines(
    singer,
    (function* () {
      yield JSON.stringify({ type: 'SCHEMA', stream, schema: schemaOf(shape), key_properties: ['id'] });
      let i = 0;
      for (const record of records()) {
        yield JSON.stringify({ type: 'RECORD', stream, record, time_extracted: extracted });
        if (++i % 100_000 === 0) yield JSON.stringify({ type: 'STATE', value: { bookmarks: { [stream]: { id: i } } } });
      }
      yield JSON.stringify({ type: 'STATE', value: { bookmarks: { [stream]: { id: n } } } });
    })(),
  );
  await writeLines(jsonl, (function* () {
    for (const record of records()) yield JSON.stringify(record);
  })());
  return { singer, jsonl };
}
