// `npm run sluice -- <command>`: operator commands for tenants, tokens, users and keys.
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

const USAGE = `Usage: npm run sluice -- <command>
  tenants create <slug> [--name "Acme Inc"]         create a tenant and print an owner API token
  tokens create --tenant <slug> --role <owner|admin|viewer> [--name <label>]
  users create --tenant <slug> --email <email> --role <owner|admin|viewer> [--name <name>]
                                                    a NEW account only (password from SLUICE_NEW_PASSWORD,
                                                    or one is generated and printed); refuses a known email
  users invite --tenant <slug> --email <email> --role <owner|admin|viewer>
                                                    print a single-use invitation token (7 days): the person
                                                    accepts it and sets or confirms their own password
  keys generate                                     print a new random master key
  keys rotate                                       re-wrap every data key under SLUICE_MASTER_KEY
                                                    (old keys in SLUICE_PREVIOUS_MASTER_KEYS=<id>:<key>,...)`;

const cli: Actor = { type: 'system', id: null, label: 'sluice cli' };
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
    options: { name: { type: 'string' }, tenant: { type: 'string' }, role: { type: 'string' }, email: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [noun, verb, arg] = positionals;
  if (values.help || !noun) return out(USAGE);
  const command = `${noun} ${verb ?? ''}`.trim();
  if (command === 'keys generate') return out(randomBytes(32).toString('base64'));

  const env = loadEnvPart(command === 'keys rotate' ? ['DATABASE_URL', 'SLUICE_MASTER_KEY', 'SLUICE_MASTER_KEY_ID', 'SLUICE_PREVIOUS_MASTER_KEYS'] : ['DATABASE_URL']);
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
        const { token } = await tenants.createToken(db, tenant.id, values.name ?? 'created by sluice cli', roleOf(values.role), { actor: cli });
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

main(process.argv.slice(2)).catch((error: unknown) => {
  const known = error instanceof UsageError || error instanceof EnvError || error instanceof AppError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  process.stderr.write(`${known ? (error as Error).message : `sluice: ${error instanceof Error ? error.message : String(error)}`}\n`);
  process.exit(known ? 2 : 1);
});
