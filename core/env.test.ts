import { describe, expect, it } from 'vitest';
import { loadEnv, loadEnvPart } from './env.js';

const key = Buffer.alloc(32, 7).toString('base64');

describe('loadEnv', () => {
  it('fills local defaults around a master key', () => {
    const env = loadEnv({ SLUICE_MASTER_KEY: key });
    expect(env).toMatchObject({ PORT: 8080, DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/sluice', REDIS_URL: 'redis://127.0.0.1:6379', CLICKHOUSE_URL: 'http://127.0.0.1:8123' });
  });

  it('names each bad variable and what is wrong, on one line', () => {
    expect(() => loadEnv({ SLUICE_MASTER_KEY: key, PORT: 'eighty', REDIS_URL: 'http://x' })).toThrow(
      /^Invalid environment: PORT must be a number; REDIS_URL must be a URL starting with redis:\/\/ or rediss:\/\/$/,
    );
  });

  it('says when the master key is missing or malformed, without echoing it', () => {
    expect(() => loadEnv({})).toThrow('SLUICE_MASTER_KEY is required but not set');
    expect(() => loadEnv({ SLUICE_MASTER_KEY: 'c2hvcnQ=' })).toThrow(/SLUICE_MASTER_KEY must be 32 random bytes/);
    expect(() => loadEnv({ SLUICE_MASTER_KEY: 'c2hvcnQ=' })).not.toThrow(/c2hvcnQ/);
  });

  it('treats an empty variable as unset and rejects out-of-range ports', () => {
    expect(loadEnv({ SLUICE_MASTER_KEY: key, PORT: '' }).PORT).toBe(8080);
    expect(() => loadEnv({ SLUICE_MASTER_KEY: key, PORT: '70000' })).toThrow(/PORT/);
  });

  it('validates only what a small command needs', () => {
    expect(loadEnvPart(['DATABASE_URL'], {})).toEqual({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/sluice' });
    expect(() => loadEnvPart(['DATABASE_URL'], { DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL must be a URL starting with postgres/);
  });

  it('reads the connector allowances and the files folder', () => {
    const env = loadEnv({ SLUICE_MASTER_KEY: key, SLUICE_ALLOWED_SOURCE_NETWORKS: '127.0.0.1/32:5433,10.0.0.0/8' });
    expect(env.SLUICE_ALLOWED_SOURCE_NETWORKS).toBe('127.0.0.1/32:5433,10.0.0.0/8');
    expect(env.SLUICE_FILES_DIR).toMatch(/\/files$/);
    expect(() => loadEnv({ SLUICE_MASTER_KEY: key, SLUICE_ALLOWED_SOURCE_NETWORKS: '10.0.0.0/8,db.internal' })).toThrow(/SLUICE_ALLOWED_SOURCE_NETWORKS must be comma-separated networks .* "db.internal" is not one/);
  });
});
