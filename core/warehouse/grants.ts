import { defaultDestinationDatabase } from '../pipelines/destination-database.js';

/**
 * Per-tenant ClickHouse users on servers with SQL access control (20.5 and later; production
 * runs 24.x): run as the platform user by tenant-login.ts. Older servers (18.16 here) get a
 * users.d file instead (users-file.ts).
 */
export function supportsAccessControl(serverVersion: string): boolean {
  const [major = 0, minor = 0] = serverVersion.split('.').map(Number);
  return major > 20 || (major === 20 && minor >= 5);
}

/** Users and databases are separate namespaces in ClickHouse: the name only has to be the tenant's alone. */
export const warehouseUserName = (tenantSlug: string) => `${defaultDestinationDatabase(tenantSlug)}__user`;

const quoteIdentifier = (name: string) => {
  // Only our own names reach here (namespace-checked): refuse anything else rather than escape it.
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`not a warehouse identifier: ${name}`);
  return `\`${name}\``;
};
const quoteString = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * The statements that create (or update) the tenant's user and grant it what the loader
 * needs on each of `databases` (all in the tenant's namespace), and nothing else.
 * Returns [] when the server has no access control.
 */
export function tenantUserStatements(serverVersion: string, tenantSlug: string, password: string, databases: string[]): string[] {
  if (!supportsAccessControl(serverVersion)) return [];
  const user = quoteIdentifier(warehouseUserName(tenantSlug));
  const statements = [
    `CREATE USER IF NOT EXISTS ${user} IDENTIFIED WITH sha256_password BY ${quoteString(password)}`,
    `ALTER USER ${user} IDENTIFIED WITH sha256_password BY ${quoteString(password)}`,
  ];
  for (const database of [...new Set(databases)]) {
    statements.push(`GRANT CREATE DATABASE, CREATE TABLE, ALTER, INSERT, SELECT, OPTIMIZE, TRUNCATE ON ${quoteIdentifier(database)}.* TO ${user}`);
  }
  return statements;
}
