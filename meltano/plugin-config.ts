/**
 * A plugin's config.json, as Meltano would have written it: the plugin's declared settings
 * only, each with the connector's value or else the default meltano.yml gives it, and
 * dotted setting names (`auth.token`) nested (`{ "auth": { "token": … } }`).
 *
 * @example
 * pluginConfig([{ name: 'port', value: 5432 }, { name: 'host' }], { host: 'db' }) // { port: 5432, host: 'db' }
 */
type SettingDefault = { name: string; value?: unknown };

export function pluginConfig(settings: readonly unknown[], config: Record<string, unknown>): Record<string, unknown> {
  const declared = settings.filter((s): s is SettingDefault => typeof s === 'object' && s !== null && typeof (s as SettingDefault).name === 'string');
  const out: Record<string, unknown> = {};
  for (const setting of declared) {
    const own = Object.hasOwn(config, setting.name) ? config[setting.name] : undefined;
    const value = own ?? setting.value;
    if (value === undefined || value === null) continue;
    setNested(out, setting.name.split('.'), value);
  }
  return out;
}

function setNested(target: Record<string, unknown>, keys: string[], value: unknown) {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}
