import { describe, expect, it } from 'vitest';
import { capabilitiesFromFlags, capabilityWarnings, effectiveCapabilities } from './capabilities.js';

describe('capabilities', () => {
  it('keeps what the plugin reports and what was declared beside it', () => {
    expect(effectiveCapabilities(['catalog', 'log-based'], ['catalog', 'state', 'discover'], true)).toEqual(['catalog', 'state', 'discover', 'log-based']);
    expect(effectiveCapabilities(undefined, ['catalog'], true)).toEqual(['catalog']);
    expect(effectiveCapabilities(['properties', 'state'], ['discover'], false)).toEqual(['properties', 'state']);
    expect(effectiveCapabilities(undefined, ['discover'], false)).toEqual(['discover']);
  });

  it('says in plain words where declared and reported differ, and what a missing capability costs', () => {
    const warnings = capabilityWarnings('extractor', ['catalog', 'state', 'log-based'], ['catalog', 'discover'], true);
    expect(warnings).toEqual([
      expect.stringMatching(/declared that it can remember where a sync stopped \(state\), but the plugin itself does not report that/),
      expect.stringMatching(/declared that it can read deletes from a database change log \(log-based\)/),
      expect.stringMatching(/reports that it can also list the tables or streams it has \(discover\)/),
      expect.stringMatching(/cannot remember where a sync stopped .*every sync reads everything again/),
    ]);
    expect(capabilityWarnings('extractor', undefined, ['state'], true)).toEqual([expect.stringMatching(/cannot list its tables/), expect.stringMatching(/cannot be told which tables/)]);
    expect(capabilityWarnings('loader', undefined, [], true)).toEqual([]);
  });

  it("reads a singer-python program's capabilities from the flags its --help lists", () => {
    expect(capabilitiesFromFlags(new Set(['config', 'discover', 'properties', 'state']))).toEqual(['discover', 'properties', 'state']);
  });
});
