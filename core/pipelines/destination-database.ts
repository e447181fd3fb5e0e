import { and, eq, ne } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { tenants } from '../../db/schema/index.js';
import type { FieldErrors } from '../errors.js';

/**
 * Which ClickHouse databases a tenant may load into: its own namespace, nothing else.
 *
 * A tenant owns exactly:
 * - `sluice_<slug>` (its default, with the slug's dashes as underscores: stable for every
 *   existing tenant), and
 * - `sluice_<slug>__<name>` where `<name>` is lowercase letters and digits in words joined
 *   by single underscores.
 *
 * Why `__` and not `_`: a slug's dash becomes `_`, so with a single underscore tenant
 * `acme` could claim `sluice_acme_corp_x`, which is tenant `acme-corp`'s namespace. Slugs
 * have no underscores and no doubled dashes (validateSlug), so the default name never
 * holds `__`, a suffix never holds `__`, and every owned name splits at its one `__` into
 * exactly one tenant and one suffix: no two tenants' namespaces overlap.
 */
export const defaultDestinationDatabase = (tenantSlug: string) => `sluice_${tenantSlug.replace(/-/g, '_')}`;

const SUFFIX = /^[a-z0-9]+(?:_[a-z0-9]+)*$/;
/** ClickHouse keeps a database as a folder: stay well under file-name limits. */
const MAX_LENGTH = 100;

/**
 * Why `database` is not one the tenant may load into, or undefined when it is its own.
 *
 * @example
 * destinationDatabaseProblem('acme', 'sluice_acme__sales') // undefined
 * destinationDatabaseProblem('acme', 'sluice_acme_corp__x') // 'must be "sluice_acme" …'
 */
export function destinationDatabaseProblem(tenantSlug: string, database: string): string | undefined {
  const own = defaultDestinationDatabase(tenantSlug);
  if (database === own) return undefined;
  const suffix = database.startsWith(`${own}__`) ? database.slice(own.length + 2) : undefined;
  if (suffix !== undefined && SUFFIX.test(suffix) && database.length <= MAX_LENGTH) return undefined;
  return `must be "${own}" or start with "${own}__" followed by lowercase letters, digits and single underscores (like "${own}__sales"): your workspace can only load into its own databases`;
}

/**
 * Whether the tenant may load into `database` (above), and, for tenants
 * whose slug predates the no-doubled-dash rule, that it is not another tenant's default.
 * Returns field errors keyed by `field`.
 */
export async function destinationDatabaseErrors(db: DbOrTx, acting: { tenantId: string; tenantSlug: string }, database: string, field = 'destination_database'): Promise<FieldErrors> {
  const problem = destinationDatabaseProblem(acting.tenantSlug, database);
  if (problem) return { [field]: [problem] };
  const otherSlug = database.slice('sluice_'.length).replace(/_/g, '-');
  const other = await db.query.tenants.findFirst({ where: and(eq(tenants.slug, otherSlug), ne(tenants.id, acting.tenantId)) });
  return other ? { [field]: ['is the database of another workspace'] } : {};
}
