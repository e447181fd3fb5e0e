/**
 * How many values of each (column, reason) a stream could not store exactly, and whether
 * their source text is in _sluice_rejects (`kept`) or only counted (a fraction of a second
 * dropped on 18.16). Reported in the reconciliation METRIC and as WARNING lines.
 */
export type Lossy = { column: string; reason: string; count: number; kept: boolean };

export class LossyCounts {
  private readonly counts = new Map<string, Lossy>();

  add(column: string, reason: string, kept: boolean) {
    const key = `${column}\u0000${reason}`;
    const entry = this.counts.get(key);
    if (entry) entry.count += 1;
    else this.counts.set(key, { column, reason, count: 1, kept });
  }

  list(): Lossy[] {
    return [...this.counts.values()].map((entry) => ({ ...entry }));
  }
}

/** The plain line a person reads at the end of a run. */
export function lossyWarning(stream: string, entry: Lossy): string {
  const values = entry.count === 1 ? '1 value' : `${entry.count} values`;
  const where = entry.kept ? 'their source values are in _sluice_rejects' : 'they were stored with that loss';
  return `WARNING stream "${stream}": ${values} of column "${entry.column}" could not be stored exactly (${entry.reason}); ${where}`;
}
