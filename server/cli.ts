// `npm run sluice -- <command>`: operator commands for tenants, tokens, users, platform admins, plugins and keys.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createDb } from '../db/client.js';
import { rotateMasterKey } from '../db/key-rotation.js';
import { keyringFrom } from '../db/keyring.js';
import { acceptPath, createInvitation } from '../core/accounts/invitations.js';
import { createAccount } from '../core/accounts/service.js';
import type { Actor } from '../core/audit/service.js';
import { EnvError, loadEnvPart } from '../core/env.js';
import { AppError } from '../core/errors.js';
import * as tenants from '../core/tenants/service.js';
import { setPlatformAdmin } from '../core/accounts/service.js';
import { listPlugins } from '../core/plugins/service.js';
import { registerPlugin, removePlugin, upgradePlugin, type Registration } from '../core/plugins/registration.js';
import { parseSettingFlag } from '../core/plugins/setting-flag.js';
import type { PluginKind } from '../meltano/plugins.js';

const USAGE = `Usage: npm run sluice -- <command>
  tenants create <slug> [--name "Acme Inc"]         create a tenant and print an owner API token
  tokens create --tenant <slug> --role <owner|admin|viewer> [--name <label>]
  users create --tenant <slug> --email <email> --role <owner|admin|viewer> [--name <name>]
                                                    a NEW account only (password from SLUICE_NEW_PASSWORD,
                                                    or one is generated and printed); refuses a known email
  users invite --tenant <slug> --email <email> --role <owner|admin|viewer>
                                                    print a single-use invitation token (7 days): the person
                                                    accepts it and sets or confirms their own password
  tokens create ... --platform-admin                also lets the token change the connector catalog
  admins grant <email> | admins revoke <email>      let an account change the connector catalog (or stop it)
  plugins add <name> --pip-url <package==version>   register a Singer tap or target from PyPI: installs it in a
        [--label L] [--category C] [--description D] scratch venv, reads its settings from the plugin itself
        [--setup-guide G] [--logo-url /icons/x.svg]  (--about) and adds it to meltano.yml and the catalog
        [--docs URL] [--executable E] [--kind extractor|loader] [--capabilities state,discover,catalog]
        [--setting name[:kind][:secret]]... [--required a,b]   settings, for a plugin that cannot describe itself
        [--file-setting a,b]                         settings that name files (kept inside each workspace's folder)
        [--hide-setting a,b]                         settings no workspace may change (they keep their default)
        [--secret-setting a,b]                       secrets the plugin does not mark (names like token or password are kept secret anyway)
  plugins list                                      every registered connector type
  plugins upgrade <name> [--pip-url <req>]          re-read it at a new version (default: the newest); reports
        [--file-setting a,b] [--hide-setting a,b]
                                                    settings that disappeared
  plugins remove <name>                             refused while connections use it
  keys generate                                     print a new random master key
  keys rotate                                       re-wrap every data key under SLUICE_MASTER_KEY
                                                    (old keys in SLUICE_PREVIOUS_MASTER_KEYS=<id>:<key>,...)`;

const cli: Actor = { type: 'system', id: null, label: 'sluice cli' };
let meltanoYml: string | undefined;
const out = (line: string) => void process.stdout.write(`${line}\n`);
class UsageError extends Error {}

const roleOf = (value: string | undefined): tenants.Role => {
  if (value === 'owner' || value === 'admin' || value === 'viewer') return value;
  throw new UsageError(`--role must be owner, admin or viewer${value ? ` (got "${value}")` : ''}`);
};

