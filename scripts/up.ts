// `npm run up` runs setup.sh (installs and starts what is missing), then this: prepares the
// database and catalog, provisions the demo source, then runs the API and a worker until Ctrl-C.
import { execa, type ResultPromise } from 'execa';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { createDb } from '../db/client.js';
import { projectRoot } from '../meltano/project.js';
import { loadEnv, EnvError } from '../core/env.js';
import * as tenants from '../core/tenants/service.js';
import { createAccount, findUserByEmail } from '../core/accounts/service.js';
import { randomBytes } from 'node:crypto';
import { provisionDemoSource } from './demo-source.js';
import { prepareDatabase } from './prepare.js';
import { dataDir, localEnv, readPrivate, sourceAllowance, sourceDatabaseUrl, writePrivate } from './local-env.js';

const startedFile = path.join(dataDir, 'started-services');
const say = (line: string) => process.stdout.write(`${line}\n`);

const childEnv = await localEnv();
// Connectors may reach the demo source's server, and nothing else local unless the operator says so.
childEnv.SLUICE_ALLOWED_SOURCE_NETWORKS = [childEnv.SLUICE_ALLOWED_SOURCE_NETWORKS, sourceAllowance(childEnv)].filter(Boolean).join(',');
let env;
try {
  env = loadEnv(childEnv);
} catch (error) {
  if (error instanceof EnvError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

const { db, close } = createDb(env.DATABASE_URL, { max: 2 });
await prepareDatabase(env.DATABASE_URL, db);
// A first tenant with an owner who signs in in the browser, and an API token for scripts.
const tenant = (await tenants.findTenantBySlug(db, 'demo')) ?? (await tenants.createTenant(db, 'demo', 'Demo'));
const ownerEmail = 'owner@sluice.local';
let password = await readPrivate('owner.password');
// Only ever for a brand-new account: an existing one keeps the password its owner chose.
if (!(await findUserByEmail(db, ownerEmail))) {
  password = randomBytes(12).toString('base64url');
  await createAccount(db, { tenantId: tenant.id, email: ownerEmail, name: 'Owner', password, role: 'owner', actor: { type: 'system', id: null, label: 'npm run up' } });
  await writePrivate('owner.password', password);
}
let token = await readPrivate('owner.token');
if (!token || !(await tenants.authenticate(db, token))) {
  token = (await tenants.createToken(db, tenant.id, 'local owner (npm run up)', 'owner')).token;
  await writePrivate('owner.token', token);
}
await close();
const demo = await provisionDemoSource(sourceDatabaseUrl(childEnv));

const children: ResultPromise[] = [
  execa('node', ['--import', 'tsx', 'server/main.ts'], { cwd: projectRoot, env: childEnv, extendEnv: false, stdio: 'inherit' }),
  execa('node', ['--import', 'tsx', 'jobs/main.ts'], { cwd: projectRoot, env: childEnv, extendEnv: false, stdio: 'inherit' }),
];

say(`
Sluice is running: http://${env.HOST}:${env.PORT}
  Sign in as ${ownerEmail} with password ${password ?? '(see .data/owner.password)'}  (tenant "demo", owner)
  API token for scripts (kept in .data/owner.token):  ${token}
  A demo source is ready: PostgreSQL host ${demo.host}, port ${demo.port}, database ${demo.database}, user ${demo.user}
  (tables customers, products, orders). Add it as a PostgreSQL integration and sync it to ClickHouse.
  Press Ctrl-C to stop.
`);

async function stopStartedServices() {
  const lines = (await readFile(startedFile, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  for (const line of lines.reverse()) {
    const [name, ...command] = line.split('\t');
    say(`stopping ${name}`);
    await execa('bash', ['-c', command.join('\t')], { reject: false });
  }
}

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  await Promise.allSettled(children);
  await stopStartedServices();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
await Promise.race(children).catch(() => undefined);
if (!stopping) {
  process.stderr.write('A Sluice process stopped unexpectedly; stopping the rest.\n');
  await stop();
}
