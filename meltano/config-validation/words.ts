/**
 * The plain words of config validation: labels made from setting names, lists as people
 * write them, and what each JSON Schema keyword asks for ("must be a whole number"). Pure,
 * so the web form shows the same words the server answers with.
 */

// Settings are named for programs (`sqlalchemy_url`); people read "Sqlalchemy URL".
const ACRONYMS = new Set(['url', 'uri', 'id', 'api', 'ssl', 'tls', 'ssh', 'sql', 'json', 'csv', 'ip', 'http', 'https', 'dns', 'aws', 'gcp', 'gcs', 'jwt', 'sftp', 'ftp', 's3', 'ca', 'db', 'kms', 'arn', 'utc']);
// Words written in their own mixed case.
const SPELLED: Record<string, string> = { oauth: 'OAuth', github: 'GitHub', gitlab: 'GitLab', hubspot: 'HubSpot', mongodb: 'MongoDB', mysql: 'MySQL', postgresql: 'PostgreSQL', sqlalchemy: 'SQLAlchemy', ids: 'IDs' };

/** A setting name as a label, for settings without a title: `filter_schemas` → "Filter schemas". */
export function humanise(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.\-]+/)
    .filter((w) => w !== '')
    .map((w) => SPELLED[w.toLowerCase()] ?? (ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : w.toLowerCase()));
  const [first, ...rest] = words;
  if (first === undefined) return name;
  return [capitalise(first), ...rest].join(' ');
}

/** "A", "A and B", "A, B and C": how a person lists things. */
export function listOf(items: readonly string[], last = 'and'): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${last} ${items[items.length - 1]}`;
}

export const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** A value as a person would type it: text bare, anything else as JSON. */
export const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** What a value of each JSON type is called, for "must be …" and for alternatives. */
const TYPE_NOUNS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  string: 'text',
  array: 'a list',
  object: 'an object',
  null: 'empty',
};

/** `["integer", "null"]` → "must be a whole number" (null is no value, so it goes without saying unless it is all). */
export function typeWords(type: unknown): string {
  const types = (Array.isArray(type) ? type : [type]).filter((t): t is string => typeof t === 'string');
  const named = types.filter((t) => t !== 'null');
  const nouns = (named.length > 0 ? named : types).map((t) => TYPE_NOUNS[t] ?? t);
  // Objects are typed as JSON in the form, and sent as JSON by the API.
  if (nouns.length === 1 && nouns[0] === TYPE_NOUNS.object) return 'must be a JSON object, like {"key": "value"}';
  return nouns.length > 0 ? `must be ${listOf(nouns, 'or')}` : 'is not valid';
}

export const typeNoun = (type: string): string | undefined => TYPE_NOUNS[type];

const FORMAT_WORDS: Record<string, string> = {
  date: 'must be a date like 2024-01-31',
  'date-time': 'must be a date and time like 2024-01-31T09:30:00Z',
  time: 'must be a time like 09:30:00Z',
  duration: 'must be a duration like P1D (one day) or PT1H (one hour)',
  email: 'must be an email address like ana@example.com',
  uri: 'must be a full address like https://example.com/path',
  'uri-reference': 'must be an address like https://example.com/path or /path',
  url: 'must be a full address like https://example.com/path',
  hostname: 'must be a host name like db.example.com',
  ipv4: 'must be an IPv4 address like 192.0.2.10',
  ipv6: 'must be an IPv6 address like 2001:db8::10',
  uuid: 'must be a UUID like 123e4567-e89b-12d3-a456-426614174000',
  regex: 'must be a regular expression',
};

export const formatWords = (format: unknown) => FORMAT_WORDS[String(format)] ?? `is not in the expected format (${String(format)})`;

/**
 * The rest of the sentence for a failed keyword, given the keyword's value in the schema
 * (`maximum` → 65535). Keywords about the alternatives (anyOf, oneOf) and required fields
 * are worded where they are found (problems.ts): they need more than the keyword's value.
 */
export function keywordWords(keyword: string, value: unknown): string {
  // A value the schema does not show (it should, after the schema check) says less rather than "undefined".
  const given = (words: (v: string) => string) => (value === undefined ? 'is not valid' : words(shown(value)));
  switch (keyword) {
    case 'type':
      return typeWords(value);
    case 'enum': {
      const options = Array.isArray(value) ? value.filter((v) => v !== null).map(shown) : [];
      return options.length > 0 ? `must be one of: ${options.join(', ')}` : 'is not one of the choices';
    }
    case 'const':
      return given((v) => `must be ${v}`);
    case 'format':
      return formatWords(value);
    case 'minimum':
      return given((v) => `must be at least ${v}`);
    case 'maximum':
      return given((v) => `must be at most ${v}`);
    case 'exclusiveMinimum':
      return given((v) => `must be more than ${v}`);
    case 'exclusiveMaximum':
      return given((v) => `must be less than ${v}`);
    case 'multipleOf':
      return given((v) => `must be a multiple of ${v}`);
    case 'minLength':
      return given((v) => `must be at least ${v} characters long`);
    case 'maxLength':
      return given((v) => `must be at most ${v} characters long`);
    case 'minItems':
      return given((v) => `must have at least ${v} items`);
    case 'maxItems':
      return given((v) => `must have at most ${v} items`);
    case 'minProperties':
      return given((v) => `must have at least ${v} entries`);
    case 'maxProperties':
      return given((v) => `must have at most ${v} entries`);
    case 'uniqueItems':
      return 'must not list an item twice';
    case 'contains':
    case 'minContains':
    case 'maxContains':
      return 'does not have the items it needs';
    case 'pattern':
      return 'is not in the expected format';
    case 'not':
      return 'is not allowed';
    case 'propertyNames':
      return 'has an entry whose name is not allowed';
    default:
      return 'is not valid';
  }
}
