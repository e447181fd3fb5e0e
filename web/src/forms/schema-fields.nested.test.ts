import { Validator, type Schema } from '@cfworker/json-schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PluginDefinition } from '../../../meltano/plugins.js';
import { configSchemaFor } from '../../../meltano/settings-schema.js';
import { fromLocalInput, toLocalInput } from './field-values.js';
import { exampleText } from './json-example.js';
import {
  buildConfig,
  CHOICE_KEY,
  elementIdFor,
  firstErrorField,
  formModel,
  initialValues,
  labelFor,
  layout,
  SERVER_MASK,
  type Field,
  type FormValues,
} from './schema-fields.js';
import { singular } from './schema-node.js';

/**
 * The richer settings of introspected taps, built the way the server builds them
 * (configSchemaFor): a setting's own JSON Schema (`json_schema`), `advanced`, dotted names.
 */
const plugin: Pick<PluginDefinition, 'settings' | 'settings_group_validation' | 'label'> = {
  label: 'Files demo',
  settings_group_validation: [['api_url', 'files']],
  settings: [
    { name: 'api_url', kind: 'string', label: 'API URL', json_schema: { type: ['string', 'null'], format: 'uri' } },
    {
      name: 'files',
      kind: 'array',
      description: 'The files to read.',
      json_schema: {
        type: ['array', 'null'],
        items: {
          type: 'object',
          properties: {
            entity: { type: 'string', description: 'Table name' },
            path: { type: 'string' },
            keys: { type: 'array', items: { type: 'string' } },
            delimiter: { type: 'string', default: ',' },
            skip_rows: { type: ['integer', 'null'], minimum: 0 },
            header: { type: 'boolean', default: true },
            format: { type: 'string', enum: ['csv', 'tsv'] },
          },
          required: ['entity', 'path'],
        },
      },
    },
    {
      name: 'auth',
      kind: 'object',
      sensitive: true,
      json_schema: {
        oneOf: [
          { title: 'API token', type: 'object', properties: { token: { type: 'string', secret: true } }, required: ['token'] },
          { type: 'object', properties: { client_id: { type: 'string' }, client_secret: { type: 'string', writeOnly: true } }, required: ['client_id', 'client_secret'] },
        ],
      },
    },
    { name: 'ssh_tunnel.enable', kind: 'boolean', value: false },
    { name: 'ssh_tunnel.host', kind: 'string' },
    { name: 'ssh_tunnel.port', kind: 'integer', value: 22 },
    { name: 'ssh_tunnel.private_key', kind: 'password', sensitive: true },
    { name: 'start_date', kind: 'string', json_schema: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] } },
    { name: 'streams', kind: 'array', json_schema: { type: 'array', items: { type: 'string', enum: ['users', 'orders'] } } },
    {
      name: 'stream_options',
      kind: 'object',
      advanced: true,
      json_schema: { type: ['object', 'null'], properties: {}, additionalProperties: { type: 'object', properties: { custom_where_clauses: { type: ['array', 'null'], items: { type: 'string' } } } } },
    },
    { name: 'batch_size', kind: 'integer', advanced: true, json_schema: { type: ['integer', 'null'], minimum: 1, maximum: 10000 } },
  ],
};
const schema = configSchemaFor(plugin);
const model = formModel(schema);
const field = (name: string): Field => model.fields.find((f) => f.name === name)!;
const valid = (config: Record<string, unknown>) => new Validator(structuredClone(schema) as Schema, '2020-12', false).validate(config);

