// `npm run prepare-db`: migrate and seed the catalog (docker-compose runs this before api and worker).
import { createDb } from '../db/client.js';
import { loadEnvOrExit } from '../core/env.js';
import { prepareDatabase } from './prepare.js';

const env = loadEnvOrExit(['DATABASE_URL']);
const { db, close } = createDb(env.DATABASE_URL, { max: 1 });
await prepareDatabase(env.DATABASE_URL, db);
await close();
process.stdout.write('Database migrated and catalog seeded.\n');
