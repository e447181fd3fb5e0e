import { describe, expect, it } from 'vitest';
import { richConfig, richSchema } from '../../../meltano/config-validation/rich-schema.fixture.js';
import { readPluginDefinitions } from '../../../meltano/plugins.js';
import { configSchemaFor } from '../../../meltano/settings-schema.js';
import { formModel, initialValues, WAY_KEY, type ConfigSchema } from './schema-fields.js';
import { checkForm, compileSchema, serverFieldErrors, validateConfig } from './validate.js';

const plugins = await readPluginDefinitions();
const schemaOf = (name: string) => configSchemaFor(plugins.find((p) => p.name === name)!);
const postgres = schemaOf('tap-postgres');
const salesforce = schemaOf('tap-salesforce');
const good = { host: 'db.example.com', port: 5432, user: 'sluice', password: 'pw', database: 'shop' };
const EITHER = 'Fill in either Host, Port, User, Password and Database, or Connection URL.';

describe('validateConfig', () => {
  it('accepts a complete config, by either way', () => {
    expect(validateConfig(postgres, good)).toEqual({});
    expect(validateConfig(postgres, { sqlalchemy_url: 'postgresql://u:p@db/shop', filter_schemas: ['public'] })).toEqual({});
  });

  it('names the field and the problem in plain words', () => {
    expect(validateConfig(postgres, { ...good, port: 'abc' })).toEqual({ port: 'Port must be a whole number' });
    expect(validateConfig(postgres, { ...good, port: 54.5 })).toEqual({ port: 'Port must be a whole number' });
    expect(validateConfig(postgres, { ...good, filter_schemas: 'public' })).toEqual({ filter_schemas: 'Schemas must be a list' });
    expect(validateConfig(postgres, { ...good, json_as_object: 'yes' })).toEqual({ json_as_object: 'JSON columns as objects must be true or false' });
    const sf = { client_id: 'id', client_secret: 's', refresh_token: 't', start_date: '2024-01-31' };
    expect(validateConfig(salesforce, sf)).toEqual({});
    expect(validateConfig(salesforce, { ...sf, start_date: '2024-02-30' })).toEqual({ start_date: 'Start date must be a date like 2024-01-31' });
    expect(validateConfig(salesforce, { ...sf, api_type: 'SOAP' })).toEqual({ api_type: 'API must be one of: REST, BULK' });
    const mail = { type: 'object', properties: { notify: { type: 'string', format: 'email', title: 'Email' } } };
    expect(validateConfig(mail, { notify: 'ana@' })).toEqual({ notify: 'Email must be an email address like ana@example.com' });
    const stream = schemaOf('target-clickhouse');
    expect(validateConfig(stream, { stream_modes: '{orders' }).stream_modes).toBe('Sync mode per stream must be a JSON object, like {"key": "value"}');
  });

  it('says which alternative to complete, pointing at the chosen way', () => {
    const { password: _, ...noPassword } = good;
    expect(validateConfig(postgres, noPassword, { way: '0' })).toEqual({ password: 'Password is required', _form: EITHER });
    expect(validateConfig(postgres, {}, { way: '1' })).toEqual({ sqlalchemy_url: 'Connection URL is required', _form: EITHER });
    // No way named: the one closest to complete, as the server does (here one field against four; Port has a default).
    expect(validateConfig(postgres, {})).toEqual({ sqlalchemy_url: 'Connection URL is required', _form: EITHER });
  });

  it('reports required settings of a schema with one set of them', () => {
    expect(validateConfig(schemaOf('tap-jsonl'), { path: 'a.jsonl' })).toEqual({ stream_name: 'Stream name is required' });
  });

  it('counts a stored secret left out as given, but not one cleared with null', () => {
    const { password: _, ...kept } = good;
    expect(validateConfig(postgres, kept, { present: ['password'], way: '0' })).toEqual({});
    expect(validateConfig(postgres, { ...good, password: null }, { present: ['password'], way: '0' })).toMatchObject({ password: 'Password is required' });
  });

  it('treats empty text as no value, and a default as given', () => {
    expect(validateConfig(postgres, { ...good, host: '' }, { way: '0' })).toMatchObject({ host: 'Host is required' });
    const { port: _, ...noPort } = good;
    expect(validateConfig(postgres, noPort)).toEqual({});
  });

  it('refuses a setting the connector does not have, for the whole form', () => {
    expect(validateConfig(postgres, { ...good, colour: 'blue' })).toEqual({ _form: 'Colour is not a setting of this connection.' });
  });

  it('reports each field once, whatever else fails', () => {
    const config = { ...good, port: 'abc', json_as_object: 'yes', filter_schemas: 'x', colour: 'blue', shade: 'dark' };
    expect(validateConfig(postgres, config)).toEqual({
      port: 'Port must be a whole number',
      json_as_object: 'JSON columns as objects must be true or false',
      filter_schemas: 'Schemas must be a list',
      _form: 'Colour is not a setting of this connection. Shade is not a setting of this connection.',
    });
    const { password: _, ...noPassword } = good;
    expect(validateConfig(postgres, { ...noPassword, port: 'abc' }, { way: '0' })).toEqual({ port: 'Port must be a whole number', password: 'Password is required', _form: EITHER });
  });

  it('words limits, and says where a bad item of a list is', () => {
    const ranged: ConfigSchema = {
      type: 'object',
      properties: {
        port: { type: 'integer', minimum: 1, maximum: 65535, title: 'Port' },
        code: { type: 'string', minLength: 2, title: 'Code' },
        tags: { type: 'array', items: { type: 'string' }, title: 'Tags' },
      },
    };
    expect(validateConfig(ranged, { port: 0, code: 'x', tags: ['a', 1] })).toEqual({
      port: 'Port must be at least 1',
      code: 'Code must be at least 2 characters long',
      tags: 'Tags: Item 2 must be text',
    });
    expect(validateConfig(ranged, { port: 70000 })).toEqual({ port: 'Port must be at most 65535' });
  });

  it('builds each schema validator once, leaving the schema as it was', () => {
    expect(compileSchema(postgres)).toBe(compileSchema(postgres));
    const frozen = Object.freeze({ ...literal, properties: Object.freeze({ port: Object.freeze({ type: 'integer', title: 'Port' }) }) });
    expect(validateConfig(frozen, { port: 'abc' })).toEqual({ port: 'Port must be a whole number' });
    expect(Object.getOwnPropertyNames(postgres)).not.toContain('__absolute_uri__');
  });
});

