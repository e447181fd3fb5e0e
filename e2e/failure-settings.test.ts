import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, waitForRun, type Stack } from './stack.js';

/** A failed sync names the settings to look at: the connection's own, most likely first. */
describe('a sync refused by the source', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ workers: 1 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('says why in plain words and points at the password, then the user', async () => {
    // setup.sh adds this login to the sources' PostgreSQL; it checks its password (the rest trusts 127.0.0.1).
    const config = { host: '127.0.0.1', port: 5433, user: 'sluice_password_login', password: 'not-the-password', database: 'postgres' };
    const connector = await stack.api<{ id: string }>('POST', '/connectors', { name: 'wrong', plugin: 'tap-postgres', config });
    const pipeline = await stack.api<{ id: string }>('POST', '/pipelines', { name: 'wrong', source_connector_id: connector.body.id, streams: [{ stream: 'public-anything' }] });
    expect(pipeline.status).toBe(201);
    const runId = (await stack.api<{ run_id: string }>('POST', `/pipelines/${pipeline.body.id}/runs`)).body.run_id;
    const run = (await waitForRun(stack, runId)) as unknown as { status: string; error: string; failure: { message: string; settings: string[] } | null };
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/rejected the credentials for user "sluice_password_login"/);
    expect(run.failure).toEqual({ message: run.error, settings: ['password', 'user'] });
    const succeeded = await stack.api<{ data: Array<{ failure: unknown; status: string }> }>('GET', `/runs?pipeline_id=${pipeline.body.id}`);
    expect(succeeded.body.data[0]?.failure).toEqual(run.failure);
  });
});
