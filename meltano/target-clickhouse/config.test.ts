import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTargetConfig, parseTargetConfig } from './config.js';

describe('parseTargetConfig', () => {
  it('fills every default', () => {
    expect(parseTargetConfig({})).toEqual({
      url: 'http://127.0.0.1:8123',
      user: 'default',
      password: '',
      database: 'sluice',
      table_prefix: '',
      tenant_id: undefined,
      batch_size_rows: 200_000,
      batch_size_bytes: 128 * 1024 * 1024,
      batch_max_age_ms: 30_000,
      stream_modes: {},
      progress_interval_ms: 3000,
      untyped_numbers: 'float',
    });
  });

  it('takes numbers as text (the environment) and JSON stream modes as text, and ignores unknown settings', () => {
    const config = parseTargetConfig({ url: 'https://ch.example:8443', batch_size_rows: '5000', progress_interval_ms: 0, stream_modes: '{"orders":"overwrite"}', untyped_numbers: 'decimal', tenant_id: 't1', extra: 1 });
    expect(config).toMatchObject({ url: 'https://ch.example:8443', batch_size_rows: 5000, progress_interval_ms: 0, stream_modes: { orders: 'overwrite' }, untyped_numbers: 'decimal', tenant_id: 't1' });
    expect(config).not.toHaveProperty('extra');
  });

  it.each([
    [{ url: 'not a url' }, /^Setting "url" must be a URL like http:\/\/127.0.0.1:8123$/],
    [{ url: 'file:///etc/passwd' }, /^Setting "url" must be a URL/],
    [{ user: 42 }, /^Setting "user" must be text, not 42$/],
    [{ database: '1db' }, /^Setting "database" must be letters, digits and _ \(not starting with a digit\)$/],
    [{ database: 'a`; DROP' }, /^Setting "database" must be letters/],
    [{ table_prefix: 'a-b' }, /^Setting "table_prefix" must be letters, digits and _$/],
    [{ tenant_id: 'x'.repeat(201) }, /^Setting "tenant_id" must be at most 200 characters$/],
    [{ batch_size_rows: 0 }, /^Setting "batch_size_rows" must be a whole number from 1 to 1000000, not 0$/],
    [{ batch_size_rows: '2e6' }, /^Setting "batch_size_rows" must be a whole number from 1 to 1000000, not "2e6"$/],
    [{ batch_size_rows: 1.5 }, /^Setting "batch_size_rows" must be a whole number/],
    [{ batch_size_bytes: 'lots' }, /^Setting "batch_size_bytes" must be a whole number from 1024 to 1073741824, not "lots"$/],
    [{ batch_max_age_ms: 10 }, /^Setting "batch_max_age_ms" must be a whole number of at least 100, not 10$/],
    [{ progress_interval_ms: true }, /^Setting "progress_interval_ms" must be a whole number of at least 0, not true$/],
    [{ stream_modes: '{oops' }, /^Setting "stream_modes" must be a JSON object/],
    [{ stream_modes: { orders: 'mirror' } }, /^Setting "stream_modes" gives stream "orders" the mode "mirror"; use one of overwrite, append, deduped$/],
    [{ untyped_numbers: 'int' }, /^Setting "untyped_numbers" must be float or decimal$/],
  ])('refuses %j, naming the setting', (settings, message) => {
    expect(() => parseTargetConfig(settings)).toThrow(message);
  });
});

describe('loadTargetConfig', () => {
  it('merges files (later ones win; null or empty there unsets a setting)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'target-config-test-'));
    try {
      await writeFile(path.join(dir, 'a.json'), JSON.stringify({ database: 'first', user: 'u', password: 'p' }));
      await writeFile(path.join(dir, 'b.json'), JSON.stringify({ database: 'second', password: null, table_prefix: '' }));
      await writeFile(path.join(dir, 'bad.json'), '{');
      expect(await loadTargetConfig([path.join(dir, 'a.json'), path.join(dir, 'b.json')])).toMatchObject({ database: 'second', user: 'u', password: '', table_prefix: '' });
      await expect(loadTargetConfig([path.join(dir, 'bad.json')])).rejects.toThrow(/is not valid JSON/);
      await expect(loadTargetConfig([path.join(dir, 'missing.json')])).rejects.toThrow(/cannot be read/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