async function tenantOrFail(db: ReturnType<typeof createDb>['db'], slug: string | undefined) {
  if (!slug) throw new UsageError('--tenant <slug> is required');
  const tenant = await tenants.findTenantBySlug(db, slug);
  if (!tenant) throw new UsageError(`There is no tenant "${slug}". Create it with: npm run sluice -- tenants create ${slug}`);
  return tenant;
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' }, tenant: { type: 'string' }, role: { type: 'string' }, email: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      'platform-admin': { type: 'boolean' },
      'pip-url': { type: 'string' }, kind: { type: 'string' }, executable: { type: 'string' }, namespace: { type: 'string' }, label: { type: 'string' },
      category: { type: 'string' }, description: { type: 'string' }, 'setup-guide': { type: 'string' }, 'logo-url': { type: 'string' }, docs: { type: 'string' },
      capabilities: { type: 'string' }, setting: { type: 'string', multiple: true }, required: { type: 'string' },
      'file-setting': { type: 'string' }, 'hide-setting': { type: 'string' }, 'secret-setting': { type: 'string' },
    },
  });
  const [noun, verb, arg] = positionals;
  if (values.help || !noun) return out(USAGE);
  const command = `${noun} ${verb ?? ''}`.trim();
  if (command === 'keys generate') return out(randomBytes(32).toString('base64'));

  const env = loadEnvPart(command === 'keys rotate' ? ['DATABASE_URL', 'SLUICE_MASTER_KEY', 'SLUICE_MASTER_KEY_ID', 'SLUICE_PREVIOUS_MASTER_KEYS'] : ['DATABASE_URL', 'SLUICE_MELTANO_FILE']);
  meltanoYml = (env as { SLUICE_MELTANO_FILE?: string }).SLUICE_MELTANO_FILE;
  const { db, close } = createDb(env.DATABASE_URL, { max: 2 });
  try {
    switch (command) {
      case 'tenants create': {
        if (!arg) throw new UsageError('tenants create needs a slug, e.g. tenants create acme');
        const { tenant, token } = await db.transaction(async (tx) => {
          const tenant = await tenants.createTenant(tx, arg, values.name ?? arg);
          return { tenant, ...(await tenants.createToken(tx, tenant.id, 'owner (created by sluice cli)', 'owner', { actor: cli })) };
        });
        out(`Created tenant "${tenant.slug}". Owner API token (shown once; store it now):\n${token}`);
        return;
      }
      case 'tokens create': {
        const tenant = await tenantOrFail(db, values.tenant);
        const { token } = await tenants.createToken(db, tenant.id, values.name ?? 'created by sluice cli', roleOf(values.role), { actor: cli }, { platformAdmin: values['platform-admin'] === true });
        out(token);
        return;
      }
      case 'users create': {
        const tenant = await tenantOrFail(db, values.tenant);
        if (!values.email) throw new UsageError('--email is required');
        const generated = !process.env.SLUICE_NEW_PASSWORD;
        const password = process.env.SLUICE_NEW_PASSWORD || randomBytes(12).toString('base64url');
        await createAccount(db, { tenantId: tenant.id, email: values.email, name: values.name, password, role: roleOf(values.role), actor: cli });
        out(`Created ${values.email} in "${tenant.slug}" as ${values.role}.${generated ? ` Password (shown once): ${password}` : ''}`);
        return;
      }
      case 'users invite': {
        const tenant = await tenantOrFail(db, values.tenant);
        if (!values.email) throw new UsageError('--email is required');
        const { invitation, token } = await createInvitation(db, { tenantId: tenant.id, tenantSlug: tenant.slug, actor: cli }, { email: values.email, role: roleOf(values.role) });
        out(`Invited ${invitation.email} to "${tenant.slug}" as ${invitation.role} until ${invitation.expiresAt.toISOString()}.`);
        out(`Hand this token to them only (shown once); they accept at ${acceptPath(token)} or POST /api/v1/auth/accept-invitation:\n${token}`);
        return;
      }
      case 'admins grant':
      case 'admins revoke': {
        if (!arg) throw new UsageError(`${command} needs an email, e.g. ${command} ana@example.com`);
        const changed = await setPlatformAdmin(db, arg, verb === 'grant');
        if (!changed) throw new UsageError(`There is no account with the email ${arg}. Create it first: npm run sluice -- users create --tenant <slug> --email ${arg} --role owner`);
        out(verb === 'grant' ? `${arg} can now add, upgrade and remove connector types.` : `${arg} can no longer change the connector catalog.`);
        return;
      }
      case 'plugins add':
      case 'plugins upgrade':
      case 'plugins remove':
      case 'plugins list':
        return await pluginCommand(db, verb!, arg, values);
      case 'keys rotate': {
        const keyring = keyringFrom(env as Parameters<typeof keyringFrom>[0]);
        const count = await rotateMasterKey(db, keyring);
        out(`Re-wrapped ${count} data key(s) under master key "${keyring.current.id}". Once every process runs with this key, remove the old ones from SLUICE_PREVIOUS_MASTER_KEYS.`);
        return;
      }
      default:
        throw new UsageError(`Unknown command "${command}".\n${USAGE}`);
    }
  } finally {
    await close();
  }
}

