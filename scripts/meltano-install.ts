// `meltano install` with the same environment the worker gives Meltano (system database in Postgres).
import { loadEnvOrExit } from '../core/env.js';
import { meltanoEnv } from '../meltano/project.js';
import { spawnMeltano } from '../meltano/spawn.js';

const env = loadEnvOrExit(['DATABASE_URL']);
const result = await spawnMeltano(['install'], { env: meltanoEnv(env.DATABASE_URL), onLine: (line) => void process.stdout.write(`  ${line}\n`) });
if (result.exitCode !== 0) {
  process.stderr.write(`meltano install failed (exit ${result.exitCode}); see the lines above\n`);
  process.exit(1);
}
