import { formatNumber } from './format.js';
import type { LossyValues, StreamCheck } from './types.js';

/** One value problem in a sentence: how many, which column, why, and where the originals are. */
function lossyText(l: LossyValues): string {
  const one = l.count === 1;
  const what = `${formatNumber(l.count)} ${one ? 'value' : 'values'} in column “${l.column}” could not be stored exactly: ${l.reason}.`;
  // `kept`: false or absent means only counted (stored with that loss); true or a table name means the originals were set aside.
  if (l.kept === undefined || l.kept === false) return `${what} ${one ? 'It was' : 'They were'} stored with that change.`;
  // A table name is said as one; anything else is already a description of the place (as the worker's log line does).
  const where = l.kept === true ? 'the table _sluice_rejects' : /^[\w.]+$/.test(l.kept) ? `the table ${l.kept}` : l.kept;
  return `${what} The original ${one ? 'value is' : 'values are'} kept in ${where}.`;
}

const num = 'py-2 pr-4 text-right tabular-nums';

/** The end-of-run count check per table: every row received should be loaded and found in the table. */
export function Reconciliation({ checks }: { checks: readonly StreamCheck[] }) {
  const failing = checks.filter((c) => !c.ok).length;
  return (
    <section aria-labelledby="reconciliation-title" data-testid="reconciliation">
      <h2 id="reconciliation-title" className="text-lg font-semibold">
        Row check
      </h2>
      <p className="mt-1 text-slate-800" data-testid="reconciliation-summary">
        {failing === 0
          ? `${checks.length === 1 ? 'The table adds up' : `All ${formatNumber(checks.length)} tables add up`}: every row received was loaded.`
          : `${formatNumber(failing)} of ${formatNumber(checks.length)} tables do not add up. Run the sync again; if the numbers still differ, ask your administrator to look at the log.`}
      </p>
      <div className="mt-2 overflow-x-auto">
        <table className="w-full text-left text-sm text-slate-900">
          <thead className="border-b border-slate-300 text-slate-700">
            <tr>
              <th scope="col" className="py-2 pr-4 font-medium">Table</th>
              <th scope="col" className={`${num} font-medium`}>Received</th>
              <th scope="col" className={`${num} font-medium`}>Loaded</th>
              <th scope="col" className={`${num} font-medium`}>In the table</th>
              <th scope="col" className="py-2 font-medium">Result</th>
            </tr>
          </thead>
          <tbody>
            {checks.map((c) => (
              <ReconciliationRows key={c.stream} check={c} />
            ))}
          </tbody>
        </table>
      </div>
      <p className="mt-2 text-xs text-slate-700">For tables with a key, rows with the same key are kept once, so “In the table” can be lower than “Loaded”.</p>
    </section>
  );
}

function ReconciliationRows({ check: c }: { check: StreamCheck }) {
  const lossy = (c.lossy ?? []).filter((l) => l.count > 0);
  return (
    <>
      <tr data-testid="reconciliation-row" data-stream={c.stream} data-ok={c.ok} className={lossy.length > 0 ? '' : 'border-b border-slate-200'}>
        <th scope="row" className="py-2 pr-4 font-medium">
          <span className="break-all">{c.stream}</span>
          {c.table !== c.stream && <span className="block text-xs font-normal text-slate-700">into {c.table}</span>}
        </th>
        <td className={num}>{formatNumber(c.received)}</td>
        <td className={num}>{formatNumber(c.inserted)}</td>
        <td className={num}>{formatNumber(c.inTable)}</td>
        <td className="py-2" data-testid="reconciliation-result">
          {c.ok ? <span className="font-medium text-green-800">✓ Adds up</span> : <span className="font-medium text-red-800">✗ Does not add up</span>}
        </td>
      </tr>
      {lossy.length > 0 && (
        <tr className="border-b border-slate-200">
          <td colSpan={5} className="pb-2">
            <ul className="rounded bg-amber-50 p-2 text-amber-950" data-testid="lossy-values" aria-label={`Values in ${c.stream} that could not be stored exactly`}>
              {lossy.map((l) => (
                <li key={`${l.column}\u0000${l.reason}`}>{lossyText(l)}</li>
              ))}
            </ul>
          </td>
        </tr>
      )}
    </>
  );
}
