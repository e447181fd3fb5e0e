import { describe, expect, it } from 'vitest';
import { validateSlug } from '../tenants/service.js';
import { defaultDestinationDatabase, destinationDatabaseProblem } from './destination-database.js';

const owns = (slug: string, database: string) => destinationDatabaseProblem(slug, database) === undefined;

describe('destination databases', () => {
  it('keeps the default name of existing tenants', () => {
    expect(defaultDestinationDatabase('acme')).toBe('sluice_acme');
    expect(defaultDestinationDatabase('acme-corp')).toBe('sluice_acme_corp');
  });

  it('lets a tenant use its default and its own named databases', () => {
    for (const name of ['sluice_acme', 'sluice_acme__sales', 'sluice_acme__sales_2024', 'sluice_acme__0']) expect(owns('acme', name), name).toBe(true);
  });

  it("refuses anything outside the tenant's namespace", () => {
    const foreign = [
      'sluice_acme_corp', // tenant acme-corp's default
      'sluice_acme_corp__x', // tenant acme-corp's named database
      'sluice_acme_corp_x', // the old single-underscore form would overlap acme-corp's
      'sluice_acmex',
      'sluice_acme_',
      'sluice_acme__',
      'sluice_acme___x',
      'sluice_acme__x_',
      'sluice_acme__a__b',
      'sluice_acme__Sales',
      'SLUICE_ACME',
      'sluice_acme__x-y',
      'sluice',
      'default',
      'system',
      `sluice_acme__${'x'.repeat(100)}`,
    ];
    for (const name of foreign) expect(owns('acme', name), name).toBe(false);
    expect(destinationDatabaseProblem('acme', 'sluice_acme_corp__x')).toMatch(/"sluice_acme".*"sluice_acme__"/);
  });

  it('never gives one database to two tenants (every valid slug of a small alphabet)', () => {
    const slugs: string[] = [];
    const grow = (s: string) => {
      if (s.length >= 3) {
        try {
          slugs.push(validateSlug(s));
        } catch {
          // not a valid slug
        }
      }
      if (s.length < 6) for (const c of ['a', 'b', '-']) grow(s + c);
    };
    grow('a');
    grow('b');
    expect(slugs).toContain('a-b');
    expect(slugs).not.toContain('a--b');
    const names = new Set<string>();
    for (const slug of slugs) {
      const own = defaultDestinationDatabase(slug);
      names.add(own);
      for (const suffix of ['a', 'b', 'a_b', 'b_a', 'ab', 'a_b_a', '_a', 'a__b']) names.add(`${own}__${suffix}`), names.add(`${own}_${suffix}`);
    }
    for (const name of names) {
      const owners = slugs.filter((slug) => owns(slug, name));
      expect(owners.length, `${name}: ${owners.join(', ')}`).toBeLessThanOrEqual(1);
    }
  });

  it('refuses doubled dashes in new tenant names', () => {
    expect(() => validateSlug('acme--corp')).toThrow(/single dashes/);
    expect(validateSlug('acme-corp')).toBe('acme-corp');
  });
});
