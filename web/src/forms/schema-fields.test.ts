import { describe, expect, it } from 'vitest';
import { readPluginDefinitions } from '../../../meltano/plugins.js';
import { configSchemaFor } from '../../../meltano/settings-schema.js';
import {
  buildConfig,
  chosenWay,
  firstErrorField,
  formModel,
  initialValues,
  SERVER_MASK,
  shownFields,
  storedSecretNames,
  WAY_KEY,
  type ConfigSchema,
  type Field,
} from './schema-fields.js';
import { humanise, listOf } from './words.js';

// The real catalog: the schemas the API sends, built the way the server builds them.
const plugins = await readPluginDefinitions();
const schemaOf = (name: string) => configSchemaFor(plugins.find((p) => p.name === name)!);
const postgres = schemaOf('tap-postgres');
const salesforce = schemaOf('tap-salesforce');
const field = (schema: ConfigSchema, name: string): Field => formModel(schema).fields.find((f) => f.name === name)!;

describe('formModel', () => {
  it('turns the PostgreSQL settings into labelled fields with the right inputs', () => {
    const model = formModel(postgres);
    // The settings of the ways to connect first, in the ways' order; then every other setting the tap reports, folded away.
    expect(model.fields.slice(0, 6).map((f) => [f.name, f.kind])).toEqual([
      ['host', 'text'],
      ['port', 'integer'],
      ['user', 'text'],
      ['password', 'secret'],
      ['database', 'text'],
      ['sqlalchemy_url', 'secret'],
    ]);
    expect(Object.fromEntries(model.fields.slice(6).map((f) => [f.name, f.kind]))).toMatchObject({
      filter_schemas: 'tags', json_as_object: 'switch', dates_as_string: 'switch', stream_options: 'json', 'ssh_tunnel.host': 'text', 'ssh_tunnel.port': 'integer', 'ssh_tunnel.private_key': 'secret', ssl_client_private_key: 'secret',
    });
    expect(model.fields.slice(6).every((f) => f.advanced && !f.required)).toBe(true);
    expect(field(postgres, 'host')).toMatchObject({ id: 'field-host', label: 'Host', placeholder: 'db.example.com', help: 'Hostname or IP address of the PostgreSQL server.', required: true, advanced: false, ways: ['0'] });
    expect(field(postgres, 'port')).toMatchObject({ type: 'integer', default: 5432, required: true });
    expect(field(postgres, 'password')).toMatchObject({ secret: true, required: true });
    expect(field(postgres, 'filter_schemas')).toMatchObject({ label: 'Schemas', required: false, advanced: true, ways: [] });
    expect(field(postgres, 'json_as_object')).toMatchObject({ advanced: true, default: false });
  });

  it('puts the required settings first in the order their lists give, whatever order the properties come in', () => {
    // As the catalog's jsonb column gives the schema back: keys sorted by length.
    const properties = postgres.properties as Record<string, unknown>;
    const byLength = Object.keys(properties).sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
    const stored = { ...postgres, properties: Object.fromEntries(byLength.map((k) => [k, properties[k]])) };
    expect(formModel(stored).fields.map((f) => f.name).slice(0, 6)).toEqual(['host', 'port', 'user', 'password', 'database', 'sqlalchemy_url']);
    const salesforceStored = { ...salesforce, properties: Object.fromEntries(Object.entries(salesforce.properties as Record<string, unknown>).reverse()) };
    expect(formModel(salesforceStored).fields.filter((f) => f.required).map((f) => f.name)).toEqual(formModel(salesforce).fields.filter((f) => f.required).map((f) => f.name));
  });

  it('makes the anyOf of required groups into ways to connect, labelled by their fields', () => {
    expect(formModel(postgres).ways).toEqual([
      { id: '0', label: 'Host, Port, User, Password and Database', fields: ['host', 'port', 'user', 'password', 'database'] },
      { id: '1', label: 'Connection URL', fields: ['sqlalchemy_url'] },
    ]);
  });

  it('treats a single required group as required fields, with one way and nothing to choose', () => {
    const jsonl = schemaOf('tap-jsonl');
    const model = formModel(jsonl);
    expect(model.ways).toEqual([]);
    expect(model.fields.filter((f) => f.required).map((f) => f.name)).toEqual(['path', 'stream_name']);
    expect(field(jsonl, 'path').kind).toBe('text'); // x-kind: file is a path typed as text
    expect(field(jsonl, 'primary_keys')).toMatchObject({ kind: 'tags', advanced: true });
  });

  it('labels the options of a choice and knows dates', () => {
    expect(field(salesforce, 'api_type')).toMatchObject({ kind: 'select', default: 'REST', options: [{ value: 'REST', label: 'REST' }, { value: 'BULK', label: 'Bulk' }] });
    expect(field(salesforce, 'start_date')).toMatchObject({ kind: 'date', required: true });
    expect(field(salesforce, 'client_secret').kind).toBe('secret');
  });

  it('falls back to a text input, and to a readable name, for what it does not know', () => {
    const schema = {
      type: 'object',
      properties: {
        odd_kind: { type: 'null' },
        no_type: {},
        nullable_text: { type: ['null', 'string'] },
        mailTo: { type: 'string', format: 'email' },
        retries: { type: 'integer', enum: [1, 2, 3] },
        extra: { type: 'object', writeOnly: true },
        ids: { type: 'array', items: { type: 'integer' } },
      },
    };
    const model = formModel(schema);
    expect(model.fields.map((f) => [f.name, f.label, f.kind])).toEqual([
      ['odd_kind', 'Odd kind', 'text'],
      ['no_type', 'No type', 'text'],
      ['nullable_text', 'Nullable text', 'text'],
      ['mailTo', 'Mail to', 'email'],
      ['retries', 'Retries', 'select'],
      ['extra', 'Extra', 'json'],
      ['ids', 'IDs', 'tags'],
    ]);
    expect(field(schema, 'retries').options.map((o) => o.label)).toEqual(['1', '2', '3']); // no x-enum-labels: the values
    expect(field(schema, 'extra').secret).toBe(true);
    expect(formModel({}).fields).toEqual([]);
  });

  it('never shows the words of the machinery behind a connector', () => {
    for (const plugin of plugins) {
      const model = formModel(configSchemaFor(plugin));
      const shown = [...model.fields.flatMap((f) => [f.label, f.help ?? '', f.placeholder ?? '', ...f.options.map((o) => o.label)]), ...model.ways.map((w) => w.label)];
      for (const words of shown) expect(words, plugin.name).not.toMatch(/\b(singer|meltano|taps?|targets?)\b/i);
    }
  });

  it('is built once per schema object', () => {
    expect(formModel(postgres)).toBe(formModel(postgres));
  });
});

