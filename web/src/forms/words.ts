/** Small wording helpers shared by the field model and the validation messages. */

// Settings are named for programs (`sqlalchemy_url`); people read "Sqlalchemy URL".
const ACRONYMS = new Set(['url', 'uri', 'id', 'api', 'ssl', 'tls', 'ssh', 'sql', 'json', 'csv', 'ip', 'http', 'https', 'dns', 'aws', 'gcp', 'jwt', 'sftp', 'ftp', 's3']);
// Words written in their own mixed case.
const SPELLED: Record<string, string> = { oauth: 'OAuth', github: 'GitHub', gitlab: 'GitLab', hubspot: 'HubSpot', mongodb: 'MongoDB', mysql: 'MySQL', postgresql: 'PostgreSQL' };

/** A setting name as a label, for settings without a title: `filter_schemas` → "Filter schemas". */
export function humanise(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.\-]+/)
    .filter((w) => w !== '')
    .map((w) => SPELLED[w.toLowerCase()] ?? (ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : w.toLowerCase()));
  const [first, ...rest] = words;
  if (first === undefined) return name;
  return [first.charAt(0).toUpperCase() + first.slice(1), ...rest].join(' ');
}

/** "A", "A and B", "A, B and C": how a person lists things. */
export function listOf(items: readonly string[], last = 'and'): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${last} ${items[items.length - 1]}`;
}
