import { logBasedFailure } from './log-based-slot.js';

/**
 * Turns what a tap printed before failing into one sentence a non-technical user can act on:
 * what happened, and what to check. Falls back to the tap's own last error line, without
 * the Python traceback around it.
 */
type Rule = { pattern: RegExp; explain: (m: RegExpExecArray, text: string) => string; settings?: string[]; transient?: boolean };

/** The stream a Singer SDK tap was reading when it failed, from its own lines ("… while syncing 'public-orders'"). */
function streamIn(text: string): string | undefined {
  const found = [...text.matchAll(/(?:while syncing|[Ss]ync of) '([^']+)'/g)];
  return found.at(-1)?.[1];
}

/** `Stream "x": ` when the log names the stream, so the sentence says which one. */
const streamPrefix = (text: string) => {
  const stream = streamIn(text);
  return stream ? `Stream "${stream}": ` : '';
};
const columnGone = (prefix: string, column: string) =>
  `${prefix}the column "${column}" no longer exists in the source. Run a discovery again, then choose another key or a full-refresh mode for this stream, or restore the column.`;

const RULES: Rule[] = [
  {
    // Our loader, after its own retries, could not reach the warehouse.
    pattern: /ClickHouse (?:insert|version check|schema change|query|create database) failed|target-clickhouse: (?:connect )?ECONNREFUSED|connect ECONNREFUSED 127\.0\.0\.1:8123/,
    explain: () => 'The warehouse (ClickHouse) could not be reached. Sluice will try again; if it keeps failing, check that ClickHouse is running.',
    transient: true,
  },
  {
    // The last alternative is tap-sluice-postgres's own words.
    pattern: /Failed to resolve '([^']+)'|could not translate host name "([^"]+)"|Name or service not known|getaddrinfo ENOTFOUND (\S+)|could not find the host (\S+?)\.(?:\s|$)/,
    explain: (m) => `Could not find the server ${m[1] ?? m[2] ?? m[3] ?? m[4] ?? ''}: its name does not resolve. Check the host name, or whether this server can reach the internet.`.replace(' :', ':'),
    settings: ['host', 'url', 'api_url'],
  },
  {
    // Any case: psycopg2 says "Connection refused", tap-sluice-postgres "connection refused".
    pattern: /Connection refused|ECONNREFUSED/i,
    explain: () => 'The server refused the connection. Check the host and port, and that the service is running and accepts connections from Sluice.',
    settings: ['host', 'port'],
    transient: true,
  },
  {
    pattern: /timed out|timeout expired|ETIMEDOUT|did not answer in time/i,
    explain: () => 'The server did not answer in time. Check the host and port, and any firewall between Sluice and the server.',
    settings: ['host', 'port'],
    transient: true,
  },
  {
    pattern: /role "([^"]+)" does not exist/,
    explain: (m) => `The user "${m[1]}" does not exist on that server. Check the user name.`,
    settings: ['user'],
  },
  {
    // "refused the password for user": tap-sluice-postgres's words for PostgreSQL's 28P01.
    pattern: /password authentication failed for user "([^"]+)"|refused the password for user "([^"]+)"|authentication failed|invalid_grant|invalid_client|Unauthorized|\b401 Client Error\b|status(?: code)?:? 401\b/i,
    explain: (m) => `The server rejected the credentials${m[1] ?? m[2] ? ` for user "${m[1] ?? m[2]}"` : ''}. Check the user name and password (or token).`,
    settings: ['password', 'user', 'client_secret', 'refresh_token'], // the password first: the likelier mistake, the field the wizard focuses
  },
  {
    // The server's access rules (pg_hba.conf) leave this login out; tap-sluice-postgres says "does not let user … connect".
    pattern: /no pg_hba\.conf entry for host "[^"]*", user "([^"]+)", database "([^"]+)"|does not let user "([^"]+)" connect to database "([^"]+)"/,
    explain: (m) => `The server does not let the user "${m[1] ?? m[3]}" connect to the database "${m[2] ?? m[4]}" from Sluice. Check the user and database names, or ask the database's administrator to allow this connection.`,
    settings: ['user', 'database'],
  },
  {
    // tap-sluice-postgres, when the server closes its connection mid-read (a restart, a dropped network).
    pattern: /the connection to PostgreSQL at \S+ was lost|server closed the connection unexpectedly/,
    explain: () => 'The server closed the connection while Sluice was reading (it may have restarted). This usually passes; if it keeps happening, check the server and the network between it and Sluice.',
    transient: true,
  },
  {
    pattern: /database "([^"]+)" does not exist/,
    explain: (m) => `The database "${m[1]}" does not exist on that server. Check the database name.`,
    settings: ['database'],
  },
  {
    pattern: /permission denied for (?:table|schema|relation) (\S+)/i,
    explain: (m) => `The user may not read ${m[1]}. Grant it read access, or leave that table out.`,
    settings: ['user'],
  },
  {
    // Failures only: taps also mention SSL when all is well (pipelinewise-tap-mysql logs "Server SSL Parameters(blank means SSL is not active)").
    pattern: /\bSSL(?:Error|EOFError|ZeroReturnError)\b|\[SSL[:\]]|SSL (?:error|handshake|connection (?:error|has been closed))|certificate verify failed|wrong version number/i,
    explain: () => 'The secure (SSL/TLS) connection failed. Check the SSL settings and the server certificate.',
    settings: ['ssl_enable', 'ssl_mode', 'ssl'],
  },
  {
    // psycopg2 through SQLAlchemy: `column "x" does not exist` or `column orders.x does not exist`.
    pattern: /column (?:"([^"]+)"|(?:([^\s".]+)\.)?([^\s".]+)) does not exist/,
    // Without the stream named in the log, the table the query named says where.
    explain: (m, text) => columnGone(streamPrefix(text), m[1] ?? (m[2] && !streamIn(text) ? `${m[2]}.${m[3]}` : m[3]!)),
  },
  {
    pattern: /relation "([^"]+)" does not exist|NoSuchTableError: (\S+)/,
    explain: (m, text) => `${streamPrefix(text)}the table "${m[1] ?? m[2]}" no longer exists in the source. Run a discovery again and take this stream out of the pipeline, or restore the table.`,
  },
  {
    // A Singer SDK tap looking up a column it was told about (the replication key, a property) that the table no longer has.
    pattern: /An unhandled error occurred while syncing '[^']+'[\s\S]*^KeyError: '([^']+)'/m,
    explain: (m, text) => columnGone(streamPrefix(text), m[1]!),
  },
  {
    // tap-sluice-postgres checks the live table before reading it (a sync may start from the last discovery). Names may hold quotes.
    pattern: /stream "(.+)": the replication key column "(.+)" is not in the table/,
    explain: (m) => columnGone(`Stream "${m[1]}": `, m[2]!),
  },
  {
    pattern: /stream "(.+)": the table or view is gone/,
    explain: (m) => `Stream "${m[1]}": the table no longer exists in the source, or the user Sluice signs in as may no longer read it. Run a discovery again and take this stream out of the pipeline, or restore the table or the user's read access.`,
  },
  {
    pattern: /No such file or directory: '([^']+)'|ENOENT.*'([^']+)'/,
    explain: (m) => `The file ${m[1] ?? m[2]} does not exist on the worker. Check the path.`,
    settings: ['path'],
  },
];

