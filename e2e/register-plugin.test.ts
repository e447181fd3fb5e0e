import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@clickhouse/client';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tenants from '../core/tenants/service.js';
import { SDK_PLUMBING } from '../meltano/about-settings.js';
import { meltanoFile, projectRoot } from '../meltano/project.js';
import { dbfFile, type DbfField, type DbfRow } from './dbf-file.js';
import { startStack, waitForRun, type Stack } from './stack.js';

// A data engineer's path: a Singer SDK tap that is not in the catalog (tap-dbf, from PyPI) is
// registered through the API, its catalog entry is what the tap itself says, and a workspace
// syncs files of ours through it into ClickHouse — the plugin installed on first use.
describe('registering a tap from PyPI and syncing through it', () => {
  const name = `tap-dbf-${randomBytes(3).toString('hex')}`;
  let stack: Stack;
  let dir: string;
  let platform: string;
  const cleanup: Array<[string, string]> = [];
  const fields: DbfField[] = [
    { name: 'ID', type: 'N', length: 10 },
    { name: 'NAME', type: 'C', length: 30 },
    { name: 'BALANCE', type: 'N', length: 14, decimals: 2 },
    { name: 'JOINED', type: 'D', length: 8 },
    { name: 'ACTIVE', type: 'L', length: 1 },
  ];
  const rows: DbfRow[] = [
    { values: [1, 'Zoë Müller', 1234.5, '2024-02-29', true] },
    { deleted: true, values: [2, 'deleted in the file', 0, '2020-01-01', false] },
    { values: [3, null, -0.01, null, null] },
    { values: [4, '  padded  ', 99999999999.99, '1900-01-01', false] },
    ...Array.from({ length: 500 }, (_, i): DbfRow => ({ values: [100 + i, `row ${i}`, i * 1.25, `2023-${String((i % 12) + 1).padStart(2, '0')}-15`, i % 2 === 0] })),
  ];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sluice-register-'));
    await copyFile(meltanoFile, path.join(dir, 'meltano.yml'));
    stack = await startStack({ workers: 1, env: { SLUICE_MELTANO_FILE: path.join(dir, 'meltano.yml') } });
    platform = (await tenants.createToken(stack.db, stack.tenant.id, 'ops', 'owner', undefined, { platformAdmin: true })).token;
    const folder = path.join(stack.env.SLUICE_FILES_DIR, stack.tenant.slug, 'ledger');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'customers.dbf'), dbfFile(fields, rows));
  });
  afterAll(async () => {
    // The catalog is shared by every workspace (and every test): leave it as it was.
    for (const [route, id] of cleanup.reverse()) await stack?.api('DELETE', `${route}/${id}`);
    await stack?.apiAs(platform)('DELETE', `/catalog/${name}`);
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(path.join(stack.env.SLUICE_FILES_DIR, stack.tenant.slug), { recursive: true, force: true });
    await rm(path.join(projectRoot, '.meltano', 'extractors', name), { recursive: true, force: true });
  });

  it('registers it, shows what --about reports, and syncs every row into ClickHouse', async () => {
    const registered = await stack.apiAs(platform)<{ plugin: { pip_url: string }; warnings: string[] }>('POST', '/catalog', {
      name, pip_url: 'tap-dbf==0.1.25', label: 'dBase files', category: 'file', description: 'Tables from dBase (.dbf) files.',
      file_settings: ['path'], hidden_settings: ['fs_root'],
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);

    const connector = await stack.api<{ id: string }>('POST', '/connectors', { name: 'ledger', plugin: name, config: { path: 'ledger/*.dbf' } });
    expect(connector.status, JSON.stringify(connector.body)).toBe(201);
    cleanup.push(['/connectors', connector.body.id]);
    const test = await stack.api<{ run_id: string }>('POST', `/connectors/${connector.body.id}/test`);
    const tested = await waitForRun(stack, test.body.run_id, 300_000);
    expect(tested.status, JSON.stringify(tested)).toBe('succeeded');

    // Installed on first use: the catalog entry is what the installed program says about itself.
    const program = path.join(projectRoot, '.meltano', 'extractors', name, 'venv', 'bin', 'tap-dbf');
    const about = JSON.parse((await execa(program, ['--about', '--format=json'])).stdout);
    const shown = (await stack.api<{ capabilities: string[]; config_schema: { properties: Record<string, Record<string, unknown>>; required: string[] } }>('GET', `/catalog/${name}`)).body;
    expect(shown.capabilities).toEqual(about.capabilities);
    const reported = Object.entries(about.settings.properties as Record<string, { properties?: object; description?: string }>).flatMap(([key, p]) =>
      SDK_PLUMBING.has(key) || key === 'fs_root' ? [] : p.properties ? Object.keys(p.properties).map((k) => `${key}.${k}`) : [key]);
    expect(Object.keys(shown.config_schema.properties).sort()).toEqual(reported.sort());
    expect(shown.config_schema.properties.path).toMatchObject({ description: about.settings.properties.path.description, 'x-kind': 'file' });
    expect(shown.config_schema.required).toEqual(about.settings.required);

    const discover = await stack.api<{ run_id: string }>('POST', `/connectors/${connector.body.id}/discover`);
    expect((await waitForRun(stack, discover.body.run_id)).status).toBe('succeeded');
    const pipeline = await stack.api<{ id: string; destination: { database: string } }>('POST', '/pipelines', { name: 'ledger', source_connector_id: connector.body.id, streams: [{ stream: 'customers' }] });
    expect(pipeline.status, JSON.stringify(pipeline.body)).toBe(201);
    cleanup.push(['/pipelines', pipeline.body.id]);
    const started = await stack.api<{ run_id: string }>('POST', `/pipelines/${pipeline.body.id}/runs`);
    const run = await waitForRun(stack, started.body.run_id, 300_000);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');

    const clickhouse = createClient({ url: stack.env.CLICKHOUSE_URL, username: stack.env.CLICKHOUSE_USER, password: stack.env.CLICKHOUSE_PASSWORD });
    const loaded = await (await clickhouse.query({
      query: `SELECT ID, NAME, BALANCE, toString(JOINED) AS JOINED, ACTIVE FROM \`${pipeline.body.destination.database}\`.customers ORDER BY ID`,
      format: 'JSONEachRow',
    })).json<Record<string, unknown>>();
    const rejected = await (await clickhouse.query({
      query: `SELECT column, value FROM \`${pipeline.body.destination.database}\`._sluice_rejects WHERE stream = 'customers' ORDER BY _sdc_sequence`,
      format: 'JSONEachRow',
    })).json<{ column: string; value: string }>();
    await clickhouse.close();
    // What a dBase file holds: deleted records are gone, text has no NULL (blank is empty) and
    // loses trailing spaces, a blank date or flag is NULL, dates are days.
    const expected = rows.filter((r) => !r.deleted).map(({ values: [id, text, balance, joined, active] }) => ({
      ID: String(id),
      NAME: text === null ? '' : String(text).trimEnd(),
      BALANCE: Number(balance),
      JOINED: joined === null ? null : `${joined} 00:00:00`,
      ACTIVE: active === null ? null : active ? 1 : 0,
    }));
    const got = loaded.map((r) => ({ ...r, ID: String(r.ID), BALANCE: Number(r.BALANCE), JOINED: r.JOINED as string | null, ACTIVE: r.ACTIVE === null ? null : Number(r.ACTIVE) }));
    // A date this ClickHouse cannot hold (before 1970 on 18.16) is never changed silently: the
    // row has NULL and the source text (as JSON) is in _sluice_rejects; every other value is exact.
    const notStored = expected.filter((e, i) => e.JOINED !== null && got[i]?.JOINED === null).map((e) => e.JOINED!.slice(0, 10));
    expect(rejected.filter((r) => r.column === 'JOINED').map((r) => (JSON.parse(r.value) as string).slice(0, 10)).sort()).toEqual(notStored.sort());
    expect(rejected.filter((r) => r.column !== 'JOINED')).toEqual([]);
    expect(got).toEqual(expected.map((e) => (e.JOINED && notStored.includes(e.JOINED.slice(0, 10)) ? { ...e, JOINED: null } : e)));
    expect(notStored.length).toBeLessThanOrEqual(1);
    expect(await readFile(path.join(dir, 'meltano.yml'), 'utf8')).toContain(`- name: ${name}`);
  });
});
