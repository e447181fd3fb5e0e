import { describe, expect, it } from 'vitest';
import { sourceConnectionOf } from './log-based-source.js';

describe('sourceConnectionOf: the slot connection goes where the tap connects, as it reads its config', () => {
  it('takes host, port, user, password and database (the host as pinned to the checked address)', () => {
    expect(sourceConnectionOf({ host: '203.0.113.9', port: 5433, user: 'reader', password: 'p@ss', database: 'shop', filter_schemas: ['public'] })).toEqual({
      host: '203.0.113.9', port: 5433, user: 'reader', password: 'p@ss', database: 'shop', ssl: 'prefer',
    });
    expect(sourceConnectionOf({ host: '203.0.113.9', port: '5432', user: 'u', database: 'shop' })).toMatchObject({ port: 5432, password: undefined });
    expect(sourceConnectionOf({ host: '203.0.113.9', user: 'u', database: 'shop' })?.port).toBe(5432);
  });

  it('prefers sqlalchemy_url, as tap-postgres does, decoding its login and keeping its sslmode', () => {
    const url = 'postgresql+psycopg2://re%40der:p%2Fss@203.0.113.9:6543/shop%20db?sslmode=verify-full';
    expect(sourceConnectionOf({ host: 'ignored.example.com', database: 'ignored', sqlalchemy_url: url })).toEqual({
      host: '203.0.113.9', port: 6543, user: 're@der', password: 'p/ss', database: 'shop db', ssl: 'verify-full',
    });
    expect(sourceConnectionOf({ sqlalchemy_url: 'postgresql://u:p@[2001:db8::1]/shop?sslmode=require' })).toMatchObject({ host: '2001:db8::1', port: 5432, ssl: 'require' });
    expect(sourceConnectionOf({ sqlalchemy_url: 'postgresql://u:p@db/shop?sslmode=disable' })?.ssl).toBe(false);
    const verifyCa = sourceConnectionOf({ sqlalchemy_url: 'postgresql://u:p@db/shop?sslmode=verify-ca' })?.ssl;
    expect(verifyCa).toMatchObject({ rejectUnauthorized: true });
  });

  it('is undefined where the config names no server or database', () => {
    expect(sourceConnectionOf({ user: 'u', database: 'shop' })).toBeUndefined();
    expect(sourceConnectionOf({ host: 'db', user: 'u' })).toBeUndefined();
    expect(sourceConnectionOf({ sqlalchemy_url: 'not a url' })).toBeUndefined();
    expect(sourceConnectionOf({ sqlalchemy_url: 'postgresql://u:p@db/' })).toBeUndefined();
  });
});
