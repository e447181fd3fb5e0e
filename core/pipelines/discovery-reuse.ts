/**
 * When a sync may start from the connector's last stored discovery instead of starting the
 * tap a second time to discover (most of a small sync's fixed cost), the way Meltano reuses
 * a tap's cached catalog until asked to refresh it. jobs/sync-catalog.ts applies it.
 */

/** The connector's last discovery as stored, with what decides whether a sync may start from it (read by last-discovery.ts). */
export type StoredDiscovery = {
  catalog: Record<string, unknown>;
  discoveredAt: Date;
  /** connectors.updated_at: an edited connection may reach other tables, or see them otherwise. */
  connectorChangedAt: Date;
  /** plugins.updated_at: a plugin registered, reinstalled or upgraded since may describe the tables otherwise. */
  pluginChangedAt: Date;
  /** Whether the connector's latest run that succeeded or failed (of any kind) failed. */
  lastRunFailed: boolean;
};

export type ReusePolicy = {
  /** The tap checks each table as it reads it (capability `live-schema`): no age limit, and a failed run says what changed itself. */
  liveSchema: boolean;
  /** SLUICE_DISCOVERY_REUSE_SECONDS: how old a discovery any other tap may start from; 0 discovers before every sync. */
  maxAgeSeconds: number;
  now: Date;
};

export type ReuseDecision =
  | { reuse: true; ageSeconds: number }
  | { reuse: false; why: 'none' | 'off' | 'old' | 'connector-changed' | 'plugin-changed' | 'last-run-failed'; ageSeconds?: number };

/**
 * Whether a sync may start from `stored`. Any tap needs a discovery made after the
 * connector's and the plugin's last change. A `live-schema` tap then always may (it checks
 * the tables itself as it reads them); any other only while the discovery is younger than
 * `maxAgeSeconds` and the connector's last finished run did not fail (a catalog that no
 * longer matches the source fails a sync: the next one looks again).
 *
 * @example
 * reuseDecision(stored, { liveSchema: false, maxAgeSeconds: 3600, now: new Date() })
 * // { reuse: true, ageSeconds: 720 }, or { reuse: false, why: 'old', ageSeconds: 4000 }
 */
export function reuseDecision(stored: StoredDiscovery | undefined, policy: ReusePolicy): ReuseDecision {
  if (!stored) return { reuse: false, why: 'none' };
  // A discovery stored a little ahead of this clock (another machine's) counts as just made.
  const ageSeconds = Math.max(0, Math.floor((policy.now.getTime() - stored.discoveredAt.getTime()) / 1000));
  if (stored.discoveredAt <= stored.connectorChangedAt) return { reuse: false, why: 'connector-changed' };
  if (stored.discoveredAt <= stored.pluginChangedAt) return { reuse: false, why: 'plugin-changed' };
  if (policy.liveSchema) return { reuse: true, ageSeconds };
  if (policy.maxAgeSeconds <= 0) return { reuse: false, why: 'off' };
  if (ageSeconds >= policy.maxAgeSeconds) return { reuse: false, why: 'old', ageSeconds };
  if (stored.lastRunFailed) return { reuse: false, why: 'last-run-failed' };
  return { reuse: true, ageSeconds };
}

/**
 * The run log's line for the decision, in words a non-technical user reads.
 *
 * @example
 * reuseLine({ reuse: true, ageSeconds: 720 }, { liveSchema: false, maxAgeSeconds: 3600, now })
 * // "Using the source's tables as found 12 minutes ago (they are checked again at most once an hour)."
 */
export function reuseLine(decision: ReuseDecision, policy: Omit<ReusePolicy, 'now'>): string {
  if (decision.reuse) {
    const found = `Using the source's tables as found ${ago(decision.ageSeconds)}`;
    return policy.liveSchema
      ? `${found}: this source checks each table as it reads it, so they are not looked at again first.`
      : `${found} (they are checked again at most ${once(policy.maxAgeSeconds)}).`;
  }
  const because: Record<typeof decision.why, string> = {
    none: "this connection's tables have not been looked at yet",
    off: 'this is set to happen before every sync',
    old: `they were last looked at ${ago(decision.ageSeconds ?? 0)} (they are checked again at most ${once(policy.maxAgeSeconds)})`,
    'connector-changed': 'the connection was edited or tested since they were last looked at',
    'plugin-changed': "the source's connector software was installed or updated since they were last looked at",
    'last-run-failed': 'the last run of this connection failed',
  };
  return `Looking at the source's tables first, because ${because[decision.why]}…`;
}

const UNITS = [
  { seconds: 86_400, one: 'a day', many: 'days' },
  { seconds: 3_600, one: 'an hour', many: 'hours' },
  { seconds: 60, one: 'a minute', many: 'minutes' },
] as const;

/** "12 minutes ago", "an hour ago", "less than a minute ago": whole units, rounded down. */
export function ago(seconds: number): string {
  const unit = UNITS.find((u) => seconds >= u.seconds);
  if (!unit) return 'less than a minute ago';
  const n = Math.floor(seconds / unit.seconds);
  return n === 1 ? `${unit.one} ago` : `${n} ${unit.many} ago`;
}

/** "once an hour", "once every 90 minutes", "once every 45 seconds": the largest unit the setting is a whole number of. */
export function once(seconds: number): string {
  const unit = UNITS.find((u) => seconds % u.seconds === 0);
  if (!unit) return seconds === 1 ? 'once a second' : `once every ${seconds} seconds`;
  const n = seconds / unit.seconds;
  return n === 1 ? `once ${unit.one}` : `once every ${n} ${unit.many}`;
}
