import { describe, expect, it } from 'vitest';
import { targetConfig } from './sync.js';

describe('targetConfig', () => {
  it('hands the target each stream’s mode and the number choice, even where meltano.yml declares neither setting', () => {
    const settings = [{ name: 'url', value: 'http://127.0.0.1:8123' }, { name: 'database' }];
    const config = targetConfig(
      settings,
      { database: 'sluice_acme', unknown_setting: 'dropped' },
      [
        { stream: 'public-a', sync_mode: 'full_refresh_overwrite', replication_method: 'FULL_TABLE' },
        { stream: 'public-b', sync_mode: 'full_refresh_append', replication_method: 'FULL_TABLE' },
        { stream: 'public-c', sync_mode: 'incremental_append', replication_method: 'INCREMENTAL', replication_key: 'id' },
        { stream: 'public-d', sync_mode: 'incremental_deduped', replication_method: 'LOG_BASED' },
      ],
      'decimal',
    );
    expect(config).toEqual({
      url: 'http://127.0.0.1:8123',
      database: 'sluice_acme',
      stream_modes: { 'public-a': 'overwrite', 'public-b': 'append', 'public-c': 'append', 'public-d': 'deduped' },
      untyped_numbers: 'decimal',
    });
  });

  it('wins over defaults meltano.yml may give the same settings', () => {
    const config = targetConfig([{ name: 'stream_modes', value: {} }, { name: 'untyped_numbers', value: 'float' }], {}, [{ stream: 's', sync_mode: 'full_refresh_overwrite', replication_method: 'FULL_TABLE' }], 'decimal');
    expect(config).toEqual({ stream_modes: { s: 'overwrite' }, untyped_numbers: 'decimal' });
  });
});
