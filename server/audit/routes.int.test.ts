import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../../db/schema/index.js';
import { createTestApp } from '../../e2e/test-app.js';

type Event = { id: number; at: string; actor: { type: string; id: string | null; label: string }; action: string; resource: { type: string; id: string | null }; changes: Record<string, unknown> };

// GET /audit filters: narrowed server-side (so "Load more" pages through matches only), and a
// bad filter is a 400 naming the parameter, never a 500.
describe('GET /audit filters', async () => {
  const t = await createTestApp();
  let a: Awaited<ReturnType<typeof t.tenantWithTokens>>;
  let b: Awaited<ReturnType<typeof t.tenantWithTokens>>;

  const day = (d: number, hour = 12) => new Date(Date.UTC(2024, 0, d, hour));
  const seed = (tenantId: string, rows: Array<{ action: string; type: string; id?: string; label: string; at: Date }>) =>
    t.db.insert(auditEvents).values(
      rows.map((r) => ({ tenantId, actorType: r.label.startsWith('token') ? ('token' as const) : ('user' as const), actorId: null, actorLabel: r.label, action: r.action, resourceType: r.type, resourceId: r.id ?? null, changes: { name: r.action }, at: r.at })),
    );
  const list = async (token: string, query: string) => {
    const res = await t.call(token, 'GET', `/audit?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { data: Event[]; next_cursor: string | null };
  };
  /** Every page of a query, following the cursor. */
  const all = async (token: string, query: string, limit = 2) => {
    const events: Event[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Event[]; next_cursor: string | null } = await list(token, `${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.data.length).toBeLessThanOrEqual(limit);
      events.push(...page.data);
      cursor = page.next_cursor;
    } while (cursor);
    return events;
  };

  beforeAll(async () => {
    a = await t.tenantWithTokens('audit-a');
    b = await t.tenantWithTokens('audit-b');
    await seed(a.tenant.id, [
      { action: 'connector.create', type: 'connector', id: 'c1', label: 'ann@example.test', at: day(1) },
      { action: 'connector.update', type: 'connector', id: 'c1', label: 'bob@example.test', at: day(2) },
      { action: 'pipeline.create', type: 'pipeline', id: 'p1', label: 'Ann@Example.test', at: day(3) },
      { action: 'connector.delete', type: 'connector', id: 'c2', label: 'token "nightly_100%"', at: day(4) },
      { action: 'connector.create', type: 'connector', id: 'c3', label: 'ann@example.test', at: day(5) },
      { action: 'token.revoke', type: 'token', id: 't1', label: 'token "nightlyX100Y"', at: day(6) },
    ]);
    // The same kinds of events in another tenant never show up in A's answers.
    await seed(b.tenant.id, [
      { action: 'connector.create', type: 'connector', id: 'c1', label: 'ann@example.test', at: day(2) },
      { action: 'connector.delete', type: 'connector', id: 'c2', label: 'token "nightly_100%"', at: day(4) },
    ]);
  });
  afterAll(() => t.close());

  const seeded = (events: Event[]) => events.filter((e) => e.at.startsWith('2024-01')).map((e) => `${e.action} ${e.resource.id}`);

  it('narrows by action, resource type, resource id, who and time, newest first, in this tenant only', async () => {
    expect(seeded(await all(a.admin, 'action=connector.create'))).toEqual(['connector.create c3', 'connector.create c1']);
    expect(seeded(await all(a.admin, 'resource_type=connector'))).toEqual(['connector.create c3', 'connector.delete c2', 'connector.update c1', 'connector.create c1']);
    expect(seeded(await all(a.admin, 'resource_type=connector&resource_id=c1'))).toEqual(['connector.update c1', 'connector.create c1']);
    // who: part of the label, any case
    expect(seeded(await all(a.admin, 'actor=ANN@example'))).toEqual(['connector.create c3', 'pipeline.create p1', 'connector.create c1']);
    // % and _ are plain characters, not wildcards
    expect(seeded(await all(a.admin, `actor=${encodeURIComponent('nightly_100%')}`))).toEqual(['connector.delete c2']);
    // since and until are inclusive; a date alone is midnight UTC
    expect(seeded(await all(a.admin, `since=${day(2).toISOString()}&until=${day(4).toISOString()}`))).toEqual(['connector.delete c2', 'pipeline.create p1', 'connector.update c1']);
    expect(seeded(await all(a.admin, 'since=2024-01-05&until=2024-01-06'))).toEqual(['connector.create c3']);
    // combined
    expect(seeded(await all(a.owner, `resource_type=connector&actor=ann&since=2024-01-02`))).toEqual(['connector.create c3']);
    expect(await all(a.admin, 'action=member.remove&since=2024-01-01&until=2024-01-31')).toEqual([]);
    // B sees only its own
    expect(seeded(await all(b.admin, 'resource_type=connector'))).toEqual(['connector.delete c2', 'connector.create c1']);
  });

  it('pages through the matches only: a full page is followed by the next match, never by an unmatched event', async () => {
    const first = await list(a.admin, 'resource_type=connector&since=2024-01-01&until=2024-01-31&limit=1');
    expect(seeded(first.data)).toEqual(['connector.create c3']);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await list(a.admin, `resource_type=connector&since=2024-01-01&until=2024-01-31&limit=1&cursor=${first.next_cursor}`);
    expect(seeded(second.data)).toEqual(['connector.delete c2']);
    const last = await list(a.admin, 'action=token.revoke&limit=1');
    expect(last.next_cursor).toBeNull();
    // one event per page still finds all four, each once
    const paged = await all(a.admin, 'resource_type=connector&until=2024-01-31', 1);
    expect(seeded(paged)).toEqual(['connector.create c3', 'connector.delete c2', 'connector.update c1', 'connector.create c1']);
  });

  it('still lists everything without filters, and records real changes as they happen', async () => {
    const created = await t.call(a.owner, 'POST', '/tokens', { name: 'audit filter test', role: 'viewer' });
    expect(created.status).toBe(201);
    const events = await list(a.admin, `action=token.create&actor=${encodeURIComponent('token "owner"')}&resource_id=${created.body.id}`);
    expect(events.data.map((e) => [e.action, e.actor.label, e.resource])).toEqual([['token.create', 'token "owner"', { type: 'token', id: created.body.id }]]);
    expect(Date.now() - Date.parse(events.data[0]!.at)).toBeLessThan(60_000);
    const unfiltered = await list(a.admin, 'limit=200');
    expect(unfiltered.data).toHaveLength(7);
    expect(unfiltered.data[0]!.action).toBe('token.create');
  });

  it('answers 400 naming the parameter for every bad value, never 500', async () => {
    const bad: Array<[string, string]> = [
      ['action=', 'action'],
      ['action=DROP%20TABLE', 'action'],
      ['action=connector.', 'action'],
      ['action=connector..create', 'action'],
      [`action=${'a'.repeat(101)}`, 'action'],
      ['action=%27%3B--', 'action'],
      ['resource_type=connector.create', 'resource_type'],
      ['resource_type=Connector', 'resource_type'],
      ['resource_type=', 'resource_type'],
      ['resource_id=', 'resource_id'],
      [`resource_id=${'x'.repeat(201)}`, 'resource_id'],
      ['actor=', 'actor'],
      ['actor=%20%20', 'actor'],
      [`actor=${'a'.repeat(321)}`, 'actor'],
      ['actor=a%00b', 'actor'],
      ['since=yesterday', 'since'],
      ['since=', 'since'],
      ['since=0000-01-01T00:00:00Z', 'since'],
      ['until=+275760-09-13T00:00:00Z', 'until'],
      ['until=2024-13-45', 'until'],
      ['since=2024-01-05&until=2024-01-04', 'until'],
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['cursor=abc', 'cursor'],
      ['cursor=1e3', 'cursor'],
      ['cursor=-5', 'cursor'],
      ['cursor=99999999999999999999', 'cursor'],
    ];
    for (const [query, field] of bad) {
      const res = await t.call(a.admin, 'GET', `/audit?${query}`);
      expect(res.status, `${query}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(Object.keys(res.body.error.fields), query).toEqual([field]);
      expect(res.body.error.message, query).toEqual(expect.any(String));
    }
  });

  it('is for owners and admins only, and documents its filters', async () => {
    const viewer = await t.call(a.viewer, 'GET', '/audit?action=connector.create');
    expect(viewer.status).toBe(403);
    const doc = await t.call(undefined, 'GET', '/openapi.json');
    const params = (doc.body.paths['/audit'].get.parameters as Array<{ name: string }>).map((p) => p.name);
    expect(params).toEqual(expect.arrayContaining(['limit', 'cursor', 'action', 'resource_type', 'resource_id', 'actor', 'since', 'until']));
  });
});
