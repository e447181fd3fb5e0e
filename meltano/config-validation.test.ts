import { describe, expect, it } from 'vitest';
import { checkConfig, compileSchema, fieldErrorsInWords, InvalidSchemaError, schemaProblems, settingOf, validateConfig } from './config-validation.js';
import { richConfig, richSchema } from './config-validation/rich-schema.fixture.js';
import type { JsonSchema } from './settings-schema.js';

const schema = { type: 'object', properties: { host: { type: 'string' }, port: { type: 'integer' } }, required: ['host'], additionalProperties: false } as unknown as JsonSchema;
const rich = (change: Record<string, unknown>) => validateConfig(richSchema, { ...richConfig, ...change });

describe('validateConfig', () => {
  it("refuses names of Object.prototype's members as settings", () => {
    for (const name of ['toString', 'constructor', 'hasOwnProperty', 'valueOf', '__proto__', 'isPrototypeOf']) {
      // JSON.parse makes "__proto__" an own key, as a request body would
      const config = JSON.parse(`{"host": "h", ${JSON.stringify(name)}: "x"}`) as Record<string, unknown>;
      expect(validateConfig(schema, config), name).toEqual({ [name]: ['is not a setting of this connector'] });
    }
  });

  it('does not count an inherited member as a required setting', () => {
    const needsToString = { type: 'object', properties: { host: { type: 'string' } }, required: ['toString'] } as unknown as JsonSchema;
    expect(validateConfig(needsToString, { host: 'h' })).toEqual({ toString: ['is required'] });
    expect(validateConfig(schema, { port: 5 })).toEqual({ host: ['is required'] });
  });

  it('accepts a config using every part of a rich schema', () => {
    expect(validateConfig(richSchema, richConfig)).toEqual({});
  });

  it('words top-level settings as the rest of a sentence', () => {
    expect(rich({ api_url: 'api.example.com', start_date: '2024-01-31', port: 0, contact: 'ana@', mode: 'turbo', slot: 'pg_slot', id_or_name: true })).toEqual({
      api_url: ['must be a full address like https://example.com/path'],
      start_date: ['must be a date and time like 2024-01-31T09:30:00Z'],
      port: ['must be at least 1'],
      contact: ['must be an email address like ana@example.com'],
      mode: ['must be one of: fast, safe'],
      slot: ['is not in the expected format'],
      id_or_name: ['must be text or a whole number'],
    });
    expect(rich({ port: 70000 })).toEqual({ port: ['must be at most 65535'] });
    expect(rich({ port: 'abc' })).toEqual({ port: ['must be a whole number'] });
  });

  it('names a nested field by its path, in a sentence saying where', () => {
    expect(rich({ streams: [{ name: 'orders', path: 'o.csv' }, { path: 'x.csv' }, 'customers', { name: 5, path: 'c.csv', columns: [{ type: 'float' }] }] })).toEqual({
      'streams.1.name': ['Streams, item 2: Name is required'],
      'streams.2': ['Streams: Item 3 must be a JSON object, like {"key": "value"}'],
      'streams.3.name': ['Streams, item 4: Name must be text'],
      'streams.3.columns.0.name': ['Streams, item 4, Columns, item 1: Column name is required'],
      'streams.3.columns.0.type': ['Streams, item 4, Columns, item 1: Type must be one of: int, text'],
    });
    expect(rich({ ssh_tunnel: { host: 'h', port: 'x', extra: 1 } })).toEqual({
      'ssh_tunnel.port': ['SSH tunnel: Port must be a whole number'],
      'ssh_tunnel.extra': ['SSH tunnel: "extra" is not a field it has'],
    });
    expect(rich({ stream_options: { orders: { custom_where_clauses: 'id > 1' } } })).toEqual({
      'stream_options.orders.custom_where_clauses': ['Stream options, "orders": Custom where clauses must be a list'],
    });
  });

  it('treats empty and null nested values as no value, and nested defaults as given', () => {
    // port has a default (22); host is empty: the one missing.
    expect(rich({ ssh_tunnel: { host: '', private_key: null } })).toEqual({ 'ssh_tunnel.host': ['SSH tunnel: Host is required'] });
    expect(rich({ ssh_tunnel: null, streams: null, stream_options: '' })).toEqual({});
  });

  it('keeps a setting with dots in its name apart from a nested field', () => {
    expect(rich({ 'ssh_tunnel.host': 5 })).toEqual({ 'ssh_tunnel.host': ['must be text'] });
    expect(settingOf(richSchema, 'ssh_tunnel.host')).toBe('ssh_tunnel.host');
    expect(settingOf(richSchema, 'ssh_tunnel.port')).toBe('ssh_tunnel');
    expect(settingOf(richSchema, 'streams.0.name')).toBe('streams');
    expect(settingOf(richSchema, 'nope.x')).toBe('nope.x');
  });

  it('follows the oneOf alternative the value is meant for, else names the alternatives', () => {
    // kind says OAuth app: only its fields are asked for.
    expect(rich({ auth: { kind: 'oauth', client_id: 'id' } })).toEqual({ 'auth.client_secret': ['Authentication: Client secret is required'] });
    expect(rich({ auth: { kind: 'api_key', api_key: 5 } })).toEqual({ 'auth.api_key': ['Authentication: API key must be text'] });
    // Not an object at all: which alternatives there are, by title.
    expect(rich({ auth: 'secret' })).toEqual({ auth: ['must match one of: API key, OAuth app'] });
    // Either could be meant: the alternatives, and what the closest still needs.
    expect(rich({ auth: {} })).toEqual({
      auth: ['must match one of: API key, OAuth app'],
      'auth.kind': ['Authentication: Kind is required'],
      'auth.api_key': ['Authentication: API key is required'],
    });
    const both = { type: 'object', properties: { x: { title: 'X', oneOf: [{ title: 'Small', maximum: 10 }, { title: 'Even', multipleOf: 2 }] } } };
    expect(validateConfig(both, { x: 4 })).toEqual({ x: ['must match only one of: Small, Even'] });
    expect(validateConfig(both, { x: 13 })).toEqual({ x: ['must match one of: Small, Even', 'must be at most 10'] });
  });

  it('names alternatives without titles by the fields they require, and other keywords in words', () => {
    const login = {
      type: 'object',
      properties: {
        login: { title: 'Login', type: 'object', properties: { user: { type: 'string' }, token: { type: 'string', title: 'Access token' } }, anyOf: [{ required: ['user', 'password'] }, { required: ['token'] }] },
        tags: { type: 'array', items: { type: 'string' }, uniqueItems: true, minItems: 1 },
        range: { type: 'object', properties: { from: { type: 'integer' }, to: { type: 'integer' } }, dependentRequired: { from: ['to'] } },
      },
    };
    expect(validateConfig(login, { login: {}, tags: ['a', 'a'], range: { from: 1 } })).toEqual({
      login: ['must match one of: User and Password, Access token'],
      'login.token': ['Login: Access token is required'],
      tags: ['must not list an item twice'],
      'range.to': ['Range: To is required when From is given'],
    });
    expect(validateConfig(login, { tags: [] })).toEqual({ tags: ['must have at least 1 items'] });
  });

  it('reads a map of alternatives as tap-postgres publishes it ("null" for a schema)', () => {
    expect(rich({ stream_maps: { orders: null, customers: '__NULL__' } })).toEqual({});
    expect(rich({ stream_maps: { orders: 5 } })).toEqual({ 'stream_maps.orders': ['Stream Maps: "orders" must be __NULL__ or an object'] });
  });

  it('ignores unknown keywords and formats, and leaves a Python-only pattern to the tap', () => {
    expect(rich({ odd_format: 'not a decimal', python_pattern: '!!' })).toEqual({});
  });

  it('counts a default, or a stored secret left out, as given for the alternative sets of required settings', () => {
    const sets = {
      type: 'object',
      properties: { host: { type: 'string' }, port: { type: 'integer', default: 5432 }, password: { type: 'string', 'x-secret': true }, url: { type: 'string', title: 'Connection URL' } },
      anyOf: [{ required: ['host', 'port', 'password'] }, { required: ['url'] }],
    };
    expect(validateConfig(sets, { host: 'h' })).toEqual({ password: ['is required'] });
    expect(validateConfig(sets, {})).toEqual({ url: ['is required'] });
    expect(validateConfig(sets, { host: 'h' }, ['password'])).toEqual({});
    expect(validateConfig(sets, { host: 'h', password: null }, ['password'])).toEqual({ password: ['is required'] });
    expect(checkConfig(sets, {}, { way: '0' })).toMatchObject({ incompleteSet: true, problems: [{ path: ['host'] }, { path: ['password'] }] });
  });

  it('takes a date and time where a date is asked for, as Meltano does', () => {
    const dated = { type: 'object', properties: { since: { type: 'string', format: 'date' } } };
    expect(validateConfig(dated, { since: '2024-01-31' })).toEqual({});
    expect(validateConfig(dated, { since: '2024-01-31T00:00:00Z' })).toEqual({});
    expect(validateConfig(dated, { since: '2024-02-30' })).toEqual({ since: ['must be a date like 2024-01-31'] });
  });

  it('says what the path and labels of each problem are', () => {
    expect(checkConfig(richSchema, { streams: [{ path: 'p' }] }).problems).toEqual([
      { path: ['streams', '0', 'name'], labels: ['Streams', 'item 1', 'Name'], words: 'is required', keyword: 'required' },
    ]);
    expect(fieldErrorsInWords(richSchema, validateConfig(richSchema, { port: 'x', streams: [{ path: 'p' }], colour: 1 }))).toBe(
      'Port must be a whole number; Streams, item 1: Name is required; Colour is not a setting of this connector',
    );
  });
});

