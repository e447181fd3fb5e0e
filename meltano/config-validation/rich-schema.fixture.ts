/**
 * A settings schema as rich as Singer SDK taps publish (`<tap> --about --format=json`):
 * type unions with null, a nested object, a flattened dotted setting, an array of objects
 * (with a $ref inside), oneOf alternatives with titles and a discriminator, a map, an enum,
 * a pattern, limits, formats, a Python-only pattern and an unknown format. For tests.
 */
export const richSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  $defs: {
    column: { type: 'object', properties: { name: { type: 'string', title: 'Column name' }, type: { type: 'string', enum: ['int', 'text'] } }, required: ['name'] },
  },
  properties: {
    api_url: { type: 'string', format: 'uri', title: 'API URL' },
    start_date: { type: ['string', 'null'], format: 'date-time' },
    port: { type: ['integer', 'null'], minimum: 1, maximum: 65535, default: 443 },
    contact: { type: 'string', format: 'email' },
    mode: { type: 'string', enum: ['fast', 'safe'] },
    slot: { type: ['string', 'null'], pattern: '^(?!pg_)[A-Za-z0-9_]{1,63}$' },
    'ssh_tunnel.host': { type: 'string', title: 'Bastion host' },
    ssh_tunnel: {
      type: ['object', 'null'],
      title: 'SSH tunnel',
      properties: { host: { type: ['string', 'null'] }, port: { type: ['integer', 'null'], default: 22 }, private_key: { type: 'string', writeOnly: true } },
      required: ['host', 'port'],
      additionalProperties: false,
    },
    streams: {
      type: ['array', 'null'],
      title: 'Streams',
      items: {
        type: 'object',
        properties: { name: { type: 'string', title: 'Name' }, path: { type: 'string' }, columns: { type: 'array', items: { $ref: '#/$defs/column' } } },
        required: ['name', 'path'],
      },
    },
    auth: {
      title: 'Authentication',
      oneOf: [
        { title: 'API key', type: 'object', properties: { kind: { const: 'api_key' }, api_key: { type: 'string', title: 'API key' } }, required: ['kind', 'api_key'], additionalProperties: false },
        { title: 'OAuth app', type: 'object', properties: { kind: { const: 'oauth' }, client_id: { type: 'string' }, client_secret: { type: 'string' } }, required: ['kind', 'client_id', 'client_secret'], additionalProperties: false },
      ],
    },
    stream_options: {
      type: ['object', 'null'],
      additionalProperties: { type: 'object', properties: { custom_where_clauses: { type: ['array', 'null'], items: { type: ['string'] } } } },
    },
    // As tap-postgres 0.10.0 publishes it: "null" where a schema belongs.
    stream_maps: { type: ['object', 'null'], title: 'Stream Maps', additionalProperties: { anyOf: [{ const: '__NULL__' }, { type: 'null' }, 'null', { type: 'object' }] } },
    id_or_name: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
    python_pattern: { type: 'string', pattern: '(?P<word>\\w+)' },
    odd_format: { type: 'string', format: 'x-singer.decimal', 'x-unknown-keyword': true },
  },
};

/** A config the schema accepts, using every part of it. */
export const richConfig = {
  api_url: 'https://api.example.com/v1',
  start_date: '2024-01-31T00:00:00Z',
  port: null,
  contact: 'ana@example.com',
  mode: 'safe',
  slot: 'sluice_slot',
  'ssh_tunnel.host': 'bastion.example.com',
  ssh_tunnel: { host: 'bastion.example.com', private_key: 'key' },
  streams: [{ name: 'orders', path: 'orders.csv', columns: [{ name: 'id', type: 'int' }] }],
  auth: { kind: 'oauth', client_id: 'id', client_secret: 'secret' },
  stream_options: { orders: { custom_where_clauses: ['id > 1'] } },
  stream_maps: { orders: { __alias__: 'sales' }, customers: '__NULL__' },
  id_or_name: 7,
  python_pattern: 'anything',
  odd_format: '1.5',
};
