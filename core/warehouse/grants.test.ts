import { describe, expect, it } from 'vitest';
import { supportsAccessControl, tenantUserStatements } from './grants.js';

describe('per-tenant ClickHouse users (statement text only: no 20.5+ server here)', () => {
  it('are only for servers with access control', () => {
    expect(supportsAccessControl('18.16.1')).toBe(false);
    expect(supportsAccessControl('20.4.9')).toBe(false);
    expect(supportsAccessControl('20.5.1')).toBe(true);
    expect(supportsAccessControl('24.8.4.13')).toBe(true);
    expect(tenantUserStatements('18.16.1', 'acme', 'pw', ['sluice_acme'])).toEqual([]);
  });

  it("grant the tenant's user its own databases only", () => {
    const statements = tenantUserStatements('24.8.1', 'acme-corp', "p'w", ['sluice_acme_corp', 'sluice_acme_corp__x', 'sluice_acme_corp']);
    expect(statements[0]).toBe("CREATE USER IF NOT EXISTS `sluice_acme_corp__user` IDENTIFIED WITH sha256_password BY 'p\\'w'");
    expect(statements.filter((s) => s.startsWith('GRANT'))).toEqual([
      'GRANT CREATE DATABASE, CREATE TABLE, ALTER, INSERT, SELECT, OPTIMIZE, TRUNCATE ON `sluice_acme_corp`.* TO `sluice_acme_corp__user`',
      'GRANT CREATE DATABASE, CREATE TABLE, ALTER, INSERT, SELECT, OPTIMIZE, TRUNCATE ON `sluice_acme_corp__x`.* TO `sluice_acme_corp__user`',
    ]);
    expect(() => tenantUserStatements('24.8.1', 'acme', 'pw', ['x`; DROP DATABASE y'])).toThrow(/not a warehouse identifier/);
  });
});
