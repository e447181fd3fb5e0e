/**
 * Turns one line of Meltano output (`--log-format=json`, all on stderr) into a log entry
 * for the run: level, message, which plugin said it, and any record-count metric.
 */
export type LogLevel = 'debug' | 'info' | 'warning' | 'error';
export type LogEntry = {
  level: LogLevel;
  message: string;
  plugin?: string;
  /** Records counted for a stream by the tap (producer) or target (consumer). */
  metric?: { stream: string; records: number; role: 'tap' | 'target' };
};

const METRIC = /METRIC: (\{.*\})\s*$/;
const LEVELS: Record<string, LogLevel> = { debug: 'debug', info: 'info', warning: 'warning', warn: 'warning', error: 'error', critical: 'error', fatal: 'error' };
const RAW_LEVEL = /\b(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)\b/;

function levelOf(value: unknown, fallback: LogLevel): LogLevel {
  return typeof value === 'string' ? (LEVELS[value.toLowerCase()] ?? fallback) : fallback;
}

function metricFrom(message: string): { stream: string; records: number } | undefined {
  const match = METRIC.exec(message);
  if (!match) return undefined;
  try {
    const data = JSON.parse(match[1]!) as { metric?: string; value?: unknown; tags?: Record<string, unknown> };
    if (data.metric !== 'record_count' || typeof data.value !== 'number') return undefined;
    const stream = data.tags?.stream ?? data.tags?.endpoint;
    return typeof stream === 'string' ? { stream, records: data.value } : undefined;
  } catch {
    return undefined;
  }
}

export function parseLogLine(line: string): LogEntry {
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
  const metric = plugin ? metricFrom(message) : undefined;
  return {
    level,
    message,
    ...(plugin ? { plugin } : {}),
    ...(metric ? { metric: { ...metric, role: parsed.consumer === true ? 'target' : 'tap' } } : {}),
  };
}
