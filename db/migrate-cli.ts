import { loadEnvOrExit } from '../server/env.js';
import { migrateDatabase } from './migrate.js';

const env = loadEnvOrExit(['DATABASE_URL']);
await migrateDatabase(env.DATABASE_URL);
process.stdout.write('Database is up to date.\n');
