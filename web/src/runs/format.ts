/** Numbers, times and durations in the reader's own locale. */

export const formatNumber = (n: number) => n.toLocaleString();

/** "45 s", "3 min 5 s", "2 h 10 min": precise enough to compare runs, short enough to scan. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
}

export const formatDateTime = (iso: string) => new Date(iso).toLocaleString();

/** The time of a log line (the date is on the run's header already). */
export const formatClock = (iso: string) => {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? '' : at.toLocaleTimeString();
};

/** Seconds from one time to another (or to now), for a run still going. */
export const secondsBetween = (from: string, to: string | number) => ((typeof to === 'number' ? to : new Date(to).getTime()) - new Date(from).getTime()) / 1000;
