/** Which log lines the viewer shows, and where a search matches (pure: tested without a browser). */
import type { LogEntry, LogLine } from './types.js';

/** The three groups a reader chooses from; debug and unknown levels count as information. */
export type LevelGroup = 'info' | 'warning' | 'error';
export const LEVEL_GROUPS: readonly LevelGroup[] = ['info', 'warning', 'error'];

export function levelGroup(level: string): LevelGroup {
  const l = level.toLowerCase();
  if (l === 'error' || l === 'critical' || l === 'fatal') return 'error';
  if (l === 'warning' || l === 'warn') return 'warning';
  return 'info';
}

export type ShownLine = { id: string; line: LogLine };

/** The log lines (not progress) in the chosen groups whose text contains `query`, any case. */
export function filterLines(entries: readonly LogEntry[], groups: ReadonlySet<LevelGroup>, query: string): ShownLine[] {
  const needle = query.trim().toLowerCase();
  const shown: ShownLine[] = [];
  for (const { id, event } of entries) {
    if (event.type !== 'log') continue;
    if (!groups.has(levelGroup(event.level))) continue;
    if (needle && !event.message.toLowerCase().includes(needle)) continue;
    shown.push({ id, line: event });
  }
  return shown;
}

/** `text` cut around each case-insensitive match of `query`, for highlighting. */
export function splitMatches(text: string, query: string): Array<{ text: string; match: boolean }> {
  const needle = query.trim().toLowerCase();
  if (!needle) return [{ text, match: false }];
  const lower = text.toLowerCase();
  // A few letters change length when lowercased (İ): positions would not line up, so no highlight.
  if (lower.length !== text.length) return [{ text, match: false }];
  const parts: Array<{ text: string; match: boolean }> = [];
  let from = 0;
  for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, at + needle.length)) {
    if (at > from) parts.push({ text: text.slice(from, at), match: false });
    parts.push({ text: text.slice(at, at + needle.length), match: true });
    from = at + needle.length;
  }
  if (from < text.length) parts.push({ text: text.slice(from), match: false });
  return parts;
}