describe("validateConfig with a rich schema (the server's own validation)", () => {
  it('shows a nested problem by its setting, saying where', () => {
    expect(validateConfig(richSchema, richConfig)).toEqual({});
    expect(validateConfig(richSchema, { ...richConfig, streams: [{ path: 'a.csv' }, { name: 'b' }], auth: { kind: 'oauth' } })).toEqual({
      streams: 'Streams, item 1: Name is required',
      auth: 'Authentication: Client ID is required',
    });
    expect(validateConfig(richSchema, { ...richConfig, auth: 'key' })).toEqual({ auth: 'Authentication must match one of: API key, OAuth app' });
  });

  it('says the connector type cannot be used when its schema is malformed, instead of breaking the form', () => {
    expect(validateConfig({ type: 'object', properties: { port: { type: 'int' } } }, { port: 1 })).toEqual({
      _form: expect.stringMatching(/^The settings description of this connector type cannot be used: "properties\.port\.type" must be a JSON type/),
    });
  });
});

describe('checkForm', () => {
  const model = formModel(postgres);
  it('checks what the form would send: "abc" in Port', () => {
    const values = { ...initialValues(model), host: 'db', port: 'abc', user: 'u', password: 'pw', database: 'd' };
    expect(checkForm(postgres, values, 'create').errors).toEqual({ port: 'Port must be a whole number' });
  });
  it('passes an edit that keeps the stored password, and returns the config to send', () => {
    const values = initialValues(model, { config: { host: 'db', port: 5432, user: 'u', database: 'd' }, secretsStored: ['password'] });
    const { config, errors } = checkForm(postgres, values, 'edit', ['password']);
    expect(errors).toEqual({});
    expect(config).toMatchObject({ host: 'db', port: 5432, sqlalchemy_url: null });
    expect(config).not.toHaveProperty('password');
    expect(checkForm(postgres, values, 'create').errors).toEqual({ password: 'Password is required', _form: EITHER });
  });
  it('points at the empty Connection URL when that way is chosen', () => {
    const values = { ...initialValues(model), [WAY_KEY]: '1', host: 'typed before switching' };
    expect(checkForm(postgres, values, 'create').errors).toEqual({ sqlalchemy_url: 'Connection URL is required', _form: EITHER });
  });
});

