import { useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { focusRing, secondaryButton, textField } from '../ui/styles.js';
import { formatClock, formatNumber } from './format.js';
import { filterLines, LEVEL_GROUPS, levelGroup, splitMatches, type LevelGroup, type ShownLine } from './log-filter.js';
import { compareIds, type LogFollowState } from './log-follow.js';
import { levelLabel, logStatusText, sideOf } from './words.js';

/** Lines kept in the page at once: a long sync logs hundreds of thousands, the DOM would crawl. */
export const PAGE_LINES = 2000;
/** Within this many pixels of the bottom counts as "at the bottom" (zoom and rounding). */
const BOTTOM_SLACK = 8;

const groupNames: Record<LevelGroup, string> = { info: 'Information', warning: 'Warnings', error: 'Errors' };
const levelColour: Record<LevelGroup, string> = { info: 'text-sky-300', warning: 'text-amber-300', error: 'text-red-300' };

function Line({ shown, query }: { shown: ShownLine; query: string }) {
  const { line } = shown;
  const group = levelGroup(line.level);
  const side = sideOf(line.plugin);
  return (
    <div data-testid="log-line" data-level={group} data-id={shown.id} className={`whitespace-pre-wrap break-words px-3 py-0.5 ${group === 'error' ? 'bg-red-950/60' : ''}`}>
      <span className="text-slate-400">{formatClock(line.at)} </span>
      <span className={`font-semibold ${levelColour[group]}`}>{levelLabel[group].toUpperCase().padEnd(7)} </span>
      {side && <span className="text-slate-400">[{side}] </span>}
      {splitMatches(line.message, query).map((part, i) =>
        part.match ? (
          <mark key={i} className="rounded-sm bg-yellow-300 text-slate-900">
            {part.text}
          </mark>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </div>
  );
}

/** The run's log, live: filter by level, search, follow the newest line, download all of it. */
export function LogViewer({ runId, log }: { runId: string; log: LogFollowState }) {
  const ids = useId();
  const [groups, setGroups] = useState<ReadonlySet<LevelGroup>>(() => new Set(LEVEL_GROUPS));
  const [query, setQuery] = useState('');
  const [follow, setFollow] = useState(true);
  // While not following, the view stops at the newest line of that moment: lines arriving
  // meanwhile would otherwise slide the window (it holds PAGE_LINES) under the reader's eyes.
  const [pausedAt, setPausedAt] = useState<string | undefined>();
  const [limit, setLimit] = useState(PAGE_LINES);
  const box = useRef<HTMLDivElement>(null);

  const allLines = useMemo(() => log.entries.filter((e) => e.event.type === 'log').length, [log.entries]);
  const matching = useMemo(() => filterLines(log.entries, groups, query), [log.entries, groups, query]);
  const end = pausedAt === undefined ? matching.length : matching.findLastIndex((m) => compareIds(m.id, pausedAt) <= 0) + 1;
  const shown = matching.slice(Math.max(0, end - limit), end);
  const hidden = end - shown.length;
  const newer = matching.length - end;
  const newest = shown.at(-1)?.id;

  const changeFollow = (on: boolean) => {
    setFollow(on);
    setPausedAt(on ? undefined : log.lastId);
  };

  // After the new lines are in the DOM and before paint, so following never flickers.
  useLayoutEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [follow, newest, shown.length]);

  const toggleGroup = (group: LevelGroup, on: boolean) =>
    setGroups((current) => {
      const next = new Set(current);
      if (on) next.add(group);
      else next.delete(group);
      return next;
    });

  // Scrolling up to read stops following; scrolling back to the bottom resumes it.
  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK;
    if (atBottom !== follow) changeFollow(atBottom);
  };

  const filtered = query.trim() !== '' || groups.size < LEVEL_GROUPS.length;
  return (
    <section aria-labelledby={`${ids}-title`} data-testid="log-viewer">
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h2 id={`${ids}-title`} className="text-lg font-semibold">
          Log
        </h2>
        <a href={`/api/v1/runs/${encodeURIComponent(runId)}/log`} download={`run-${runId}.log`} className={`text-blue-800 underline ${focusRing}`} data-testid="log-download">
          Download log
        </a>
      </div>
      <p aria-live="polite" data-testid="log-status" data-connection={log.connection} className="mt-1 text-sm text-slate-800">
        {logStatusText(log)}
      </p>
      <div className="mt-3 flex flex-wrap items-end gap-4">
        <fieldset className="flex flex-wrap gap-3">
          <legend className="mb-1 text-sm font-medium">Show</legend>
          {LEVEL_GROUPS.map((group) => (
            <label key={group} className="flex items-center gap-1.5 text-sm">
              <input type="checkbox" checked={groups.has(group)} onChange={(e) => toggleGroup(group, e.target.checked)} className={focusRing} data-testid={`log-level-${group}`} />
              {groupNames[group]}
            </label>
          ))}
        </fieldset>
        <div className="min-w-48 flex-1">
          <label htmlFor={`${ids}-search`} className="mb-1 block text-sm font-medium">
            Search the log
          </label>
          <input id={`${ids}-search`} type="search" value={query} onChange={(e) => setQuery(e.target.value)} className={textField} data-testid="log-search" />
        </div>
        <label className="flex items-center gap-1.5 text-sm">
          <input type="checkbox" checked={follow} onChange={(e) => changeFollow(e.target.checked)} className={focusRing} data-testid="log-follow" />
          Follow new lines
        </label>
      </div>
      <p className="mt-2 text-sm text-slate-700" data-testid="log-count">
        {filtered ? `${formatNumber(matching.length)} of ${formatNumber(allLines)} lines match.` : `${formatNumber(allLines)} lines.`}
      </p>
      {hidden > 0 && (
        <button type="button" className={`${secondaryButton} mt-2 text-sm`} onClick={() => {
            // Reading back: following would jump straight to the bottom again.
            changeFollow(false);
            setLimit((n) => n + PAGE_LINES);
          }} data-testid="log-show-earlier">
          Show {formatNumber(Math.min(hidden, PAGE_LINES))} earlier lines ({formatNumber(hidden)} not shown)
        </button>
      )}
      {/* aria-live off: role="log" would otherwise read every line of a chatty sync aloud; the status line above says what matters. */}
      <div
        ref={box}
        role="log"
        aria-label="Run log"
        aria-live="off"
        tabIndex={0}
        onScroll={onScroll}
        data-testid="log-lines"
        className={`mt-2 h-[28rem] overflow-y-auto rounded-lg bg-slate-900 py-2 font-mono text-sm leading-relaxed text-slate-100 ${focusRing}`}
      >
        {shown.length === 0 ? (
          <p className="px-3 text-slate-300" data-testid="log-empty">
            {allLines === 0 ? (log.end ? 'This run wrote no log lines.' : 'No lines yet.') : 'No lines match. Change the search or the levels shown.'}
          </p>
        ) : (
          shown.map((s) => <Line key={s.id} shown={s} query={query} />)
        )}
      </div>
      {newer > 0 && (
        <button type="button" className={`${secondaryButton} mt-2 text-sm`} onClick={() => changeFollow(true)} data-testid="log-show-newer">
          {formatNumber(newer)} new {newer === 1 ? 'line' : 'lines'}: follow the log
        </button>
      )}
    </section>
  );
}
