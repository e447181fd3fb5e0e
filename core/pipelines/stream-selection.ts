import type { DiscoveredStream, SelectedStream } from '../../db/schema/index.js';
import type { FieldErrors } from '../errors.js';

const listed = (names: string[], max = 5) => names.slice(0, max).map((n) => `"${n}"`).join(', ') + (names.length > max ? ` and ${names.length - max} more` : '');

/**
 * Why a pipeline's chosen streams don't fit what discovery found in its source, per field
 * (`streams.<i>.stream`, `streams.<i>.replication_key`). Names are compared exactly, as the
 * source spells them: spaces, dots, quotes and any other character a table name can hold.
 *
 * @example
 * streamSelectionErrors([{ stream: 'public-Customer Accounts', replication_method: 'FULL_TABLE' }], discovered) // {}
 */
export function streamSelectionErrors(streams: SelectedStream[], discovered: DiscoveredStream[]): FieldErrors {
  const errors: FieldErrors = {};
  const byName = new Map(discovered.map((s) => [s.stream, s]));
  const seen = new Set<string>();
  streams.forEach((selected, i) => {
    const found = byName.get(selected.stream);
    if (!found) {
      errors[`streams.${i}.stream`] = [
        discovered.length === 0
          ? `"${selected.stream}" is not a stream of this source: its last discovery found none. Run a discovery again if the source has changed.`
          : `"${selected.stream}" is not a stream of this source (it has ${listed(discovered.map((s) => s.stream))}). Run a discovery again if the source has changed.`,
      ];
      return;
    }
    if (seen.has(selected.stream)) errors[`streams.${i}.stream`] = [`"${selected.stream}" is chosen twice: choose each stream once.`];
    seen.add(selected.stream);
    const key = selected.replication_key;
    if (key !== undefined && !Object.hasOwn(found.properties, key)) {
      errors[`streams.${i}.replication_key`] = [`"${key}" is not a column of "${selected.stream}" (its columns: ${listed(Object.keys(found.properties), 8)}).`];
    }
  });
  return errors;
}
