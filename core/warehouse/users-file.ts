import { createHash, randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A tenant's ClickHouse user on servers without SQL access control (18.16 here): a file in
 * the server's `users.d` folder, which ClickHouse re-reads on its own within seconds.
 * `allow_databases` limits the user to the listed databases (creating others included);
 * the file holds only the password's SHA-256.
 */
export function usersFileXml(user: string, password: string, databases: string[]): string {
  const name = xmlName(user);
  const allowed = [...new Set(databases)].sort().map((database) => `        <database>${xmlName(database)}</database>`);
  return [
    '<?xml version="1.0"?>',
    '<!-- Written by Sluice: this workspace\'s login to the warehouse. Rewritten on every sync; do not edit. -->',
    '<yandex>',
    '  <users>',
    `    <${name}>`,
    `      <password_sha256_hex>${createHash('sha256').update(password).digest('hex')}</password_sha256_hex>`,
    '      <networks><ip>::/0</ip></networks>',
    '      <profile>default</profile>',
    '      <quota>default</quota>',
    '      <allow_databases>',
    ...allowed,
    '      </allow_databases>',
    `    </${name}>`,
    '  </users>',
    '</yandex>',
    '',
  ].join('\n');
}

/** Only our own names reach here (the namespace rule): refuse anything else rather than escape it. */
function xmlName(name: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`not a warehouse identifier: ${name}`);
  return name;
}

/** Writes the file if its content changed: a temp file renamed over it, so ClickHouse never reads half a file. */
export async function writeUsersFile(usersDir: string, user: string, xml: string): Promise<void> {
  const file = path.join(usersDir, `${xmlName(user)}.xml`);
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === xml) return;
  const temp = path.join(usersDir, `.${user}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // Readable by the server's own user; it holds a hash, not the password.
    await writeFile(temp, xml, { mode: 0o644 });
    await rename(temp, file);
  } finally {
    await rm(temp, { force: true });
  }
}
