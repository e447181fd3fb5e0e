import { createInterface } from 'node:readline';
import { loadTargetConfig } from './config.js';
import { createLoader } from './loader.js';
import { connectWarehouse } from './warehouse.js';

/**
 * target-clickhouse: a Singer target. Reads Singer messages on stdin, writes STATE values
 * on stdout once the rows before them are committed, logs on stderr.
 * Usage: target-clickhouse --config config.json [--config more.json]
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

async function main(): Promise<number> {
  const files = configFiles(process.argv.slice(2));
  if (files.length === 0) {
    log('ERROR target-clickhouse needs --config <file>');
    return 2;
  }
  const config = await loadTargetConfig(files);
  const warehouse = await connectWarehouse(config);
  log(`INFO target-clickhouse: ClickHouse ${warehouse.version} at ${new URL(config.url).host}, database ${config.database}`);
  await warehouse.ensureDatabase();
  const loader = createLoader(config, warehouse, { emitState: (value) => process.stdout.write(`${JSON.stringify(value)}\n`), log });
  let lineNumber = 0;
  try {
    for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
      lineNumber += 1;
      await loader.handleLine(line, lineNumber);
    }
    await loader.finish();
  } catch (error) {
    // Keep what was valid before the bad line; the last emitted state still points before it.
    await loader.commitValidRows().catch(() => undefined);
    log(`ERROR target-clickhouse stopped at ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    for (const count of loader.counts()) {
      log(`METRIC: ${JSON.stringify({ type: 'counter', metric: 'record_count', value: count.inserted, tags: { stream: count.stream, table: count.table, received: count.received } })}`);
    }
    await warehouse.close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`ERROR target-clickhouse: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