// Dates and times are read in the person's zone: one fixed here, so the expected UTC is known.
let zone: string | undefined;
beforeAll(() => {
  zone = process.env.TZ;
  process.env.TZ = 'Europe/Berlin';
});
afterAll(() => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

describe('formModel for a tap’s own schemas', () => {
  it('reads each setting into the input that fits it', () => {
    expect(model.fields.map((f) => [f.name, f.kind])).toEqual([
      ['api_url', 'url'],
      ['files', 'list'],
      ['auth', 'choice'],
      ['ssh_tunnel.enable', 'switch'],
      ['ssh_tunnel.host', 'text'],
      ['ssh_tunnel.port', 'integer'],
      ['ssh_tunnel.private_key', 'secret'],
      ['start_date', 'datetime'],
      ['streams', 'checks'],
      ['stream_options', 'json'],
      ['batch_size', 'integer'],
    ]);
  });

  it('makes a list of objects a repeatable sub-form, its items’ fields read like settings', () => {
    const files = field('files');
    expect(files).toMatchObject({ label: 'Files', itemNoun: 'file', required: true, help: 'The files to read.' });
    expect(files.fields!.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['entity', 'text', true],
      ['path', 'text', true],
      ['keys', 'tags', false],
      ['delimiter', 'text', false],
      ['skip_rows', 'integer', false],
      ['header', 'switch', false],
      ['format', 'select', false],
    ]);
    expect(files.fields![0]).toMatchObject({ label: 'Entity', help: 'Table name', id: 'entity' });
    expect(files.fields![4]).toMatchObject({ hint: 'At least 0.' });
  });

  it('names the alternatives of a choice by their titles, else by their fields', () => {
    const auth = field('auth');
    expect(auth.secret).toBe(true);
    expect(auth.required).toBe(false);
    expect(auth.alternatives!.map((a) => [a.id, a.label, a.fields.map((f) => `${f.name}:${f.kind}`)])).toEqual([
      ['0', 'API token', ['token:secret']],
      ['1', 'Client ID and Client secret', ['client_id:text', 'client_secret:secret']],
    ]);
  });

  it('tells alternatives apart by a fixed value, and sends it with the chosen one', () => {
    const tagged = formModel({
      type: 'object',
      required: ['auth'],
      properties: {
        auth: {
          anyOf: [
            { type: 'object', properties: { kind: { const: 'oauth' }, refresh_token: { type: 'string' } }, required: ['kind', 'refresh_token'] },
            { type: 'object', properties: { kind: { type: 'string', enum: ['basic'] }, user: { type: 'string' } }, required: ['kind', 'user'] },
          ],
        },
      },
    });
    const auth = tagged.fields[0]!;
    expect(auth.alternatives!.map((a) => a.label)).toEqual(['OAuth', 'Basic']);
    const values = initialValues(tagged, { config: { auth: { kind: 'basic', user: 'ana' } } });
    expect((values.auth as FormValues)[CHOICE_KEY]).toBe('1');
    expect(buildConfig(tagged, values, 'create')).toEqual({ auth: { kind: 'basic', user: 'ana' } });
  });

  it('groups dotted settings under their prefix, labelled without it', () => {
    expect(field('ssh_tunnel.host')).toMatchObject({ group: 'ssh_tunnel', label: 'Host', fullLabel: 'SSH tunnel host', id: 'field-ssh_tunnel.host' });
    expect(labelFor(model, 'ssh_tunnel.private_key')).toBe('SSH tunnel private key');
    expect(field('ssh_tunnel.private_key').secret).toBe(true);
  });

  it('shows the optional settings a curated catalog does not mark advanced, folds the rest, and a group where its first setting is', () => {
    const { main, advanced } = layout(model, initialValues(model));
    const names = (blocks: typeof main) => blocks.map((b) => ('field' in b ? b.field.name : `${b.legend}: ${b.fields.map((f) => f.label).join(', ')}${b.folded ? ' (folded)' : ''}`));
    expect(names(main)).toEqual(['api_url', 'files', 'auth', 'SSH tunnel: Enable, Host, Port, Private key (folded)', 'start_date', 'streams']);
    expect(names(advanced)).toEqual(['stream_options', 'batch_size']);
    expect(field('batch_size')).toMatchObject({ advanced: true, hint: 'From 1 to 10000.' });
  });

  it('folds a group of optional settings with the advanced ones when the catalog marks none', () => {
    const legacy = formModel(configSchemaFor({ label: 'x', settings_group_validation: [['host']], settings: [{ name: 'host', kind: 'string' }, { name: 'ssh_tunnel.enable', kind: 'boolean' }, { name: 'ssh_tunnel.host', kind: 'string' }] }));
    const { main, advanced } = layout(legacy, initialValues(legacy));
    expect(main.map((b) => ('field' in b ? b.field.name : b.group))).toEqual(['host']);
    expect(advanced).toMatchObject([{ group: 'ssh_tunnel', legend: 'SSH tunnel' }]);
  });

  it('offers maps and deeper structures as JSON, with an example of their shape', () => {
    expect(field('stream_options').example).toBe('{"name":{"custom_where_clauses":["text"]}}');
    const deep = formModel({ type: 'object', properties: { a: { type: 'array', items: { type: 'object', properties: { b: { type: 'array', items: { type: 'object', properties: { c: { type: 'array', items: { type: 'object', properties: { d: { type: 'string' } } } } } } } } } } } });
    const a = deep.fields[0]!;
    const b = a.fields![0]!;
    expect([a.kind, b.kind, b.fields![0]!.kind]).toEqual(['list', 'list', 'json']); // a list in a list's items, and no deeper
    expect(formModel({ type: 'object', properties: { x: { type: 'array', items: { type: 'array', items: { type: 'integer' } } }, y: { oneOf: [{ type: 'string' }, { type: 'integer' }] } } }).fields.map((f) => [f.kind, f.example])).toEqual([
      ['json', '[[1]]'],
      ['json', '"text"'],
    ]);
    // As the SDK's own settings write them: plain alternatives in words, a bare "null" ignored.
    const faker = formModel({ type: 'object', properties: {
      seed: { oneOf: [{ type: ['number'] }, { type: ['string'] }, { type: ['boolean'] }, { type: 'null' }] },
      locale: { oneOf: [{ type: ['string'] }, { type: 'array', items: { type: ['string'] } }, { type: 'null' }] },
      schema: { anyOf: [{ type: 'string' }, { type: 'null' }, { 'type:': 'object' }, 'null'] },
    } });
    expect(faker.fields.map((f) => [f.kind, f.accepts])).toEqual([
      ['json', 'A number, text or true/false.'],
      ['json', 'Text or a list written as JSON, like ["text"].'],
      ['json', undefined], // an alternative it cannot read: JSON, with an example
    ]);
    expect(buildConfig(faker, { seed: '42', locale: 'en_US', schema: '' }, 'create')).toEqual({ seed: 42, locale: 'en_US' });
    expect(exampleText({ type: 'string', format: 'date-time' })).toBe('"2024-01-31T00:00:00Z"');
  });

  it('makes an object with fields of its own (not flattened) a group, sent as that object once filled in', () => {
    const nested = formModel({ type: 'object', properties: { ssh: { type: ['object', 'null'], properties: { host: { type: 'string' }, port: { type: 'integer', default: 22 }, key: { type: 'string', writeOnly: true } }, required: ['host'] } } });
    const ssh = nested.fields[0]!;
    expect([ssh.kind, ssh.fields!.map((f) => `${f.name}:${f.kind}:${f.required}`)]).toEqual(['group', ['host:text:true', 'port:integer:false', 'key:secret:false']]);
    const values = initialValues(nested);
    expect(values.ssh).toEqual({ host: '', port: '22', key: '' });
    expect(buildConfig(nested, values, 'create')).toEqual({}); // left as it was: not sent
    expect(buildConfig(nested, { ssh: { host: 'b', port: '2222', key: '' } }, 'create')).toEqual({ ssh: { host: 'b', port: 2222 } });
    expect(elementIdFor(nested, 'ssh.host')).toBe('field-ssh-host');
  });

  it('calls one item of a list by the singular of its name', () => {
    expect(['Files', 'Repositories', 'SSH keys', 'Addresses', 'Status', 'Stream config', 'Insight reports list'].map(singular)).toEqual(['file', 'repository', 'SSH key', 'address', 'status item', 'stream config item', 'insight report']);
  });
});

