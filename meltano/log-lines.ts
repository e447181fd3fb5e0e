/**
 * Turns one line a plugin printed on stderr (plain text, Singer SDK `METRIC: {…}` lines
 * included; Sluice says which plugin and whether tap or target) or one line of Meltano
 * output (`--log-format=json`) into a log entry for the run: level, message, which plugin
 * said it, and any record-count metric.
 */
export type LogLevel = 'debug' | 'info' | 'warning' | 'error';
export type LogEntry = {
  level: LogLevel;
  message: string;
  plugin?: string;
  /** Records counted for a stream by the tap (producer) or target (consumer). */
  metric?: { stream: string; records: number; role: 'tap' | 'target' };
  /** target-clickhouse's end-of-run count check for a stream. */
  reconciliation?: Reconciliation;
  /** target-clickhouse's running count while it loads: rows committed so far this run, and the recent rate. */
  loadProgress?: LoadProgress;
  /** When Meltano took the line from the plugin (its own timestamp). */
  sourceAt?: string;
};

export type Reconciliation = { stream: string; table: string; received: number; inserted: number; inTable: number; distinctKeys?: number; ok: boolean; lossy?: LossyValues[] };
/** Values of a column the loader could not store exactly, for one reason; `kept`: their source values are in _sluice_rejects (true, or that table's name), or they were only counted (false). */
export type LossyValues = { column: string; reason: string; count: number; kept?: string | boolean };
export type LoadProgress = { stream: string; rows: number; rowsPerSecond: number };

const METRIC = /METRIC: (\{.*\})\s*$/;
const LEVELS: Record<string, LogLevel> = { debug: 'debug', info: 'info', warning: 'warning', warn: 'warning', error: 'error', critical: 'error', fatal: 'error' };
const RAW_LEVEL = /\b(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)\b/;

function levelOf(value: unknown, fallback: LogLevel): LogLevel {
  return typeof value === 'string' ? (LEVELS[value.toLowerCase()] ?? fallback) : fallback;
}

type MetricData = { metric?: string; value?: unknown; tags?: Record<string, unknown> };

function metricData(message: string): MetricData | undefined {
  const match = METRIC.exec(message);
  if (!match) return undefined;
  try {
    return JSON.parse(match[1]!) as MetricData;
  } catch {
    return undefined;
  }
}

function recordCount(data: MetricData): { stream: string; records: number } | undefined {
  if (data.metric !== 'record_count' || typeof data.value !== 'number') return undefined;
  const stream = data.tags?.stream ?? data.tags?.endpoint;
  return typeof stream === 'string' ? { stream, records: data.value } : undefined;
}

const isLossy = (v: unknown): v is LossyValues => {
  const l = v as Partial<LossyValues> | null;
  return typeof l === 'object' && l !== null && typeof l.column === 'string' && typeof l.reason === 'string' && typeof l.count === 'number' && Number.isFinite(l.count);
};

function reconciliationOf(data: MetricData): Reconciliation | undefined {
  const value = data.value as Partial<Reconciliation> | undefined;
  if (data.metric !== 'reconciliation' || typeof value?.stream !== 'string' || typeof value.ok !== 'boolean') return undefined;
  if (value.lossy === undefined) return value as Reconciliation;
  // Only well-formed entries are kept: the run's summary and its API total add up their counts.
  return { ...(value as Reconciliation), lossy: Array.isArray(value.lossy) ? value.lossy.filter(isLossy) : [] };
}

/** `METRIC: {"type":"summary","metric":"load_progress","value":{"stream":…,"rows":…,"rows_per_second":…}}` */
function loadProgressOf(data: MetricData): LoadProgress | undefined {
  const value = data.value as { stream?: unknown; rows?: unknown; rows_per_second?: unknown } | undefined;
  if (data.metric !== 'load_progress' || typeof value !== 'object' || value === null) return undefined;
  const stream = typeof value.stream === 'string' ? value.stream : data.tags?.stream;
  if (typeof stream !== 'string' || typeof value.rows !== 'number' || !Number.isFinite(value.rows)) return undefined;
  const rate = typeof value.rows_per_second === 'number' && Number.isFinite(value.rows_per_second) ? value.rows_per_second : 0;
  return { stream, rows: value.rows, rowsPerSecond: rate };
}

/** A plain line from a plugin Sluice started itself. */
/** Python logging's stamp, as Singer SDK taps print it: `2026-11-25 07:22:12,448 | INFO | …`. */
const PYTHON_STAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}),(\d{3}) \|/;

/** When the plugin wrote the line, where it says: local time, which the plugin shares with us (TZ passes through). */
function stampOf(line: string): string | undefined {
  const m = PYTHON_STAMP.exec(line);
  if (!m) return undefined;
  const at = new Date(`${m[1]}T${m[2]}.${m[3]}`);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

function pluginLine(line: string, source: { plugin: string; role: 'tap' | 'target' }): LogEntry {
  const data = metricData(line);
  const metric = data && recordCount(data);
  const reconciliation = data && reconciliationOf(data);
  const loadProgress = data && source.role === 'target' ? loadProgressOf(data) : undefined;
  const sourceAt = stampOf(line);
  return {
    level: levelOf(RAW_LEVEL.exec(line)?.[1], 'info'),
    message: line,
    plugin: source.plugin,
    ...(sourceAt ? { sourceAt } : {}),
    ...(metric ? { metric: { ...metric, role: source.role } } : {}),
    ...(reconciliation ? { reconciliation } : {}),
    ...(loadProgress ? { loadProgress } : {}),
  };
}

export function parseLogLine(line: string, source?: { plugin: string; role: 'tap' | 'target' }): LogEntry {
  if (source) return pluginLine(line, source);
  let parsed: Record<string, unknown> | undefined;
  if (line.startsWith('{')) {
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      parsed = undefined;
    }
  }
  if (!parsed || typeof parsed.event !== 'string') {
    return { level: levelOf(RAW_LEVEL.exec(line)?.[1], 'info'), message: line };
  }
  const message = parsed.event;
  const plugin = typeof parsed.name === 'string' ? parsed.name : undefined;
  // A plugin's own stderr arrives at Meltano's "info"; its real level is in the text.
  const level = plugin ? levelOf(RAW_LEVEL.exec(message)?.[1], levelOf(parsed.level, 'info')) : levelOf(parsed.level, 'info');
  const data = plugin ? metricData(message) : undefined;
  const metric = data && recordCount(data);
  const reconciliation = data && reconciliationOf(data);
  const loadProgress = data && parsed.consumer === true ? loadProgressOf(data) : undefined;
  return {
    level,
    message,
    ...(typeof parsed.timestamp === 'string' ? { sourceAt: parsed.timestamp } : {}),
    ...(plugin ? { plugin } : {}),
    ...(metric ? { metric: { ...metric, role: parsed.consumer === true ? 'target' : 'tap' } } : {}),
    ...(reconciliation ? { reconciliation } : {}),
    ...(loadProgress ? { loadProgress } : {}),
  };
}