describe('a schema that cannot be used', () => {
  const refused = (bad: Record<string, unknown>) => {
    try {
      validateConfig(bad, { a: 1 });
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidSchemaError);
      return (error as Error).message;
    }
    throw new Error('accepted');
  };

  it('is refused with what is wrong and where, not a crash', () => {
    expect(refused({ type: 'object', properties: [] })).toMatch(/"properties" must be an object of schemas, not an empty list/);
    expect(refused({ properties: { port: { type: 'int' } } })).toMatch(/"properties\.port\.type" must be a JSON type .*not "int"/);
    expect(refused({ required: 'a' })).toMatch(/"required" must be a list of property names/);
    expect(refused({ properties: { a: 5 } })).toMatch(/"properties\.a" must be a schema \(an object\), not 5/);
    expect(refused({ properties: { a: { anyOf: [] } } })).toMatch(/"properties\.a\.anyOf" must be a non-empty list of schemas, not an empty list/);
    expect(refused({ properties: { a: { $ref: '#/$defs/missing' } } })).toMatch(/"\$ref": "#\/\$defs\/missing" points to a schema it does not define/);
    expect(refused({ properties: { a: { $ref: 'https://example.com/a.json' } } })).toMatch(/points to a schema it does not define/);
    expect(refused({ patternProperties: { '(?P<x>a)': {} } })).toMatch(/not a regular expression JavaScript can read/);
    expect(refused({ properties: { a: { $ref: '#/properties/a' } } })).toMatch(/"#\/properties\/a" leads back to itself/);
    expect(refused({ $ref: '#' })).toMatch(/"#" leads back to itself/);
  });

  it('is listed by schemaProblems, for checking a plugin before it is registered', () => {
    expect(schemaProblems(richSchema)).toEqual([]);
    expect(schemaProblems({ properties: { a: { minLength: -1, maximum: 'ten' } } })).toEqual([
      '"properties.a.minLength" must be a whole number, 0 or more, not -1',
      '"properties.a.maximum" must be a number, not "ten"',
    ]);
    // Recursion through the value is fine: a tree of any depth.
    expect(schemaProblems({ $defs: { node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/$defs/node' } } } } }, $ref: '#/$defs/node' })).toEqual([]);
  });
});

describe('compileSchema', () => {
  it('prepares a schema once, found again by the object or by equal text, and never changes it', () => {
    const first = compileSchema(richSchema);
    expect(compileSchema(richSchema)).toBe(first);
    // The server reads the schema from the database for every request: a new, equal object.
    expect(compileSchema(JSON.parse(JSON.stringify(richSchema)) as Record<string, unknown>)).toBe(first);
    expect(Object.getOwnPropertyNames(richSchema)).not.toContain('__absolute_uri__');
    const frozen = Object.freeze({ type: 'object', properties: Object.freeze({ port: Object.freeze({ type: 'integer' }) }) });
    expect(validateConfig(frozen, { port: 'x' })).toEqual({ port: ['must be a whole number'] });
  });
});