describe('serverFieldErrors', () => {
  const body = { error: { code: 'validation_failed', message: 'Some settings need attention.', fields: { port: ['must be a whole number'], host: ['is required', 'names the server x, whose name does not resolve'] } } };

  it('words the server answer like the form, from the body, its error or the thrown Error', () => {
    const expected = { port: 'Port must be a whole number', host: 'Host is required; Host names the server x, whose name does not resolve' };
    expect(serverFieldErrors(postgres, body)).toEqual(expected);
    expect(serverFieldErrors(postgres, body.error)).toEqual(expected);
    expect(serverFieldErrors(postgres, Object.assign(new Error(body.error.message), { detail: body.error, status: 400 }))).toEqual(expected);
  });

  it('finds the setting in a dotted path and keeps keys outside the schema', () => {
    const fields = { 'config.filter_schemas.0': ['contains a character that cannot be stored'], name: ['is required'] };
    expect(serverFieldErrors(postgres, { error: { code: 'validation_failed', message: 'x', fields } })).toEqual({
      filter_schemas: 'Schemas contains a character that cannot be stored',
      name: 'Name is required',
    });
  });

  it("shows the server's sentence about a nested field by its setting", () => {
    const fields = { 'streams.0.name': ['Streams, item 1: Name is required'], 'streams.1.path': ['Streams, item 2: Path is required'], 'ssh_tunnel.host': ['must be text'] };
    expect(serverFieldErrors(richSchema, { error: { code: 'validation_failed', message: 'x', fields } })).toEqual({
      streams: 'Streams, item 1: Name is required; Streams, item 2: Path is required',
      // A setting whose name has a dot is found whole, before the object it looks nested in.
      'ssh_tunnel.host': 'Bastion host must be text',
    });
  });

  it('puts what concerns the whole form, or a message without fields, on _form', () => {
    expect(serverFieldErrors(postgres, { error: { code: 'validation_failed', message: 'x', fields: { _: ['contains a character that cannot be stored'] } } })).toEqual({
      _form: 'One of the settings contains a character that cannot be stored',
    });
    expect(serverFieldErrors(postgres, { error: { code: 'unavailable', message: 'Sluice cannot reach its queue. Try again in a minute.' } })).toEqual({
      _form: 'Sluice cannot reach its queue. Try again in a minute.',
    });
    expect(serverFieldErrors(postgres, new Error('Request failed (500)'))).toEqual({ _form: 'Request failed (500)' });
    expect(serverFieldErrors(postgres, null)).toEqual({});
  });
});

// Keeps the schema type honest: a literal schema works like a generated one.
const literal: ConfigSchema = { type: 'object', properties: { port: { type: 'integer', title: 'Port' } }, required: ['port'], additionalProperties: false };
describe('a schema written by hand', () => {
  it('validates like a generated one', () => {
    expect(validateConfig(literal, {})).toEqual({ port: 'Port is required' });
  });
});
