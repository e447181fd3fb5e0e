import { fieldErrorsInWords, InvalidSchemaError, settingOf, validateConfig } from '../meltano/config-validation.js';
import { explainFailure } from '../meltano/failure-reasons.js';
import type { LineSource, PluginSpec } from '../meltano/plugin-process.js';
import { withRunDir } from '../meltano/run-dir.js';
import type { SpawnResult } from '../meltano/spawn.js';
import type { WorkerDeps } from './deps.js';
import { discoverCatalog, prepareTap, streamsOf } from './discover.js';
import type { AccessResult, CheckedEndpoint } from '../core/connectors/access-policy.js';
import { readRecords } from './preview.js';
import { checkEndpoint } from './reachability.js';
import type { NotReady } from './plugin-ready.js';

export type StageName = 'settings' | 'network' | 'install' | 'discovery' | 'first_record';
export type StageResult = { stage: StageName; label: string; ok: boolean; seconds: number; message?: string; settings?: string[] };
export type TestOutcome = { ok: boolean; stages: StageResult[]; message: string | null; transient: boolean; streams?: ReturnType<typeof streamsOf>; catalog?: Record<string, unknown>; cancelled: boolean; timedOut: boolean };

const LABELS: Record<Exclude<StageName, 'install'>, string> = {
  settings: 'Checking the settings',
  network: 'Reaching the server',
  discovery: 'Listing what can be synced',
  first_record: 'Reading a first record',
};

/**
 * A connection test in stages, each a plain-words step the wizard shows: settings valid →
 * servers reachable (DNS, TCP, TLS) → the tap's discovery → a first record. The first
 * failing stage stops the test and names itself, the settings most likely at fault, and the
 * reason. Sources run all four; destinations stop after the network. A source whose plugin
 * this machine has not installed yet gets one more stage before its discovery, `install`
 * (its label names the connector), whose time does not count against the test's limit.
 */
