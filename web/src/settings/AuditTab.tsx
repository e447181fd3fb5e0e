import { useInfiniteQuery } from '@tanstack/react-query';
import { Fragment, useId, useMemo, useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { api } from '../api.js';
import { card, focusRing, primaryButton, secondaryButton, textField } from '../ui/styles.js';
import { auditQuery, filterProblems, filterSummary, MAX_ACTOR_LENGTH, noFilters, type AuditFilters } from './audit-query.js';
import { actionChoices, actionLabel, describeChanges, resourceName, resourceTypeChoices, resourceTypeLabel, whoLabel, type NameBook, type PluginLabels } from './audit-words.js';
import { settingsKeys, useMembers, usePluginLabels, useResourceNames, useTokens } from './queries.js';
import type { AuditEvent, AuditPage } from './types.js';
import { fieldSentence, problemOf } from './words.js';

const th = 'border-b border-slate-300 px-3 py-2 text-left font-semibold text-slate-900';
const td = 'border-b border-slate-200 px-3 py-2 align-top text-slate-900';
const label = 'mb-1 block font-medium text-slate-900';
const fieldError = 'mt-1 text-sm font-medium text-red-800';

function Filters({ applied, onApply }: { applied: AuditFilters; onApply: (filters: AuditFilters) => void }) {
  const id = useId();
  const [draft, setDraft] = useState<AuditFilters>(applied);
  const [problems, setProblems] = useState<Partial<Record<keyof AuditFilters, string>>>({});
  const set = (patch: Partial<AuditFilters>) => setDraft((d) => ({ ...d, ...patch }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = filterProblems(draft);
    setProblems(found);
    if (Object.keys(found).length === 0) onApply(draft);
  };
  const clear = () => {
    setDraft(noFilters);
    setProblems({});
    onApply(noFilters);
  };
  const described = (field: keyof AuditFilters, hint?: string) => [hint ?? '', problems[field] ? `${id}-${field}-error` : ''].filter(Boolean).join(' ') || undefined;
  const error = (field: keyof AuditFilters) => problems[field] && <p id={`${id}-${field}-error`} className={fieldError}>{problems[field]}</p>;
  return (
    <form onSubmit={submit} noValidate aria-labelledby={`${id}-title`} className={card}>
      <h3 id={`${id}-title`} className="font-semibold text-slate-900">Filter the log</h3>
      <div className="mt-3 grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        <div>
          <label htmlFor={`${id}-action`} className={label}>What happened</label>
          <select id={`${id}-action`} className={textField} value={draft.action} onChange={(e) => set({ action: e.target.value })}>
            <option value="">Anything</option>
            {actionChoices.map((c) => (
              <option key={c.value} value={c.value}>{c.label}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-type`} className={label}>About</label>
          <select id={`${id}-type`} className={textField} value={draft.resourceType} onChange={(e) => set({ resourceType: e.target.value })}>
            <option value="">Everything</option>
            {resourceTypeChoices.map((c) => (
              <option key={c.value} value={c.value}>{c.label}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-actor`} className={label}>Who</label>
          <input
            id={`${id}-actor`}
            type="search"
            maxLength={MAX_ACTOR_LENGTH}
            className={textField}
            value={draft.actor}
            onChange={(e) => set({ actor: e.target.value })}
            aria-describedby={described('actor', `${id}-actor-hint`)}
            aria-invalid={problems.actor ? true : undefined}
          />
          <p id={`${id}-actor-hint`} className="mt-1 text-sm text-slate-800">Part of an email address, or of an API token’s name.</p>
          {error('actor')}
        </div>
        <div>
          <label htmlFor={`${id}-from`} className={label}>From (date)</label>
          <input id={`${id}-from`} type="date" className={textField} value={draft.from} onChange={(e) => set({ from: e.target.value })} aria-describedby={described('from')} aria-invalid={problems.from ? true : undefined} />
          {error('from')}
        </div>
        <div>
          <label htmlFor={`${id}-to`} className={label}>To (date, included)</label>
          <input id={`${id}-to`} type="date" className={textField} value={draft.to} onChange={(e) => set({ to: e.target.value })} aria-describedby={described('to')} aria-invalid={problems.to ? true : undefined} />
          {error('to')}
        </div>
      </div>
      <div className="mt-4 flex flex-wrap gap-3">
        <button type="submit" className={primaryButton}>Show matching events</button>
        <button type="button" className={secondaryButton} onClick={clear}>Clear filters</button>
      </div>
    </form>
  );
}

function Changes({ event, labels, id }: { event: AuditEvent; labels: PluginLabels; id: string }) {
  const table = describeChanges(event.action, event.changes, labels);
  if (table.rows.length === 0) return <p id={id} className="text-slate-900">No further details were recorded for this event.</p>;
  if (table.kind === 'details') {
    return (
      <dl id={id} className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-slate-900">
        {table.rows.map((r) => (
          <Fragment key={r.field}>
            <dt className="font-medium">{r.field}</dt>
            <dd className="break-all">{r.value}</dd>
          </Fragment>
        ))}
      </dl>
    );
  }
  return (
    <table id={id} className="w-full border-collapse bg-white text-sm">
      <caption className="mb-1 text-left font-medium text-slate-900">What changed</caption>
      <thead>
        <tr>
          <th scope="col" className={th}>Field</th>
          <th scope="col" className={th}>Before</th>
          <th scope="col" className={th}>After</th>
        </tr>
      </thead>
      <tbody>
        {table.rows.map((r) => (
          <tr key={r.field}>
            <th scope="row" className={`${td} text-left font-medium`}>{r.field}</th>
            <td className={`${td} break-all`}>{r.before}</td>
            <td className={`${td} break-all`}>{r.after}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function EventRow({ event, names, labels }: { event: AuditEvent; names: NameBook; labels: PluginLabels }) {
  const [open, setOpen] = useState(false);
  const detailsId = `audit-details-${event.id}`;
  const which = resourceName(event, names);
  const what = actionLabel(event.action);
  return (
    <>
      <tr data-testid="audit-row">
        <td className={td}>
          <time dateTime={event.at}>{new Date(event.at).toLocaleString()}</time>
        </td>
        <td className={`${td} break-all`}>{whoLabel(event.actor)}</td>
        <th scope="row" className={`${td} text-left font-normal`}>{what}</th>
        <td className={td}>
          <span className="text-sm text-slate-800">{resourceTypeLabel(event.resource.type)}</span>
          <br />
          {event.resource.type === 'run' && event.resource.id ? (
            <Link href={`/runs/${event.resource.id}`} className={`font-medium text-blue-800 underline ${focusRing}`}>{which}</Link>
          ) : (
            <span className="break-all">{which}</span>
          )}
        </td>
        <td className={td}>
          <button type="button" className={`${secondaryButton} px-3 py-1 text-sm`} aria-expanded={open} aria-controls={open ? detailsId : undefined} onClick={() => setOpen(!open)}>
            {open ? 'Hide details' : 'Show details'}
            <span className="sr-only">: {what}, {which}</span>
          </button>
        </td>
      </tr>
      {open && (
        <tr>
          <td colSpan={5} className="border-b border-slate-300 bg-slate-50 px-3 py-3">
            <Changes event={event} labels={labels} id={detailsId} />
          </td>
        </tr>
      )}
    </>
  );
}

/** The audit log: who changed what and when, newest first, filtered on the server and loaded a page at a time. */
export function AuditTab() {
  const [filters, setFilters] = useState<AuditFilters>(noFilters);
  const log = useInfiniteQuery({
    queryKey: [...settingsKeys.audit, filters],
    queryFn: ({ pageParam }) => api<AuditPage>(`/audit${auditQuery(filters, pageParam)}`),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const resourceNames = useResourceNames();
  const members = useMembers();
  const tokens = useTokens();
  const labels = usePluginLabels();
  const names = useMemo<NameBook>(() => {
    const book = new Map(resourceNames.data ?? []);
    for (const m of members.data ?? []) book.set(m.id, m.email);
    for (const t of tokens.data ?? []) book.set(t.id, t.name);
    return book;
  }, [resourceNames.data, members.data, tokens.data]);
  const events = log.data?.pages.flatMap((p) => p.data) ?? [];
  // A failed "Load more" keeps the pages already shown: it is said beside the button instead.
  const problem = log.error && !log.isFetchNextPageError ? problemOf(log.error) : null;

  return (
    <div className="space-y-6">
      <h2 className="text-xl font-semibold text-slate-900">Audit log</h2>
      <p className="text-slate-900">Every change made in this organisation: who made it, what it was and when.</p>
      <Filters applied={filters} onApply={setFilters} />

      {problem && (
        <p role="alert" className="rounded border border-red-700 bg-red-50 p-3 text-red-900">
          The audit log could not be loaded. {problem.status === 400 ? (Object.entries(problem.fields).map(([field, messages]) => fieldSentence(`The filter “${field}”`, messages)).join(' ') || problem.message) + ' Change the filters and try again.' : problem.message}
        </p>
      )}
      {log.isPending && <p className="text-slate-900">Loading the audit log…</p>}
      {log.data && events.length === 0 && <p className="text-slate-900">No events match these filters. Widen the dates or clear the filters.</p>}
      {events.length > 0 && (
        <div className="overflow-x-auto">
          <table className="w-full border-collapse bg-white" aria-describedby="audit-count">
            <caption className="mb-2 text-left text-slate-900">
              <span className="font-semibold">Audit log.</span> {filterSummary(filters)}
            </caption>
            <thead>
              <tr>
                <th scope="col" className={th}>When</th>
                <th scope="col" className={th}>Who</th>
                <th scope="col" className={th}>What</th>
                <th scope="col" className={th}>Which</th>
                <th scope="col" className={th}>Details</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <EventRow key={e.id} event={e} names={names} labels={labels.data ?? new Map()} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p id="audit-count" role="status" className="text-slate-900">
        {log.data && events.length > 0 && (log.hasNextPage ? `Showing the newest ${events.length} events.` : `Showing all ${events.length} ${events.length === 1 ? 'event' : 'events'}.`)}
      </p>
      {log.isFetchNextPageError && <p role="alert" className="text-red-800">More events could not be loaded. {problemOf(log.error).message}</p>}
      {log.hasNextPage && (
        <button type="button" className={secondaryButton} disabled={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
          {log.isFetchingNextPage ? 'Loading more…' : 'Load more'}
        </button>
      )}
    </div>
  );
}