type Values = Record<string, string | boolean | string[] | undefined>;
const str = (values: Values, key: string) => (typeof values[key] === 'string' ? (values[key] as string) : undefined);
const list = (value: string | undefined) => value?.split(',').map((v) => v.trim()).filter(Boolean);

function printRegistration(r: Registration) {
  const p = r.plugin;
  out(`${p.name}: ${p.label} (${p.kind}), ${p.pip_url}, program ${p.executable}`);
  out(`  ${p.settings.length} settings ${r.settingsFrom === 'plugin' ? 'read from the plugin itself' : 'as given'}${p.settings.some((s) => s.sensitive) ? `; secret: ${p.settings.filter((s) => s.sensitive).map((s) => s.name).join(', ')}` : ''}`);
  if (p.settings_group_validation.length > 0) out(`  required: ${p.settings_group_validation.map((g) => g.join(', ')).join(' or ')}`);
  out(`  capabilities: ${p.capabilities.join(', ') || 'none'}`);
  for (const l of r.leftOut) out(`  left out: ${l.name} (${l.why})`);
  for (const w of r.warnings) out(`Warning: ${w}`);
}

async function pluginCommand(db: ReturnType<typeof createDb>['db'], verb: string, name: string | undefined, values: Values) {
  const registry = { db, meltanoFile: meltanoYml! };
  const progress = (line: string) => void process.stderr.write(`${line}\n`);
  if (verb === 'list') {
    for (const p of await listPlugins(db)) out(`${p.name.padEnd(28)} ${p.kind.padEnd(9)} ${(p.pipUrl ?? '(part of Sluice)').padEnd(40)} ${p.label}`);
    return;
  }
  if (!name) throw new UsageError(`plugins ${verb} needs a name, e.g. plugins ${verb} tap-github`);
  if (verb === 'remove') {
    await removePlugin(registry, name);
    out(`Removed ${name} from meltano.yml and the catalog.`);
    return;
  }
  if (verb === 'upgrade') {
    const result = await upgradePlugin(registry, name, { pipUrl: str(values, 'pip-url'), fileSettings: list(str(values, 'file-setting')), hiddenSettings: list(str(values, 'hide-setting')) }, progress);
    printRegistration(result);
    for (const s of result.removedSettings) out(`Removed setting: ${s}${result.connectorsUsingRemoved ? ` (${result.connectorsUsingRemoved} connection(s) of this type no longer pass a value for it)` : ''}`);
    for (const s of result.addedSettings) out(`New setting: ${s}`);
    return;
  }
  const pipUrl = str(values, 'pip-url');
  if (!pipUrl) throw new UsageError('plugins add needs --pip-url <package==version>, e.g. --pip-url meltanolabs-tap-github==1.30.1');
  const kind = str(values, 'kind');
  if (kind !== undefined && kind !== 'extractor' && kind !== 'loader') throw new UsageError('--kind must be extractor or loader');
  const settingFlags = (values.setting as string[] | undefined) ?? [];
  const result = await registerPlugin(registry, {
    name, pipUrl, kind: kind as PluginKind | undefined,
    executable: str(values, 'executable'), namespace: str(values, 'namespace'), label: str(values, 'label'), category: str(values, 'category'),
    description: str(values, 'description'), setupGuide: str(values, 'setup-guide'), logoUrl: str(values, 'logo-url'), docs: str(values, 'docs'),
    capabilities: list(str(values, 'capabilities')),
    settings: settingFlags.length > 0 ? settingFlags.map(parseSettingFlag) : undefined,
    required: list(str(values, 'required')),
    fileSettings: list(str(values, 'file-setting')), hiddenSettings: list(str(values, 'hide-setting')), secretSettings: list(str(values, 'secret-setting')),
  }, progress);
  printRegistration(result);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const known = error instanceof UsageError || error instanceof EnvError || error instanceof AppError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  process.stderr.write(`${known ? (error as Error).message : `sluice: ${error instanceof Error ? error.message : String(error)}`}\n`);
  process.exit(known ? 2 : 1);
});
