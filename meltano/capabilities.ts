/**
 * What a plugin's capabilities mean for the people using it, and where what was declared
 * (by the person registering it) and what the plugin reports about itself disagree. Both
 * count: a plugin's report is often short (tap-postgres reads change logs and does not say so).
 */
const WORDS: Record<string, string> = {
  state: 'remember where a sync stopped (state)',
  discover: 'list the tables or streams it has (discover)',
  catalog: 'be told which tables to sync (catalog)',
  properties: 'be told which tables to sync (properties)',
  about: 'describe its own settings (about)',
  'log-based': 'read deletes from a database change log (log-based)',
  'live-schema': 'check each table against the source itself as it syncs, so Sluice does not discover the source again before each sync (live-schema)',
};
const words = (capability: string) => WORDS[capability] ?? capability;

/** Capabilities a singer-python program shows by the flags its --help lists. */
export const capabilitiesFromFlags = (flags: Set<string>) => ['about', 'discover', 'catalog', 'properties', 'state'].filter((c) => flags.has(c));

export function capabilityWarnings(kind: 'extractor' | 'loader', declared: readonly string[] | undefined, reported: readonly string[], pluginSays: boolean): string[] {
  const warnings: string[] = [];
  if (declared && pluginSays) {
    for (const c of declared.filter((c) => !reported.includes(c))) warnings.push(`You declared that it can ${words(c)}, but the plugin itself does not report that. Sluice keeps what you declared (plugins often leave out what they do support): check that it works.`);
    for (const c of reported.filter((c) => !declared.includes(c))) warnings.push(`The plugin reports that it can also ${words(c)}, which was not declared; Sluice uses it.`);
  }
  if (kind !== 'extractor') return warnings;
  const has = (c: string) => reported.includes(c);
  if (!has('state')) warnings.push('It cannot remember where a sync stopped (no "state" capability): every sync reads everything again, and incremental sync modes are not offered.');
  if (!has('discover')) warnings.push('It cannot list its tables or streams (no "discover" capability): people cannot choose what to sync.');
  if (!has('catalog') && !has('properties')) warnings.push('It cannot be told which tables to sync (no "catalog" or "properties" capability): every stream it has is synced.');
  return warnings;
}

/** What to store: the plugin's own report and what was declared beside it, else what was declared. */
export const effectiveCapabilities = (declared: readonly string[] | undefined, reported: readonly string[], pluginSays: boolean) =>
  pluginSays ? [...new Set([...reported, ...(declared ?? [])])] : [...(declared ?? reported)];
