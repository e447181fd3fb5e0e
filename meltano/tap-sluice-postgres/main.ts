import { readFile } from 'node:fs/promises';
import postgres from 'postgres';
import { aboutDoc, loadConfig, sslOption, type TapConfig } from './config.js';
import { connectCopy } from './copy-connection.js';
import { discover, readTables } from './discover.js';
import { plainError } from './errors.js';
import { selectedStreams } from './selection.js';
import { syncStreams, tablesByStream, type State } from './sync.js';

/**
 * tap-sluice-postgres: a Singer tap reading PostgreSQL tables with COPY.
 * Usage: tap-sluice-postgres --config config.json [--discover | --catalog catalog.json [--state state.json]] | --about [--format=json]
 * Singer messages on stdout; logs (plain lines, METRIC record_count) on stderr.
 */
type Args = { config: string[]; catalog?: string | undefined; state?: string | undefined; discover: boolean; about: boolean };

function parseArgs(argv: string[]): Args {
  const args: Args = { config: [], discover: false, about: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[(i += 1)];
    if (name === '--config') {
      const file = value();
      if (file) args.config.push(file);
    } else if (name === '--catalog' || name === '--properties') args.catalog = value();
    else if (name === '--state') args.state = value();
    else if (name === '--discover') args.discover = true;
    else if (name === '--about') args.about = true;
  }
  return args;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/** stdout with backpressure: a write that fills the pipe waits for it to drain. */
const out = {
  write(text: string | Buffer, onWritten?: () => void): Promise<void> | void {
    if (process.stdout.write(text, onWritten && (() => onWritten()))) return;
    return new Promise((resolve) => process.stdout.once('drain', resolve));
  },
};

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(`cannot read the ${what} file ${file}`);
  }
  try {
    return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
  } catch {
    throw new Error(`the ${what} file ${file} is not valid JSON`);
  }
}

function connect(config: TapConfig) {
  return postgres({
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.database,
    ssl: sslOption(config.ssl_mode),
    max: config.max_parallel_streams,
    connect_timeout: 30,
    onnotice: () => {},
    // Values as the tap writes them: UTC, ISO dates, shortest exact floats (PostgreSQL 12+), and
    // string literals (the bookmark, JSON names) read with backslashes as plain characters.
    connection: { application_name: 'tap-sluice-postgres', TimeZone: 'UTC', DateStyle: 'ISO, YMD', IntervalStyle: 'postgres', extra_float_digits: 1, client_encoding: 'UTF8', standard_conforming_strings: 'on' },
  });
}

let config: TapConfig | undefined;

// The reader of our output (the loader) went away: nothing more can be delivered.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  log(`ERROR tap-sluice-postgres: ${error.code === 'EPIPE' ? 'the loader stopped reading the rows (it failed or was stopped); stopping' : `cannot write the rows: ${error.message}`}`);
  process.exit(1);
});

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.about) {
    process.stdout.write(`${JSON.stringify(aboutDoc(), null, 2)}\n`);
    return 0;
  }
  if (args.config.length === 0) {
    log('ERROR tap-sluice-postgres needs --config <file>');
    return 2;
  }
  config = await loadConfig(args.config);
  const sql = connect(config);
  try {
    log(`INFO tap-sluice-postgres: PostgreSQL at ${config.host}:${config.port}, database ${config.database}${config.filter_schemas.length ? `, schemas ${config.filter_schemas.join(', ')}` : ''}`);
    if (args.discover) {
      await out.write(`${JSON.stringify(await discover(sql, config.filter_schemas), null, 2)}\n`);
      return 0;
    }
    const catalog = args.catalog ? await readJson(args.catalog, 'catalog') : await discover(sql, config.filter_schemas);
    const requests = selectedStreams(catalog);
    const state = (args.state ? await readJson(args.state, 'state') : {}) as State;
    if (requests.length === 0) log('WARNING tap-sluice-postgres: no stream is selected; nothing to read');
    const tables = tablesByStream(await readTables(sql, config.filter_schemas));
    const settings = config;
    await syncStreams(tables, requests, { openCopy: () => connectCopy(settings), out, log, state: state ?? {}, parallel: config.max_parallel_streams, stateEveryRows: config.state_every_rows });
    return 0;
  } finally {
    await sql.end({ timeout: 5 }).catch(() => undefined);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`ERROR tap-sluice-postgres: ${plainError(error, config)}`);
    process.exit(1);
  },
);