export async function runStagedTest(
  deps: Pick<WorkerDeps, 'env'>,
  input: {
    plugin: PluginSpec;
    kind: 'extractor' | 'loader';
    schema: Record<string, unknown>;
    config: Record<string, unknown>;
    /** The connector access policy (core/connectors/access-policy.ts) applied to a config. */
    access: (config: Record<string, unknown>) => Promise<AccessResult>;
    /** Hides the run's secrets: failures are explained from scrubbed lines only, so no secret reaches a stored message. */
    scrub: (text: string) => string;
    onLine: (line: string, source?: LineSource) => void;
    onStage: (stage: StageResult) => void;
    /** Given when the plugin must be installed first (jobs/plugin-ready.ts): the stage's label and the install. */
    install?: { label: string; run: () => Promise<NotReady | undefined> } | undefined;
    signal?: AbortSignal | undefined;
    timeoutMs: number;
  },
): Promise<TestOutcome> {
  let deadline = Date.now() + input.timeoutMs;
  const stages: StageResult[] = [];
  const outcome = (extra: Partial<TestOutcome> = {}): TestOutcome => {
    const failed = stages.find((s) => !s.ok);
    // An install's reason already says what failed ("Could not install …").
    const message = failed ? (failed.stage === 'install' ? (failed.message ?? null) : `${failed.label} failed: ${failed.message}`) : null;
    return { ok: !failed, stages, message, transient: false, cancelled: false, timedOut: false, ...extra };
  };
  const run = async (stage: StageName, fn: () => Promise<{ ok: boolean; message?: string; settings?: string[] }>, label = LABELS[stage as Exclude<StageName, 'install'>]) => {
    const started = Date.now();
    const result = await fn();
    const done: StageResult = { stage, label, ok: result.ok, seconds: (Date.now() - started) / 1000, ...(result.message ? { message: result.message } : {}), ...(result.settings ? { settings: result.settings } : {}) };
    stages.push(done);
    input.onStage(done);
    return done.ok;
  };

  // Settings: valid for the plugin, then allowed by the access policy (servers and files it
  // names). What follows uses the pinned config and the addresses the policy checked.
  let config = input.config;
  let endpoints: CheckedEndpoint[] = [];
  const settingsOk = await run('settings', async () => {
    let fields: ReturnType<typeof validateConfig>;
    try {
      fields = validateConfig(input.schema, input.config);
    } catch (error) {
      if (error instanceof InvalidSchemaError) return { ok: false, message: `${error.message} A platform admin must fix or register this connector type again.` };
      throw error;
    }
    const keys = Object.keys(fields);
    // The settings at fault, not the paths inside them (`streams.0.name` is about `streams`).
    if (keys.length > 0) return { ok: false, message: fieldErrorsInWords(input.schema, fields), settings: [...new Set(keys.map((k) => settingOf(input.schema, k)))] };
    const access = await input.access(input.config);
    if (!access.ok) return { ok: false, message: access.message, settings: Object.keys(access.fields) };
    config = access.config;
    endpoints = access.endpoints;
    return { ok: true };
  });
  if (!settingsOk) return outcome();

  let networkTransient = false;
  const networkOk = await run('network', async () => {
    for (const endpoint of endpoints) {
      const reach = await checkEndpoint(endpoint, Math.min(10_000, Math.max(1_000, deadline - Date.now())));
      if (!reach.ok) {
        networkTransient = /refused|did not answer/.test(reach.message);
        return reach;
      }
    }
    return { ok: true };
  });
  if (!networkOk) return outcome({ transient: networkTransient });
  if (input.kind === 'loader') return outcome();

  if (input.install) {
    const install = input.install;
    const started = Date.now();
    let notReady: NotReady | undefined;
    const installed = await run('install', async () => {
      notReady = await install.run();
      return notReady ? { ok: false, message: notReady.message } : { ok: true };
    }, install.label);
    if (!installed) return outcome({ transient: notReady?.transient ?? false, cancelled: notReady?.cancelled ?? false });
    // Installing is this machine's first-use cost, not the source's: the test's own time starts after it.
    deadline += Date.now() - started;
  }

  const lines: string[] = [];
  const collect = (line: string, source?: LineSource) => {
    lines.push(input.scrub(line));
    if (lines.length > 300) lines.shift();
    input.onLine(line, source);
  };
  let discovered: Awaited<ReturnType<typeof discoverCatalog>> | undefined;
  const discoveryOk = await run('discovery', async () => {
    discovered = await discoverCatalog({ plugin: input.plugin, config, onLine: collect, signal: input.signal, timeoutMs: Math.max(1_000, deadline - Date.now()) });
    if (discovered.result.exitCode === 0 && discovered.catalog) return { ok: true };
    if (discovered.result.cancelled) return { ok: false, message: 'the test was cancelled' };
    if (discovered.result.timedOut) return { ok: false, message: 'the source did not finish listing its tables (or streams) in time' };
    const reason = explainFailure(lines);
    return { ok: false, message: reason.message, settings: reason.settings };
  });
  const streams = discovered?.catalog ? streamsOf(discovered.catalog) : undefined;
  const found = { ...(streams ? { streams } : {}), ...(discovered?.catalog ? { catalog: discovered.catalog as Record<string, unknown> } : {}) };
  if (!discoveryOk) return outcome({ cancelled: discovered?.result.cancelled ?? false, timedOut: discovered?.result.timedOut ?? false, transient: explainFailure(lines).transient, ...found });

  lines.length = 0;
  let firstRecord: SpawnResult | undefined;
  await run('first_record', async () => {
    // The tap reads its whole discovered catalog and is stopped at the first RECORD it prints.
    const read = await withRunDir(async (runDir) =>
      readRecords(runDir, await prepareTap(runDir, input.plugin, config), {
        plugin: input.plugin,
        config,
        onLine: collect,
        signal: input.signal,
        timeoutMs: Math.max(1_000, deadline - Date.now()),
        catalog: discovered!.catalog!,
        streams: streams?.map((s) => s.stream) ?? [],
        onRecord: () => false,
      }),
    );
    firstRecord = read.result;
    if (read.enough) return { ok: true };
    if (firstRecord.cancelled) return { ok: false, message: 'the test was cancelled' };
    if (firstRecord.timedOut) return { ok: false, message: 'no record arrived in time' };
    if (firstRecord.exitCode === 0) return { ok: false, message: 'the source has nothing to read: are there tables (or files) the connection can see?' };
    const reason = explainFailure(lines);
    return { ok: false, message: reason.message, settings: reason.settings };
  });
  return outcome({ cancelled: firstRecord?.cancelled ?? false, timedOut: firstRecord?.timedOut ?? false, transient: explainFailure(lines).transient, ...found });
}
