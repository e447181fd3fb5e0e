import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { count, eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { connectors, plugins } from '../../db/schema/index.js';
import { settingsFromAbout, labelFromName, type AboutSettings } from '../../meltano/about-settings.js';
import { capabilitiesFromFlags, capabilityWarnings, effectiveCapabilities } from '../../meltano/capabilities.js';
import { helpFlags, installedPackage, readAbout } from '../../meltano/introspect.js';
import { readMeltanoYml, withPluginAdded, withPluginRemoved, withPluginReplaced, writeMeltanoYml, type DefinitionInput } from '../../meltano/meltano-yml.js';
import { parsePluginDefinitions, settingSchema, type PluginDefinition, type PluginKind, type Setting } from '../../meltano/plugins.js';
import { parsePipUrl, parseRequirement, pinnedRequirement, type PipUrl } from '../../meltano/pip-requirement.js';
import { pluginsDir, projectRoot } from '../../meltano/project.js';
import { schemaProblems } from '../../meltano/config-validation.js';
import { configSchemaFor } from '../../meltano/settings-schema.js';
import { installPackage } from '../../meltano/package-install.js';
import { AppError } from '../errors.js';
import { upsertCatalogRow } from './service.js';

/**
 * Registering a plugin from PyPI: the requirement and names checked, the package installed
 * in a scratch venv, its settings and capabilities read from the plugin itself (or taken as
 * given, for a plugin that cannot say), then meltano.yml and the catalog changed together.
 * One registration at a time (a database lock), and a refused one changes nothing.
 */
export type RegistrationInput = {
  name: string;
  pipUrl: string;
  kind?: PluginKind | undefined;
  executable?: string | undefined;
  namespace?: string | undefined;
  label?: string | undefined;
  description?: string | undefined;
  category?: string | undefined;
  setupGuide?: string | undefined;
  logoUrl?: string | undefined;
  docs?: string | undefined;
  /** Declared capabilities; the plugin's own report wins when it gives one. */
  capabilities?: string[] | undefined;
  /** For a plugin that cannot describe its settings (no --about): its settings, as given. */
  settings?: Setting[] | undefined;
  /** The settings it needs (with `settings`). */
  required?: string[] | undefined;
  /**
   * Settings that name files on this server: Sluice keeps each inside the workspace's own
   * files folder (`kind: file`). A plugin cannot say which of its strings are paths.
   */
  fileSettings?: string[] | undefined;
  /** Settings no workspace may change (they keep their default), e.g. a file system root. */
  hiddenSettings?: string[] | undefined;
  /** Settings that are secret though the plugin does not mark them (stored encrypted, never shown). */
  secretSettings?: string[] | undefined;
  /** What people should fill, when the plugin's own `required` is too weak: alternative sets of settings. */
  groups?: string[][] | undefined;
  /** Curated words and choices per setting (label, description, placeholder, advanced, value…), on top of what the plugin says. */
  settingOverrides?: Record<string, Partial<Setting>> | undefined;
};
export type Registration = {
  plugin: PluginDefinition;
  version: string;
  /** From the plugin itself (--about), or as given. */
  settingsFrom: 'plugin' | 'given';
  warnings: string[];
  leftOut: AboutSettings['leftOut'];
};
export type Upgrade = Registration & { removedSettings: string[]; addedSettings: string[]; connectorsUsingRemoved: number };
export type Progress = (line: string) => void;
/** The registry: the catalog's database and the meltano.yml it mirrors. */
export type Registry = { db: Db; meltanoFile: string };

const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const EXECUTABLE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const CATEGORY = /^[a-z][a-z0-9-]{0,30}$/;
const LOGO = /^(?:\/icons\/[a-z0-9][a-z0-9._-]*\.(?:svg|png)|https:\/\/[^\s"'<>]+)$/;
const DOCS = /^https?:\/\/[^\s"'<>]+$/;
const CAPABILITY = /^[a-z][a-z-]{0,40}$/;
// One registry: pg_advisory_xact_lock keys are bigint; this one is ours.
const REGISTRY_LOCK = 0x51_75_1c_e0_01;

const invalid = (field: string, message: string) => new AppError('validation_failed', `${field}: ${message}`, { [field]: [message] });

function kindFor(name: string, kind: PluginKind | undefined): PluginKind {
  if (kind) return kind;
  if (name.startsWith('tap-')) return 'extractor';
  if (name.startsWith('target-')) return 'loader';
  throw invalid('kind', 'is required when the name starts with neither tap- nor target-: extractor (a source) or loader (a destination)');
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !NAME.test(name) || name.length > 60) {
    throw invalid('name', 'must be 1-60 lowercase letters and digits in words joined by single dashes, like tap-github (no spaces, dots, slashes or shell characters)');
  }
}

/** The checks that need nothing installed: names, requirement, texts. Throws naming the field. */
export function checkInput(input: RegistrationInput): { kind: PluginKind; requirement: PipUrl } {
  checkName(input.name);
  const requirement = parsePipUrl(input.pipUrl);
  if (!requirement.ok) throw invalid('pip_url', requirement.reason);
  const kind = kindFor(input.name, input.kind);
  if (input.executable !== undefined && (!EXECUTABLE.test(input.executable) || input.executable.length > 80)) throw invalid('executable', 'must be a program name (letters, digits, - _ .), not a path');
  if (input.namespace !== undefined && !/^[a-z_][a-z0-9_]{0,60}$/.test(input.namespace)) throw invalid('namespace', 'must be lowercase letters, digits and _');
  if (input.category !== undefined && !CATEGORY.test(input.category)) throw invalid('category', 'must be a lowercase word like database, file or crm');
  if (input.logoUrl !== undefined && !LOGO.test(input.logoUrl)) throw invalid('logo_url', 'must be an icon the app serves (/icons/<name>.svg) or an https:// address');
  if (input.docs !== undefined && !DOCS.test(input.docs)) throw invalid('docs', 'must be an http(s):// address');
  for (const [field, value, max] of [['label', input.label, 80], ['description', input.description, 500], ['setup_guide', input.setupGuide, 2000]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '' || value.length > max)) throw invalid(field, `must be text of 1-${max} characters`);
  }
  for (const c of input.capabilities ?? []) if (!CAPABILITY.test(c)) throw invalid('capabilities', `"${c}" is not a capability name (lowercase words with -, like state or discover)`);
  if (input.settings) {
    input.settings.forEach((s, i) => {
      const parsed = settingSchema.safeParse(s);
      if (!parsed.success) throw invalid(`settings.${i}`, parsed.error.issues[0]!.message);
    });
    const names = new Set(input.settings.map((s) => s.name));
    for (const r of input.required ?? []) if (!names.has(r)) throw invalid('required', `names "${r}", which is not one of the settings given`);
  }
  for (const [name, override] of Object.entries(input.settingOverrides ?? {})) {
    const parsed = settingSchema.partial().safeParse(override);
    if (!parsed.success) throw invalid(`setting_overrides.${name}`, parsed.error.issues[0]!.message);
  }
  return { kind, requirement };
}

async function inRegistry<T>({ db }: Registry, fn: (tx: DbOrTx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${REGISTRY_LOCK})`);
    return fn(tx);
  });
}

type Introspection = { version: string; executable: string; pipUrl: string; capabilities: string[]; settings: Setting[]; groups: string[][]; settingsFrom: 'plugin' | 'given'; warnings: string[]; leftOut: AboutSettings['leftOut'] };

/** Installs the requirement in a scratch venv and asks the plugin about itself; the venv is removed afterwards. */
async function introspect(input: RegistrationInput, kind: PluginKind, pipUrlParsed: PipUrl, onLine: Progress): Promise<Introspection> {
  const requirement = pipUrlParsed.main;
  const scratch = path.join(projectRoot, '.meltano', '.registering', `${input.name}-${randomBytes(4).toString('hex')}`);
  await mkdir(scratch, { recursive: true });
  try {
    const venvDir = path.join(scratch, 'venv');
    onLine(`Installing ${pipUrlParsed.text} from PyPI to read what it can do…`);
    const outcome = await installPackage({ venvDir, pipUrl: pipUrlParsed.text, subject: requirement.rawName, onLine: (line) => onLine(`  ${line}`) });
    if (!outcome.ok) throw new AppError(outcome.transient ? 'unavailable' : 'validation_failed', outcome.message, { pip_url: [outcome.message] });
    const installed = await installedPackage(venvDir, requirement.name);
    if (!installed) throw invalid('pip_url', `${requirement.text} installed, but its package could not be found in the venv afterwards`);
    const singerLike = installed.programs.filter((p) => p.startsWith('tap-') || p.startsWith('target-'));
    const executable = input.executable
      ?? installed.programs.find((p) => p === input.name)
      ?? (singerLike.length === 1 ? singerLike[0] : installed.programs.length === 1 ? installed.programs[0] : undefined);
    if (installed.programs.length === 0) throw invalid('pip_url', `${requirement.rawName} ${installed.version} installs no program to run, so it is not a Singer ${kind === 'extractor' ? 'tap' : 'target'}`);
    if (!executable || !installed.programs.includes(executable)) {
      throw invalid('executable', `${input.executable ? `"${input.executable}" is not a program of ${requirement.rawName}; ` : ''}say which program runs it: one of ${installed.programs.join(', ')}`);
    }
    const program = path.join(venvDir, 'bin', executable);
    const pipUrl = [requirement.pinned ? requirement.text : pinnedRequirement(requirement, installed.version), ...pipUrlParsed.companions.map((c) => c.text)].join(' ');

    onLine(`Asking ${executable} ${installed.version} about its settings (--about)…`);
    const about = await readAbout(program);
    if (about.ok) {
      const converted = settingsFromAbout(about.about.settings);
      const reported = about.about.capabilities;
      return {
        version: installed.version, executable, pipUrl,
        capabilities: effectiveCapabilities(input.capabilities, reported, true),
        settings: converted.settings, groups: converted.groups, settingsFrom: 'plugin', leftOut: converted.leftOut,
        warnings: capabilityWarnings(kind, input.capabilities, reported, true),
      };
    }
    onLine(`It cannot describe itself (${about.reason}); checking its --help…`);
    const help = await helpFlags(program);
    if (!help.flags.has('config')) {
      throw invalid('pip_url', `${requirement.rawName}'s program ${executable} does not take a --config file, so it is not a Singer ${kind === 'extractor' ? 'tap' : 'target'}`);
    }
    if (kind === 'extractor' && !help.flags.has('discover') && !help.flags.has('catalog') && !help.flags.has('properties') && !help.flags.has('state')) {
      throw invalid('pip_url', `${executable} takes --config but none of --discover, --catalog, --properties or --state, so it is not a Singer tap`);
    }
    if (!input.settings || input.settings.length === 0) {
      throw invalid('settings', `${executable} cannot describe its settings (${about.reason}). Give them yourself, e.g. --setting api_key:string:secret --setting start_date:date_iso8601 --required api_key`);
    }
    const reported = capabilitiesFromFlags(help.flags);
    return {
      version: installed.version, executable, pipUrl,
      capabilities: effectiveCapabilities(input.capabilities, reported, false),
      settings: input.settings, groups: input.required && input.required.length > 0 ? [input.required] : [],
      settingsFrom: 'given', leftOut: [],
      warnings: capabilityWarnings(kind, input.capabilities, input.capabilities ?? reported, false),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

// Names and help that suggest a setting names files on this server (a plugin cannot say so).
const LOOKS_LIKE_FILES = /(^|[._])(path|paths|file|files|dir|directory|folder|root|glob)($|[._])|file ?system|directory|glob/i;

// Names that hold credentials, whatever the plugin says: secrets are the one mistake we cannot undo.
const LOOKS_SECRET = /(^|[_.])(password|passwd|secret|token|api_?key|private_?key|access_?key|secret_?key|passphrase|credentials?)($|[_.])/i;
const NOT_SECRET = /(url|uri|endpoint|type|method|enabled|expiry|expires_at|path|file|location|header|name|id)$/i;

/** Marks file, hidden and secret settings as asked (and by name), applies curated overrides; warns about settings that look like paths. */
function applyFileAndHidden(input: RegistrationInput, found: Introspection) {
  const names = new Set(found.settings.map((s) => s.name));
  for (const [field, list] of [['file_settings', input.fileSettings], ['hidden_settings', input.hiddenSettings], ['secret_settings', input.secretSettings], ['setting_overrides', Object.keys(input.settingOverrides ?? {})], ['groups', (input.groups ?? []).flat()]] as const) {
    for (const n of list ?? []) if (!names.has(n)) throw invalid(field, `names "${n}", which is not one of its settings (${[...names].join(', ')})`);
  }
  found.settings = found.settings.map((plain) => {
    const override = input.settingOverrides?.[plain.name];
    let s: Setting = override ? { ...plain, ...override, name: plain.name } : plain;
    if (!s.sensitive && (input.secretSettings?.includes(s.name) || (LOOKS_SECRET.test(s.name) && !NOT_SECRET.test(s.name) && ['string', 'object', 'array', 'password', 'oauth'].includes(s.kind)))) {
      if (!input.secretSettings?.includes(s.name)) found.warnings.push(`The setting ${s.name} is kept secret (encrypted, never shown) because of its name, though the plugin does not mark it.`);
      s = { ...s, sensitive: true };
    }
    if (input.hiddenSettings?.includes(s.name)) return { ...s, kind: 'hidden' as const };
    if (input.fileSettings?.includes(s.name)) {
      const { json_schema: _, ...rest } = s;
      return { ...rest, kind: 'file' as const };
    }
    if (s.kind !== 'file' && s.kind !== 'hidden' && !s.sensitive && (LOOKS_LIKE_FILES.test(s.name) || LOOKS_LIKE_FILES.test(s.description ?? ''))) {
      found.warnings.push(`The setting ${s.name} may name files or folders on this server. Mark it as a file setting (--file-setting ${s.name}) so Sluice keeps it inside each workspace's files folder, or hide it (--hide-setting ${s.name}).`);
    }
    return s;
  });
  if (input.groups) found.groups = input.groups;
  found.groups = found.groups.map((g) => g.filter((n) => !input.hiddenSettings?.includes(n))).filter((g) => g.length > 0);
}

function definitionFrom(input: RegistrationInput, found: Introspection): DefinitionInput {
  const bare = input.name.replace(/^(tap|target)-/, '');
  const label = input.label ?? labelFromName(bare);
  return {
    name: input.name,
    label,
    description: input.description ?? `Data from ${label}.`,
    category: input.category ?? 'other',
    setup_guide: input.setupGuide ?? `Fill in the settings below with the details from your ${label} account.`,
    ...(input.logoUrl ? { logo_url: input.logoUrl } : {}),
    ...(input.docs ? { docs: input.docs } : {}),
    namespace: input.namespace ?? input.name.replace(/-/g, '_'),
    pip_url: found.pipUrl,
    executable: found.executable,
    capabilities: found.capabilities,
    settings: found.settings,
    settings_group_validation: found.groups,
  };
}

/** Writes meltano.yml, then the catalog row in the same transaction; puts meltano.yml back if the row fails. */
async function commitDefinition(file: string, tx: DbOrTx, kind: PluginKind, change: (text: string) => string, definition: DefinitionInput | undefined, name: string) {
  const before = await readMeltanoYml(file);
  const after = change(before);
  // What we write must read back as a valid definition (the same parser every process uses),
  // whose settings schema the validator can use for every connection's config.
  const parsed = parsePluginDefinitions(after).find((p) => p.name === name);
  const problems = parsed ? schemaProblems(configSchemaFor(parsed)) : [];
  if (problems.length > 0) throw invalid('settings', `cannot be used as a form and checked: ${problems.slice(0, 3).join('; ')}`);
  await writeMeltanoYml(after, file);
  try {
    if (definition) await upsertCatalogRow(tx, parsed!);
    else await tx.delete(plugins).where(eq(plugins.name, name));
  } catch (error) {
    await writeMeltanoYml(before, file);
    throw error;
  }
  return parsed;
}

export async function registerPlugin(registry: Registry, input: RegistrationInput, onLine: Progress = () => undefined): Promise<Registration> {
  const { kind, requirement } = checkInput(input);
  return inRegistry(registry, async (tx) => {
    const existing = await tx.select({ name: plugins.name }).from(plugins).where(eq(plugins.name, input.name));
    const inFile = parsePluginDefinitions(await readMeltanoYml(registry.meltanoFile)).some((p) => p.name === input.name);
    if (existing.length > 0 || inFile) throw new AppError('conflict', `There is already a connector type named ${input.name}. Pick another name, or upgrade it with: plugins upgrade ${input.name}`, { name: ['is taken'] });
    const found = await introspect(input, kind, requirement, onLine);
    applyFileAndHidden(input, found);
    const definition = definitionFrom(input, found);
    const plugin = await commitDefinition(registry.meltanoFile, tx, kind, (text) => withPluginAdded(text, kind, definition), definition, input.name);
    onLine(`Registered ${input.name} (${found.pipUrl}) with ${found.settings.length} settings; it is installed on each worker when first used.`);
    return { plugin: plugin!, version: found.version, settingsFrom: found.settingsFrom, warnings: found.warnings, leftOut: found.leftOut };
  });
}

/**
 * Re-reads a registered plugin at a new requirement (or the newest release of its package):
 * settings that stay keep the labels and help written for them; settings the plugin no
 * longer has are reported with how many connections hold a value for them.
 */
/** `fileSettings`/`hiddenSettings` add to those already marked. */
export type UpgradeOptions = { pipUrl?: string | undefined; fileSettings?: string[] | undefined; hiddenSettings?: string[] | undefined };

export async function upgradePlugin(registry: Registry, name: string, { pipUrl, fileSettings = [], hiddenSettings = [] }: UpgradeOptions = {}, onLine: Progress = () => undefined): Promise<Upgrade> {
  checkName(name);
  return inRegistry(registry, async (tx) => {
    const current = parsePluginDefinitions(await readMeltanoYml(registry.meltanoFile)).find((p) => p.name === name);
    if (!current) throw new AppError('not_found', `There is no connector type named ${name} in meltano.yml.`);
    if (!current.pip_url) throw new AppError('conflict', `${name} is part of Sluice (it has no PyPI package) and is upgraded with Sluice itself.`);
    const currentRequirement = parseRequirement(current.pip_url);
    // No new requirement: the newest release of the same package.
    const wanted = pipUrl ?? (currentRequirement.ok ? currentRequirement.rawName + (currentRequirement.extras.length ? `[${currentRequirement.extras.join(',')}]` : '') : current.pip_url);
    const input: RegistrationInput = {
      name, pipUrl: wanted, kind: current.kind, executable: current.executable, namespace: current.namespace,
      label: current.label, description: current.description, category: current.category, setupGuide: current.setup_guide,
      logoUrl: current.logo_url, docs: current.docs, capabilities: current.capabilities,
      settings: current.settings, required: current.settings_group_validation[0],
      fileSettings: [...current.settings.filter((s) => s.kind === 'file').map((s) => s.name), ...fileSettings],
      hiddenSettings: [...current.settings.filter((s) => s.kind === 'hidden').map((s) => s.name), ...hiddenSettings],
      secretSettings: current.settings.filter((s) => s.sensitive).map((s) => s.name),
    };
    const { kind, requirement } = checkInput(input);
    const found = await introspect(input, kind, requirement, onLine);
    const old = new Map(current.settings.map((s) => [s.name, s]));
    // What people wrote for a setting outlives the upgrade; what the plugin says about its type wins.
    found.settings = found.settings.map((s) => {
      const before = old.get(s.name);
      if (!before || found.settingsFrom === 'given') return s;
      const merged = { ...s, label: before.label ?? s.label, description: before.description ?? s.description, placeholder: before.placeholder ?? s.placeholder, ...(before.advanced ? { advanced: true } : {}) };
      // A schema someone marked (x-kind: file or url-path inside a list) is a guard: an upgrade keeps it, and says so.
      if (before.json_schema && JSON.stringify(before.json_schema).includes('"x-kind"')) {
        found.warnings.push(`Kept the hand-marked schema of the setting ${s.name} (it marks paths Sluice must police); check it against what this version takes.`);
        return { ...merged, json_schema: before.json_schema };
      }
      return merged;
    });
    const known = new Set(found.settings.map((s) => s.name));
    // Marks the old version had for settings that are gone drop silently; new ones asked for must exist.
    input.fileSettings = input.fileSettings?.filter((n) => known.has(n) || fileSettings.includes(n));
    input.hiddenSettings = input.hiddenSettings?.filter((n) => known.has(n) || hiddenSettings.includes(n));
    input.secretSettings = input.secretSettings?.filter((n) => known.has(n));
    applyFileAndHidden(input, found);
    if (found.groups.length === 0) found.groups = current.settings_group_validation.map((g) => g.filter((n) => known.has(n))).filter((g) => g.length > 0);
    const removedSettings = current.settings.map((s) => s.name).filter((n) => !known.has(n));
    const addedSettings = found.settings.map((s) => s.name).filter((n) => !old.has(n));
    const [{ value: connectorsUsingRemoved } = { value: 0 }] = removedSettings.length === 0 ? [] : await tx.select({ value: count() }).from(connectors).where(eq(connectors.pluginName, name));
    const definition = definitionFrom(input, found);
    const plugin = await commitDefinition(registry.meltanoFile, tx, kind, (text) => withPluginReplaced(text, kind, definition), definition, name);
    onLine(`Upgraded ${name} from ${current.pip_url} to ${found.pipUrl}.`);
    for (const s of removedSettings) onLine(`  The setting ${s} is gone in this version${connectorsUsingRemoved ? `: ${connectorsUsingRemoved} connection(s) of this type no longer pass their value for it` : ''}.`);
    for (const s of addedSettings) onLine(`  New setting: ${s}.`);
    return { plugin: plugin!, version: found.version, settingsFrom: found.settingsFrom, warnings: found.warnings, leftOut: found.leftOut, removedSettings, addedSettings, connectorsUsingRemoved };
  });
}

/** Removes a plugin from meltano.yml and the catalog; refused while any connection uses it. */
export async function removePlugin(registry: Registry, name: string): Promise<void> {
  checkName(name);
  await inRegistry(registry, async (tx) => {
    const current = parsePluginDefinitions(await readMeltanoYml(registry.meltanoFile)).find((p) => p.name === name);
    const [row] = await tx.select({ name: plugins.name, kind: plugins.kind }).from(plugins).where(eq(plugins.name, name));
    if (!current && !row) throw new AppError('not_found', `There is no connector type named ${name}.`);
    const [{ value: used } = { value: 0 }] = await tx.select({ value: count() }).from(connectors).where(eq(connectors.pluginName, name));
    if (used > 0) throw new AppError('conflict', `${used} connection(s) use ${name}. Delete them first (in every workspace), then remove it.`);
    if (current) await commitDefinition(registry.meltanoFile, tx, current.kind, (text) => withPluginRemoved(text, current.kind, name), undefined, name);
    else await tx.delete(plugins).where(eq(plugins.name, name));
    // This machine's install goes too (no connection uses it, so no run has it open); other workers keep theirs until they are rebuilt.
    const kind = current?.kind ?? row?.kind ?? 'extractor';
    await rm(path.join(pluginsDir, `${kind}s`, name), { recursive: true, force: true });
  });
}