describe('humanise and listOf', () => {
  it('reads setting names as words', () => {
    expect(humanise('sqlalchemy_url')).toBe('SQLAlchemy URL');
    expect(humanise('filter_schemas')).toBe('Filter schemas');
    expect(humanise('clientId')).toBe('Client ID');
    expect(humanise('stream_maps.config')).toBe('Stream maps config');
  });
  it('lists like a person', () => {
    expect([listOf([]), listOf(['A']), listOf(['A', 'B']), listOf(['A', 'B', 'C'], 'or')]).toEqual(['', 'A', 'A and B', 'A, B or C']);
  });
});

describe('initialValues', () => {
  const model = formModel(postgres);

  it('starts a new connector from the defaults, on the first way', () => {
    expect(initialValues(model)).toMatchObject({
      host: '', port: '5432', user: '', password: '', database: '', filter_schemas: [], sqlalchemy_url: '', json_as_object: false, dates_as_string: false, 'ssh_tunnel.port': '22', 'ssh_tunnel.private_key': '', [WAY_KEY]: '0',
    });
  });

  it('never pre-fills a secret when editing, and picks the way the stored settings complete', () => {
    const stored = { host: 'db', port: 6543, user: 'u', password: SERVER_MASK, database: 'd', filter_schemas: ['public'], json_as_object: true };
    const values = initialValues(model, { config: stored, secretsStored: ['password'] });
    expect(values).toMatchObject({ host: 'db', port: '6543', password: '', filter_schemas: ['public'], json_as_object: true, [WAY_KEY]: '0' });
    const byUrl = initialValues(model, { config: { sqlalchemy_url: SERVER_MASK }, secretsStored: ['sqlalchemy_url'] });
    expect(byUrl).toMatchObject({ sqlalchemy_url: '', [WAY_KEY]: '1' });
  });

  it('shows a stored timestamp in a date field as its date', () => {
    expect(initialValues(formModel(salesforce), { config: { start_date: '2024-01-31T00:00:00Z' } }).start_date).toBe('2024-01-31');
  });

  it('writes an object as JSON text', () => {
    const clickhouse = formModel(schemaOf('target-clickhouse'));
    expect(initialValues(clickhouse, { config: { stream_modes: { orders: 'append' } } }).stream_modes).toBe('{\n  "orders": "append"\n}');
  });
});

describe('shownFields', () => {
  const model = formModel(postgres);
  it('shows the chosen way and folds the optional settings away', () => {
    const byHost = shownFields(model, initialValues(model));
    expect(byHost.main.map((f) => f.name)).toEqual(['host', 'port', 'user', 'password', 'database']);
    expect(byHost.advanced.map((f) => f.name)).toEqual(expect.arrayContaining(['filter_schemas', 'json_as_object', 'dates_as_string', 'ssh_tunnel.host']));
    expect(byHost.advanced.map((f) => f.name)).not.toContain('sqlalchemy_url');
    const byUrl = shownFields(model, { ...initialValues(model), [WAY_KEY]: '1' });
    expect(byUrl.main.map((f) => f.name)).toEqual(['sqlalchemy_url']);
  });
  it('takes the first way when the chosen one is unknown', () => {
    expect(chosenWay(model, { [WAY_KEY]: '7' })?.id).toBe('0');
  });
});

