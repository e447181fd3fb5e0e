import { statusClasses, statusLabel } from './words.js';
import type { RunStatus } from './types.js';

/** The run's status as words on a coloured pill; `data-status` gives tests the raw value. */
export function StatusBadge({ status }: { status: RunStatus }) {
  return (
    <span data-testid="run-status" data-status={status} className={`inline-flex items-center gap-1.5 rounded-full border px-3 py-1 text-sm font-semibold ${statusClasses[status]}`}>
      {status === 'running' && <span aria-hidden="true" className="h-2 w-2 animate-pulse rounded-full bg-blue-700" />}
      {statusLabel[status]}
    </span>
  );
}
