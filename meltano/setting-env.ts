/**
 * Plugin settings reach Meltano through the child's environment, the way Meltano documents:
 * `<PLUGIN_NAME>_<SETTING>` upper-cased, non-alphanumerics as `_`. Objects and arrays travel
 * as JSON text. Only declared settings are read this way by Meltano.
 *
 * @example
 * settingEnvName('tap-postgres', 'password') // 'TAP_POSTGRES_PASSWORD'
 */
export function settingEnvName(pluginName: string, setting: string): string {
  return `${pluginName}_${setting}`.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Meltano "extras" such as select and metadata: `<PLUGIN_NAME>__<EXTRA>`. */
export function extraEnvName(pluginName: string, extra: 'select' | 'metadata' | 'catalog' | 'state'): string {
  return `${pluginName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}__${extra.toUpperCase()}`;
}

export function settingsToEnv(pluginName: string, config: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(config)) {
    if (value === null || value === undefined) continue;
    env[settingEnvName(pluginName, name)] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return env;
}
