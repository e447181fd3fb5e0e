import { describe, expect, it } from 'vitest';
import { matchingSources, sourcesByLabel } from './catalog-filter.js';

const source = (label: string, category = 'database', description = '') => ({ kind: 'extractor' as const, label, description, category });
const catalog = [
  source('PostgreSQL (change log)', 'database', 'Rows deleted there copied too.'),
  source('Amazon S3 CSV files', 'file'),
  { ...source('ClickHouse', 'warehouse'), kind: 'loader' as const },
  source('PostgreSQL', 'database', 'Tables and views from a PostgreSQL database.'),
  source('MySQL / MariaDB'),
];

describe('the catalog picker', () => {
  it('lists sources only, by label, a label before its longer variants', () => {
    expect(sourcesByLabel(catalog).map((s) => s.label)).toEqual(['Amazon S3 CSV files', 'MySQL / MariaDB', 'PostgreSQL', 'PostgreSQL (change log)']);
  });

  it('narrows to the words typed (any case, in label, description or category) and to a category', () => {
    const sources = sourcesByLabel(catalog);
    expect(matchingSources(sources, ' postgre ', 'all').map((s) => s.label)).toEqual(['PostgreSQL', 'PostgreSQL (change log)']);
    expect(matchingSources(sources, 'deleted', 'all').map((s) => s.label)).toEqual(['PostgreSQL (change log)']);
    expect(matchingSources(sources, '', 'file').map((s) => s.label)).toEqual(['Amazon S3 CSV files']);
    expect(matchingSources(sources, 'postgre', 'file')).toEqual([]);
  });
});
