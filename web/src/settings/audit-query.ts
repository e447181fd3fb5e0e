/**
 * The audit log's filters, as the form holds them (plain strings, '' for "any") and as the
 * API takes them (`GET /audit?action=&resource_type=&actor=&since=&until=&cursor=`).
 * Dates are whole days in the viewer's own time zone: "to 31 January" includes all of that day.
 */
import { actionLabel, resourceTypeLabel } from './audit-words.js';

export type AuditFilters = { action: string; resourceType: string; actor: string; from: string; to: string };
export const noFilters: AuditFilters = { action: '', resourceType: '', actor: '', from: '', to: '' };
export const AUDIT_PAGE_SIZE = 50;
export const MAX_ACTOR_LENGTH = 320;

/** `YYYY-MM-DD` (what a date input gives) → that local date, or undefined when it is not a real day. */
function localDay(value: string): { y: number; m: number; d: number } | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(y, m - 1, d);
  // Years 1000-9998: the API takes years 1-9999 in UTC, and a local day can cross into the next or previous year there.
  if (y < 1000 || y > 9998 || date.getFullYear() !== y || date.getMonth() !== m - 1 || date.getDate() !== d) return undefined;
  return { y, m, d };
}

const at = (day: { y: number; m: number; d: number }, h: number, min: number, s: number, ms: number) => {
  return new Date(day.y, day.m - 1, day.d, h, min, s, ms);
};

/** The first moment of a local day, as the ISO date-time the API takes; undefined for no or a bad date. */
export function startOfDay(value: string): string | undefined {
  const day = localDay(value);
  return day ? at(day, 0, 0, 0, 0).toISOString() : undefined;
}

/** The last millisecond of a local day (the API's `until` is inclusive). */
export function endOfDay(value: string): string | undefined {
  const day = localDay(value);
  return day ? at(day, 23, 59, 59, 999).toISOString() : undefined;
}

/** What is wrong with the filters, per field, in words; empty when they can be sent. */
export function filterProblems(filters: AuditFilters): Partial<Record<keyof AuditFilters, string>> {
  const problems: Partial<Record<keyof AuditFilters, string>> = {};
  if (filters.from !== '' && !startOfDay(filters.from)) problems.from = 'Enter a real date, like 2024-01-31.';
  if (filters.to !== '' && !endOfDay(filters.to)) problems.to = 'Enter a real date, like 2024-01-31.';
  const since = startOfDay(filters.from);
  const until = endOfDay(filters.to);
  if (since && until && since > until) problems.to = 'The “to” date is before the “from” date. Choose a later “to” date, or clear it.';
  if (filters.actor.trim().length > MAX_ACTOR_LENGTH) problems.actor = `Enter at most ${MAX_ACTOR_LENGTH} characters.`;
  return problems;
}

/** The query string for one page of the log: only the filters that are set, then the cursor of the page before. */
export function auditQuery(filters: AuditFilters, cursor?: string | null, limit = AUDIT_PAGE_SIZE): string {
  const params = new URLSearchParams({ limit: String(limit) });
  if (filters.action !== '') params.set('action', filters.action);
  if (filters.resourceType !== '') params.set('resource_type', filters.resourceType);
  const actor = filters.actor.trim();
  if (actor !== '') params.set('actor', actor);
  const since = startOfDay(filters.from);
  const until = endOfDay(filters.to);
  if (since) params.set('since', since);
  if (until) params.set('until', until);
  if (cursor) params.set('cursor', cursor);
  return `?${params.toString()}`;
}

/** "Connection" → "connection", but "API token" stays as it is. */
const lowerFirst = (text: string) => (/^[A-Z][A-Z]/.test(text) ? text : text.charAt(0).toLowerCase() + text.slice(1));

export const hasFilters = (filters: AuditFilters) => filters.action !== '' || filters.resourceType !== '' || filters.actor.trim() !== '' || filters.from !== '' || filters.to !== '';

/** One sentence saying what the table shows, for its caption: "Showing Added a connection, by “ann”, from 2024-01-01." */
export function filterSummary(filters: AuditFilters): string {
  if (!hasFilters(filters)) return 'Showing every event, newest first.';
  const parts: string[] = [];
  if (filters.action !== '') parts.push(`only “${actionLabel(filters.action)}”`);
  if (filters.resourceType !== '') parts.push(`about ${lowerFirst(resourceTypeLabel(filters.resourceType))}s`);
  if (filters.actor.trim() !== '') parts.push(`by someone matching “${filters.actor.trim()}”`);
  if (filters.from !== '' && filters.to !== '') parts.push(`from ${filters.from} to ${filters.to}`);
  else if (filters.from !== '') parts.push(`from ${filters.from} on`);
  else if (filters.to !== '') parts.push(`up to ${filters.to}`);
  return `Showing events ${parts.join(', ')}, newest first.`;
}
