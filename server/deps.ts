import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import type { Keyring } from '../db/crypto.js';
import type { RunQueue } from '../core/runs/queues.js';
import type { Principal } from '../core/tenants/service.js';
import type { SignInLimits } from '../core/accounts/sign-in-limit.js';

/** What the HTTP app needs; built by main.ts (or a test) and passed to createApp. */
export type AppDeps = {
  db: Db;
  /** For blocking reads (SSE log tails) each client duplicates this connection. */
  redis: Redis;
  queue: RunQueue;
  keyring: Keyring;
  log: Logger;
  queuePrefix: string;
  /** Folder with the built web app, served at /. */
  webRoot?: string;
  /** SLUICE_TRUST_PROXY: believe X-Forwarded-For/-Proto from the reverse proxy in front. */
  trustProxy?: boolean;
  /** Sign-in limits (tests lower them); defaults in core/accounts/sign-in-limit.ts. */
  signInLimits?: SignInLimits;
  /** The meltano.yml plugin registrations edit (the project's own unless a test gives a copy). */
  meltanoFile?: string;
  /** Most log streams (SSE) one tenant may hold open on this process at once. */
  maxLogStreamsPerTenant?: number;
};

export type AppEnv = { Variables: { principal: Principal; requestId: string } };