describe('buildConfig', () => {
  const model = formModel(postgres);
  const filled = { ...initialValues(model), host: ' db.example.com ', port: ' 5433 ', user: 'sluice', password: ' pw with spaces ', database: 'shop', sqlalchemy_url: 'postgresql://left/over' };

  it('sends the chosen way and the common settings, numbers parsed, empty ones left out', () => {
    const byHost = buildConfig(model, filled, 'create');
    expect(byHost).toMatchObject({ host: 'db.example.com', port: 5433, user: 'sluice', password: ' pw with spaces ', database: 'shop', json_as_object: false, dates_as_string: false });
    expect(byHost).not.toHaveProperty('sqlalchemy_url');
    // Left empty: not sent (the plugin's own default applies).
    expect(byHost).not.toHaveProperty('ssh_tunnel.host');
    expect(byHost).not.toHaveProperty('max_record_count');
    const byUrl = buildConfig(model, { ...filled, [WAY_KEY]: '1' }, 'create');
    expect(byUrl).toMatchObject({ sqlalchemy_url: 'postgresql://left/over', json_as_object: false, dates_as_string: false });
    for (const name of ['host', 'port', 'user', 'password', 'database']) expect(byUrl).not.toHaveProperty(name);
  });

  it('keeps text that is not a number as typed, so validation can name it', () => {
    expect(buildConfig(model, { ...filled, port: 'abc' }, 'create').port).toBe('abc');
    expect(buildConfig(model, { ...filled, port: '0x10' }, 'create').port).toBe('0x10');
    expect(buildConfig(model, { ...filled, port: '1e400' }, 'create').port).toBe('1e400'); // Infinity would be sent as null
    expect(buildConfig(model, { ...filled, port: '54.5' }, 'create').port).toBe(54.5); // a number, but not whole: validation says so
  });

  it('leaves out empty lists and trims their items', () => {
    expect(buildConfig(model, filled, 'create')).not.toHaveProperty('filter_schemas');
    expect(buildConfig(model, { ...filled, filter_schemas: [' public ', '', 'sales'] }, 'create').filter_schemas).toEqual(['public', 'sales']);
    const ids = formModel({ type: 'object', properties: { ids: { type: 'array', items: { type: 'integer' } } } });
    expect(buildConfig(ids, { ids: ['1', 'x'] }, 'create').ids).toEqual([1, 'x']);
  });

  it('on edit keeps a stored secret left empty, and clears what is emptied or no longer used', () => {
    const config = buildConfig(model, { ...filled, password: '', database: '  ' }, 'edit');
    expect(config).not.toHaveProperty('password');
    expect(config).toMatchObject({ host: 'db.example.com', database: null, filter_schemas: null, sqlalchemy_url: null });
    const byUrl = buildConfig(model, { ...filled, [WAY_KEY]: '1', sqlalchemy_url: '' }, 'edit');
    expect(byUrl).not.toHaveProperty('sqlalchemy_url');
    expect(byUrl).toMatchObject({ host: null, port: null, password: null });
  });

  it('never sends the mask back as a secret', () => {
    expect(buildConfig(model, { ...filled, password: SERVER_MASK }, 'edit')).not.toHaveProperty('password');
  });

  it('parses JSON text, and sends text that is not JSON as it is', () => {
    const clickhouse = formModel(schemaOf('target-clickhouse'));
    const values = initialValues(clickhouse);
    expect(buildConfig(clickhouse, { ...values, stream_modes: '{"orders": "append"}' }, 'create').stream_modes).toEqual({ orders: 'append' });
    expect(buildConfig(clickhouse, { ...values, stream_modes: '{orders' }, 'create').stream_modes).toBe('{orders');
  });

  it('sends the value of a chosen option, numbers as numbers', () => {
    expect(buildConfig(formModel(salesforce), { ...initialValues(formModel(salesforce)), api_type: 'BULK' }, 'create').api_type).toBe('BULK');
    const retries = formModel({ type: 'object', properties: { retries: { type: 'integer', enum: [1, 2] } } });
    expect(buildConfig(retries, { retries: '2' }, 'create')).toEqual({ retries: 2 });
  });
});

describe('firstErrorField and storedSecretNames', () => {
  const model = formModel(postgres);
  it('finds the first field on screen with an error, else the form', () => {
    const values = initialValues(model);
    expect(firstErrorField(model, values, { json_as_object: 'x', user: 'x', port: 'x' })).toBe('port');
    expect(firstErrorField(model, values, { sqlalchemy_url: 'x', _form: 'x' })).toBe('_form'); // not on screen with the first way
    expect(firstErrorField(model, values, {})).toBeUndefined();
  });
  it('reads the secrets a connector holds', () => {
    expect(storedSecretNames({ password: { has_value: true }, sqlalchemy_url: { has_value: false } })).toEqual(['password']);
    expect(storedSecretNames(undefined)).toEqual([]);
  });
});