/** `transient`: worth retrying later (a server down or slow), as opposed to a bad setting. */
export type FailureReason = { message: string; settings: string[]; transient: boolean };

const TRACEBACK_NOISE = /^(Traceback|\s+File "|\s+\^+|\s{2,}\S|\(Background on this error)/;

/** Words only a failure to read the change log carries: its rules go first (their server messages are more precise than "timed out"). */
const CHANGE_LOG_FAILURE = /replication|wal2json|wal_level|logical decoding|add-tables/i;

export function explainFailure(lines: string[]): FailureReason {
  const text = lines.join('\n');
  const changeLog = CHANGE_LOG_FAILURE.test(text) ? logBasedFailure(text) : undefined;
  if (changeLog) return { ...changeLog, settings: [] };
  for (const rule of RULES) {
    const match = rule.pattern.exec(text);
    if (match) return { message: rule.explain(match, text), settings: rule.settings ?? [], transient: rule.transient ?? false };
  }
  const last = [...lines].reverse().find((line) => line.trim() !== '' && !TRACEBACK_NOISE.test(line) && /error|exception|fail|invalid/i.test(line));
  // Without the exception's class (Python) or the level and name a plain log line starts with (tap-sluice-postgres: `ERROR tap-sluice-postgres: …`).
  const detail = last?.replace(/^[\w.]*(Error|Exception):\s*/, '').replace(/^(?:ERROR|CRITICAL|FATAL)\s+[\w.-]+:\s*/, '').trim();
  return { message: detail ? `The connector stopped with an error: ${detail.slice(0, 300)}` : 'The connector stopped with an error. See the run log for details.', settings: [], transient: false };
}
