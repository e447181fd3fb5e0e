import { chmod, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableName } from '../meltano/target-clickhouse/identifiers.js';
import { startStack, waitForRun, type Stack } from './stack.js';

type StreamView = { stream: string; properties: Record<string, unknown>; key_properties: string[]; sync_modes: Array<{ sync_mode: string }>; default: { sync_mode: string; replication_key?: string } };
type RunView = { id: string; status: string; error?: string | null; rows_loaded?: number | null; lossy_values?: number | null };
type Cell = string | undefined;

/** CSV text as spreadsheets write it: every field quoted when it needs to be, doubled quotes inside. */
const csvLine = (cells: Cell[]) => cells.map((c) => (c === undefined ? '' : /[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
const csvText = (rows: Cell[][], eol: string) => rows.map((cells) => csvLine(cells)).join(eol) + eol;

// People: a header with spaces, punctuation, accents and a name in Japanese; cells with commas,
// quotes, line breaks, emoji; empty cells beside cells the row does not have at all.
const PEOPLE_HEADER = ['id', 'Full Name', 'Unit Price (€)', 'Notes, quoted', 'Prénom', '日本'];
/** What tap-spreadsheets names these columns: lower case ASCII, runs of anything else as _, col_<n> when nothing is left. */
const PEOPLE_COLUMNS = ['id', 'full_name', 'unit_price', 'notes_quoted', 'prenom', 'col_5'];
const PEOPLE_ROWS = 400;
function peopleRows(): Cell[][] {
  const rows: Cell[][] = [];
  for (let i = 1; i <= PEOPLE_ROWS; i += 1) {
    rows.push([String(i), `Zoë ${i} 🚀`, (i * 1.25).toFixed(2), i % 3 === 0 ? `a, b "quoted" ${i}` : `line one\nline two ${i}`, i % 5 === 0 ? '' : 'Renée', `日本 ${i}`]);
  }
  rows.push(['401', 'Short row', '1']); // the rest missing: NULL, not empty
  rows.push(['402', '', '', '', '', '']); // all empty: empty text
  rows.push(['403', '  spaces kept  ', '0012.500', '=1+1', '\\N', 'NULL']); // text stays text: no number, formula or NULL guessing
  rows.push(['404', 'O\'Brien', '-0', 'tab\there', 'ÿ e\u0301', '👩‍👩‍👧']);
  return rows;
}

// Sales: one table from several files (a glob), keyed by order id.
const SALES_HEADER = ['Order ID', 'Customer', 'Amount', 'Sold At'];
const SALES_COLUMNS = ['order_id', 'customer', 'amount', 'sold_at'];
const salesFile = (month: number, from: number, count: number, note = '') =>
  Array.from({ length: count }, (_, k): Cell[] => [String(from + k), `customer ${(from + k) % 17}${note}`, ((from + k) * 3.5).toFixed(2), `2024-${String(month).padStart(2, '0')}-${String((k % 28) + 1).padStart(2, '0')}T10:00:00Z`]);

// Files on a server, through a PyPI CSV tap (tap-spreadsheets), end to end: files written into
// the tenant's files folder, synced through the API by the real worker into ClickHouse and
// compared cell by cell; then a file changes and one is added, and the next sync reads only those.
describe('CSV files through tap-csv', () => {
  let stack: Stack;
  let clickhouse: ClickHouseClient;
  let filesDir: string;
  let folder: string;
  let connectorId: string;
  const T0 = new Date('2024-06-01T00:00:00Z');

  const write = async (relative: string, text: string, mtime: Date) => {
    const file = path.join(folder, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
    // The tap reads a file again only when its modification time is past its bookmark (whole seconds).
    await utimes(file, mtime, mtime);
  };
  const sync = async (pipelineId: string) => {
    const started = await stack.api<{ run_id: string }>('POST', `/pipelines/${pipelineId}/runs`);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const run = (await waitForRun(stack, started.body.run_id, 180_000)) as unknown as RunView;
    expect(run.status, String(run.error)).toBe('succeeded');
    return run;
  };
  const loaded = async (database: string, stream: string, columns: string[], key: string) =>
    (
      await (
        await clickhouse.query({ query: `SELECT ${columns.map((c) => `\`${c}\``).join(', ')} FROM \`${database}\`.\`${tableName('', stream)}\` FINAL ORDER BY toInt64(\`${key}\`)`, format: 'JSONEachRow' })
      ).json<Record<string, string | null>>()
    ).map((row) => columns.map((c) => row[c] ?? null));
  /** The rows as the test wrote them, cell by cell as the tap reads them (see the notes on each loss). */
  const expected = (rows: Cell[][], width: number) =>
    rows
      .filter((cells) => cells[0] !== '' && cells[0] !== undefined) // a row without a key is not read (drop_empty)
      .map((cells) => Array.from({ length: width }, (_, i) => (cells[i] === undefined ? null : cells[i]!.replace(/\r\n/g, '\n'))))
      .sort((a, b) => Number(a[0]) - Number(b[0]));

  beforeAll(async () => {
    filesDir = await mkdtemp(path.join(tmpdir(), 'sluice-files-'));
    // Plugins run under user ids of their own: the files folder must be open to them (mkdtemp makes it 0700).
    await chmod(filesDir, 0o755);
    stack = await startStack({ workers: 1, env: { SLUICE_FILES_DIR: filesDir } });
    folder = path.join(filesDir, stack.tenant.slug);
    clickhouse = createClient({ url: stack.env.CLICKHOUSE_URL, username: stack.env.CLICKHOUSE_USER, password: stack.env.CLICKHOUSE_PASSWORD });
    // People: Excel's habits (a byte order mark, CRLF line ends, one cell with a CRLF inside), plus a
    // row without an id and one with a cell past the header.
    const people = peopleRows();
    const withCrlfCell = people.map((cells, i) => (i === 1 ? [cells[0], cells[1], cells[2], 'crlf\r\ninside', cells[4], cells[5]] : cells));
    await write('people.csv', `\uFEFF${csvText([PEOPLE_HEADER, ...withCrlfCell, ['', 'no id'], ['405', 'extra', '1', '', '', '', 'past the header']], '\r\n')}`, T0);
    await write('sales/2024-01.csv', csvText([SALES_HEADER, ...salesFile(1, 1, 150)], '\n'), T0);
    await write('sales/2024-02.csv', csvText([SALES_HEADER, ...salesFile(2, 151, 150)], '\n'), T0);
    const created = await stack.api<{ id: string }>('POST', '/connectors', {
      name: 'shared drive',
      plugin: 'tap-csv',
      config: {
        files: [
          { path: 'people.csv', format: 'csv', table_name: 'people', primary_keys: ['id'], delimiter: ',', quote_char: '"' },
          { path: 'sales/*.csv', format: 'csv', table_name: 'sales', primary_keys: ['order_id'], delimiter: ',', quote_char: '"' },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    connectorId = created.body.id;
  });
  afterAll(async () => {
    if (clickhouse && stack) {
      await clickhouse.command({ query: `DROP DATABASE IF EXISTS sluice_${stack.tenant.slug.replace(/-/g, '_')}__files` }).catch(() => undefined);
      await clickhouse.close();
    }
    await stack?.stop();
    if (filesDir) await rm(filesDir, { recursive: true, force: true });
  });

  it('discovers one stream per entry, keyed, read by file modification time', async () => {
    const tested = await stack.api<{ run_id: string }>('POST', `/connectors/${connectorId}/test`);
    const test = (await waitForRun(stack, tested.body.run_id)) as unknown as RunView;
    expect(test.status, String(test.error)).toBe('succeeded');
    const streams = await stack.api<{ data: StreamView[] }>('GET', `/connectors/${connectorId}/streams`);
    expect(streams.body.data.map((s) => s.stream).sort()).toEqual(['people', 'sales']);
    const people = streams.body.data.find((s) => s.stream === 'people')!;
    expect(Object.keys(people.properties).sort()).toEqual([...PEOPLE_COLUMNS, '_sdc_last_modified', '_sdc_filename', '_sdc_stream', '_sdc_worksheet'].sort());
    // Every cell is text: the tap guesses types from strings, and CSV has nothing else.
    for (const column of PEOPLE_COLUMNS) expect(people.properties[column], column).toEqual({ type: ['string', 'null'] });
    expect(people.key_properties).toEqual(['id']);
    // The tap reads files incrementally, by their modification time.
    expect(people.sync_modes.map((m) => m.sync_mode)).toEqual(['incremental_append', 'incremental_deduped']);
    expect(people.default).toEqual({ sync_mode: 'incremental_deduped', replication_key: '_sdc_last_modified' });
  });

  it('loads every cell as written, then only the files that changed', async () => {
    const database = `sluice_${stack.tenant.slug.replace(/-/g, '_')}__files`;
    const pipeline = await stack.api<{ id: string }>('POST', '/pipelines', {
      name: 'files',
      source_connector_id: connectorId,
      destination_database: database,
      streams: [
        { stream: 'people', sync_mode: 'incremental_deduped', replication_key: '_sdc_last_modified' },
        { stream: 'sales', sync_mode: 'incremental_deduped', replication_key: '_sdc_last_modified' },
      ],
    });
    expect(pipeline.status, JSON.stringify(pipeline.body)).toBe(201);

    const first = await sync(pipeline.body.id);
    // 404 people (the row without an id is not read) and 300 sales.
    expect(first.rows_loaded).toBe(PEOPLE_ROWS + 4 + 1 + 300);
    expect(first.lossy_values ?? 0).toBe(0);
    const people = await loaded(database, 'people', PEOPLE_COLUMNS, 'id');
    // What tap-spreadsheets does not keep, each asserted here:
    // - a CRLF inside a quoted cell arrives as LF (the file is read with universal newlines);
    // - a cell past the header's last column is not read (row 405 keeps its first six cells);
    // - a row whose key cell is empty is left out (its drop_empty default).
    const peopleSource = peopleRows();
    peopleSource[1] = [peopleSource[1]![0], peopleSource[1]![1], peopleSource[1]![2], 'crlf\r\ninside', peopleSource[1]![4], peopleSource[1]![5]];
    expect(people).toEqual(expected([...peopleSource, ['', 'no id'], ['405', 'extra', '1', '', '', '']], PEOPLE_COLUMNS.length));
    expect(people.find((row) => row[0] === '2')?.[3]).toBe('crlf\ninside');
    expect(await loaded(database, 'sales', SALES_COLUMNS, 'order_id')).toEqual(expected([...salesFile(1, 1, 150), ...salesFile(2, 151, 150)], SALES_COLUMNS.length));

    // February's file is corrected (every row changed, 10 more), March arrives; people.csv and January stay as they were.
    const later = new Date(T0.getTime() + 3600_000);
    await write('sales/2024-02.csv', csvText([SALES_HEADER, ...salesFile(2, 151, 160, ' (fixed)')], '\n'), later);
    await write('sales/2024-03.csv', csvText([SALES_HEADER, ...salesFile(3, 311, 50)], '\n'), later);
    const second = await sync(pipeline.body.id);
    expect(second.rows_loaded).toBe(160 + 50);
    expect(await loaded(database, 'sales', SALES_COLUMNS, 'order_id')).toEqual(expected([...salesFile(1, 1, 150), ...salesFile(2, 151, 160, ' (fixed)'), ...salesFile(3, 311, 50)], SALES_COLUMNS.length));
    expect(await loaded(database, 'people', PEOPLE_COLUMNS, 'id')).toEqual(people);
  });
});
