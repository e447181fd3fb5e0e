import { formatNumber } from './format.js';
import type { StreamProgressRow } from './progress.js';

/** The recent loading rate as a line; decorative, the table says the same in numbers. */
function Sparkline({ rates }: { rates: readonly number[] }) {
  if (rates.length < 2) return null;
  const width = 96;
  const height = 24;
  const max = Math.max(...rates, 1);
  const points = rates.map((r, i) => `${((i / (rates.length - 1)) * width).toFixed(1)},${(height - (r / max) * (height - 2) - 1).toFixed(1)}`).join(' ');
  return (
    <svg aria-hidden="true" width={width} height={height} viewBox={`0 0 ${width} ${height}`} className="text-blue-700">
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}

/** How much of what was read is in the warehouse: a bar, with the numbers next to it. */
function LoadedBar({ row }: { row: StreamProgressRow }) {
  const share = row.rowsLoaded === undefined || row.records === 0 ? 0 : Math.min(1, row.rowsLoaded / row.records);
  return (
    <div aria-hidden="true" className="h-2 w-24 overflow-hidden rounded bg-slate-200">
      <div className="h-full bg-green-700" style={{ width: `${(share * 100).toFixed(1)}%` }} />
    </div>
  );
}

/** Per-table progress as the run reports it: rows read, rows loaded, and how fast. */
export function StreamProgress({ rows, running }: { rows: readonly StreamProgressRow[]; running: boolean }) {
  return (
    <section aria-labelledby="progress-title" data-testid="stream-progress">
      <h2 id="progress-title" className="text-lg font-semibold">
        Progress per table
      </h2>
      {rows.length === 0 ? (
        <p className="mt-1 text-slate-700">{running ? 'Waiting for the first rows…' : 'No progress was reported for this run.'}</p>
      ) : (
        <div className="mt-2 overflow-x-auto">
          <table className="w-full text-left text-sm text-slate-900">
            <thead className="border-b border-slate-300 text-slate-700">
              <tr>
                <th scope="col" className="py-2 pr-4 font-medium">Table</th>
                <th scope="col" className="py-2 pr-4 text-right font-medium">Rows read</th>
                <th scope="col" className="py-2 pr-4 text-right font-medium">Rows loaded</th>
                <th scope="col" className="py-2 pr-4 text-right font-medium">Rows per second</th>
                <th scope="col" className="py-2 font-medium">
                  <span className="sr-only">Loaded so far and recent speed</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.stream} data-testid="stream-progress-row" data-stream={row.stream} className="border-b border-slate-200">
                  <th scope="row" className="py-2 pr-4 font-medium break-all">{row.stream}</th>
                  <td className="py-2 pr-4 text-right tabular-nums" data-testid="stream-records">{formatNumber(row.records)}</td>
                  <td className="py-2 pr-4 text-right tabular-nums" data-testid="stream-rows-loaded">{row.rowsLoaded === undefined ? '—' : formatNumber(row.rowsLoaded)}</td>
                  <td className="py-2 pr-4 text-right tabular-nums" data-testid="stream-rows-per-second">{row.rowsPerSecond === undefined ? '—' : formatNumber(Math.round(row.rowsPerSecond))}</td>
                  <td className="py-2">
                    <div className="flex items-center gap-3">
                      <LoadedBar row={row} />
                      <Sparkline rates={row.rates} />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
