import { loadTargetConfig, settingsDoc } from './config.js';
import { forEachLine, readInTurns } from './line-reader.js';
import { createLoader } from './loader.js';
import { lossyWarning } from './lossy-counts.js';
import { connectWarehouse } from './warehouse.js';

/**
 * target-clickhouse: a Singer target. Reads Singer messages on stdin, writes STATE values
 * on stdout once the rows before them are committed, logs on stderr.
 * Usage: target-clickhouse --config config.json [--config more.json] | --about
 */
function configFiles(argv: string[]): string[] {
  const files: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--config' && argv[i + 1]) files.push(argv[(i += 1)]!);
    else if (argv[i]?.startsWith('--config=')) files.push(argv[i]!.slice('--config='.length));
  }
  return files;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The chunks of `input`, calling `onRead` as each arrives (one clock reading per read, not per line). */
async function* noting(input: AsyncIterable<Buffer>, onRead: () => void): AsyncGenerator<Buffer> {
  for await (const chunk of input) {
    onRead();
    yield chunk;
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--about')) {
    process.stdout.write(`${JSON.stringify({ name: 'target-clickhouse', description: 'Loads Singer streams into ClickHouse (Sluice)', capabilities: ['about'], settings: settingsDoc }, null, 2)}\n`);
    return 0;
  }
  const files = configFiles(argv);
  if (files.length === 0) {
    log('ERROR target-clickhouse needs --config <file>');
    return 2;
  }
  const config = await loadTargetConfig(files);
  const warehouse = await connectWarehouse(config, log);
  log(`INFO target-clickhouse: ClickHouse ${warehouse.version} at ${new URL(config.url).host}, database ${config.database}`);
  await warehouse.ensureDatabase();
  const modes = Object.entries(config.stream_modes);
  if (modes.length > 0) log(`INFO target-clickhouse: sync modes ${modes.map(([stream, mode]) => `${JSON.stringify(stream)}=${mode}`).join(', ')}; other streams: deduped when keyed, else append`);
  const loader = createLoader(config, warehouse, { emitState: (value) => process.stdout.write(`${JSON.stringify(value)}\n`), log });
  let code = 0;
  try {
    // Large reads into two reused buffers: fewer, bigger chunks than process.stdin's 64 KB, and no garbage.
    await forEachLine(noting(readInTurns(0), loader.inputRead), loader.handleLine, loader.handleLines);
    await loader.finish();
  } catch (error) {
    // Keep what was valid before the failure; the emitted state never passes it.
    await loader.commitValidRows().catch(() => undefined);
    log(`ERROR target-clickhouse stopped at ${error instanceof Error ? error.message : String(error)}`);
    code = 1;
  }
  loader.stop();
  try {
    for (const count of await loader.reconcile()) {
      log(`METRIC: ${JSON.stringify({ type: 'counter', metric: 'record_count', value: count.inserted, tags: { stream: count.stream, table: count.table } })}`);
      log(`METRIC: ${JSON.stringify({ type: 'summary', metric: 'reconciliation', value: count, tags: { stream: count.stream } })}`);
      for (const entry of count.lossy) log(lossyWarning(count.stream, entry));
      if (!count.ok) {
        log(`ERROR target-clickhouse: stream "${count.stream}" does not reconcile: received ${count.received}, inserted ${count.inserted}, in table ${count.inTable}`);
        code = code || 1;
      }
    }
  } catch (error) {
    log(`WARNING target-clickhouse could not reconcile counts: ${error instanceof Error ? error.message : String(error)}`);
  }
  // A failed overwrite leaves the table as it was: its partial staging copy goes.
  if (code !== 0) await loader.discardUnswapped().catch((error: unknown) => log(`WARNING target-clickhouse could not drop a partial copy: ${error instanceof Error ? error.message : String(error)}`));
  await warehouse.close();
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`ERROR target-clickhouse: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
