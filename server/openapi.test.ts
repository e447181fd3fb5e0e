import { describe, expect, it } from 'vitest';
import { allowedMethods, type Operation } from './openapi.js';

const op = (method: Operation['method'], path: string): Operation => ({ method, path, summary: '', role: 'viewer', responses: {} });

describe('allowedMethods (the Allow header of a 405)', () => {
  const operations = [
    op('get', '/connectors'),
    op('post', '/connectors'),
    op('get', '/connectors/{id}'),
    op('patch', '/connectors/{id}'),
    op('delete', '/connectors/{id}'),
    op('post', '/connectors/{id}/test'),
    op('get', '/runs/{id}/log'),
    op('get', '/runs/{id}/logs'),
  ];

  it('lists the methods of every operation whose template matches the path, upper-case, in order', () => {
    expect(allowedMethods(operations, '/connectors')).toEqual(['GET', 'POST']);
    expect(allowedMethods(operations, '/connectors/0b8f2f5e-3c4d-4e5f-8a9b-0c1d2e3f4a5b')).toEqual(['GET', 'PATCH', 'DELETE']);
    expect(allowedMethods(operations, '/connectors/abc/test')).toEqual(['POST']);
  });

  it('matches a path parameter to exactly one non-empty segment, and the whole path only', () => {
    expect(allowedMethods(operations, '/connectors/a/b')).toEqual([]);
    expect(allowedMethods(operations, '/connectors/')).toEqual([]);
    expect(allowedMethods(operations, '/connectors/abc/')).toEqual([]);
    expect(allowedMethods(operations, '/api/v1/connectors')).toEqual([]);
    expect(allowedMethods(operations, '/runs/1/log')).toEqual(['GET']);
    expect(allowedMethods(operations, '/runs/1/logs')).toEqual(['GET']);
    expect(allowedMethods(operations, '/runs/1/logsx')).toEqual([]);
  });

  it('answers nothing for a path the API does not have', () => {
    expect(allowedMethods(operations, '/nothing')).toEqual([]);
    expect(allowedMethods([], '/connectors')).toEqual([]);
  });
});