describe('values and the config sent', () => {
  const start = initialValues(model);
  const item = (values: Partial<Record<string, unknown>>) => ({ entity: '', path: '', keys: [], delimiter: ',', skip_rows: '', header: true, format: '', ...values }) as FormValues;

  it('starts a list empty and an optional choice on “Not set”', () => {
    expect(start.files).toEqual([]);
    expect(start.auth).toEqual({ [CHOICE_KEY]: '', 0: { token: '' }, 1: { client_id: '', client_secret: '' } });
    expect(start['ssh_tunnel.port']).toBe('22');
    expect(start.streams).toEqual([]);
  });

  it('sends a list as its item objects: empty strings dropped, numbers parsed, an untouched item left out', () => {
    const values = { ...start, api_url: 'https://api.example.com', files: [item({ entity: 'orders', path: ' /data/orders.csv ', keys: ['id'], skip_rows: '2' }), item({}), item({ entity: 'users', path: 'users.tsv', header: false, format: 'tsv' })] };
    const config = buildConfig(model, values, 'create');
    expect(config.files).toEqual([
      { entity: 'orders', path: '/data/orders.csv', keys: ['id'], delimiter: ',', skip_rows: 2, header: true },
      { entity: 'users', path: 'users.tsv', delimiter: ',', header: false, format: 'tsv' },
    ]);
    expect(valid(config).valid).toBe(true);
  });

  it('sends the chosen alternative as its object, and nothing while it is not set or left empty', () => {
    const auth = (choice: string, alternative: FormValues) => ({ ...start, auth: { ...(start.auth as FormValues), [CHOICE_KEY]: choice, [choice]: alternative } });
    expect(buildConfig(model, auth('1', { client_id: 'id', client_secret: ' s ' }), 'create').auth).toEqual({ client_id: 'id', client_secret: ' s ' });
    expect(buildConfig(model, auth('0', { token: '' }), 'create')).not.toHaveProperty('auth');
    expect(buildConfig(model, start, 'create')).not.toHaveProperty('auth');
  });

  it('sends dotted settings under their own names, ticked choices in order, and JSON parsed', () => {
    const config = buildConfig(model, { ...start, api_url: 'https://x.test', files: [item({ entity: 'e', path: 'p' })], 'ssh_tunnel.enable': true, 'ssh_tunnel.host': 'bastion', 'ssh_tunnel.private_key': 'KEY', streams: ['orders', 'users'], stream_options: '{"orders": {"custom_where_clauses": ["id > 1"]}}' }, 'create');
    expect(config).toMatchObject({ 'ssh_tunnel.enable': true, 'ssh_tunnel.host': 'bastion', 'ssh_tunnel.port': 22, 'ssh_tunnel.private_key': 'KEY', streams: ['orders', 'users'], stream_options: { orders: { custom_where_clauses: ['id > 1'] } } });
    expect(valid(config).valid).toBe(true);
  });

  it('sends a date and time as ISO 8601 in UTC, and shows a stored one in the person’s time', () => {
    expect(buildConfig(model, { ...start, start_date: '2024-01-31T10:00' }, 'create').start_date).toBe('2024-01-31T09:00:00Z');
    expect(buildConfig(model, { ...start, start_date: '2024-07-01T10:00:30' }, 'create').start_date).toBe('2024-07-01T08:00:30Z'); // summer time
    expect(initialValues(model, { config: { start_date: '2024-01-31T09:00:00Z' } }).start_date).toBe('2024-01-31T10:00');
    expect(toLocalInput('2024-01-31')).toBe('2024-01-31T01:00'); // a date alone is midnight UTC
    expect(toLocalInput('not a date')).toBe('not a date');
    expect(fromLocalInput('31/01/2024')).toBe('31/01/2024'); // sent as typed: validation names it
    expect(valid({ api_url: 'https://x', files: [{ entity: 'a', path: 'b' }], start_date: fromLocalInput('2024-01-31T10:00') }).valid).toBe(true);
  });

  it('shows a stored list and choice when editing, and keeps a stored secret setting left empty', () => {
    const config = { api_url: 'https://x', files: [{ entity: 'orders', path: 'o.csv', skip_rows: 1 }], auth: SERVER_MASK, 'ssh_tunnel.private_key': SERVER_MASK, streams: ['users'] };
    const secretsStored = ['auth', 'ssh_tunnel.private_key'];
    const values = initialValues(model, { config, secretsStored });
    expect(values.files).toEqual([item({ entity: 'orders', path: 'o.csv', skip_rows: '1' })]);
    expect((values.auth as FormValues)[CHOICE_KEY]).toBe(''); // a secret is never shown: "Keep the saved one"
    expect((initialValues(model, { config, secretsStored: [] }).auth as FormValues)[CHOICE_KEY]).toBe(''); // optional: "Not set"
    expect(values['ssh_tunnel.private_key']).toBe('');
    const sent = buildConfig(model, values, 'edit');
    expect(sent).not.toHaveProperty('auth');
    expect(sent).not.toHaveProperty('ssh_tunnel.private_key');
    expect(sent).toMatchObject({ files: [{ entity: 'orders', path: 'o.csv', delimiter: ',', skip_rows: 1, header: true }], streams: ['users'], start_date: null, 'ssh_tunnel.host': null });
    // Filling the secret choice in replaces it whole.
    const replaced = buildConfig(model, { ...values, auth: { ...(values.auth as FormValues), [CHOICE_KEY]: '0', 0: { token: 'new' } } }, 'edit');
    expect(replaced.auth).toEqual({ token: 'new' });
  });

  it('keeps a saved secret list or JSON left empty, and replaces it whole when filled in', () => {
    const secret = formModel(configSchemaFor({ label: 'x', settings_group_validation: [], settings: [
      { name: 'accounts', kind: 'array', sensitive: true, json_schema: { type: 'array', items: { type: 'object', properties: { user: { type: 'string' }, password: { type: 'string', secret: true } }, required: ['user'] } } },
      { name: 'extras', kind: 'object', sensitive: true },
    ] }));
    const values = initialValues(secret, { config: { accounts: SERVER_MASK, extras: SERVER_MASK }, secretsStored: ['accounts', 'extras'] });
    expect(values).toEqual({ accounts: [], extras: '' });
    expect(buildConfig(secret, values, 'edit')).toEqual({});
    expect(buildConfig(secret, { accounts: [{ user: 'ana', password: 'pw' }], extras: SERVER_MASK }, 'edit')).toEqual({ accounts: [{ user: 'ana', password: 'pw' }] });
    expect(secret.fields[0]!.fields![1]!.kind).toBe('secret'); // typed masked, like any password
  });

  it('finds the alternative a stored object was made with', () => {
    // Not secret here: a secret is never shown, so never matched.
    const { writeOnly: _w, 'x-secret': _s, ...auth } = (schema.properties as Record<string, Record<string, unknown>>).auth!;
    const values = initialValues(formModel({ type: 'object', properties: { auth } }), { config: { auth: { client_id: 'a', client_secret: 'b' } } });
    expect(values.auth).toMatchObject({ [CHOICE_KEY]: '1', 1: { client_id: 'a', client_secret: 'b' } });
  });
});

describe('messages inside a setting', () => {
  it('points at the input a path names, and focuses it first', () => {
    expect(elementIdFor(model, 'files.1.path')).toBe('field-files-1-path');
    expect(elementIdFor(model, 'auth.token')).toBe('field-auth-token');
    expect(elementIdFor(model, 'ssh_tunnel.host')).toBe('field-ssh_tunnel.host');
    expect(elementIdFor(model, 'unknown')).toBeUndefined();
    const values = initialValues(model);
    expect(firstErrorField(model, values, { 'files.0.entity': 'x', batch_size: 'y' })).toBe('files.0.entity');
    expect(firstErrorField(model, values, { 'ssh_tunnel.host': 'x', start_date: 'y' })).toBe('ssh_tunnel.host');
  });
});
