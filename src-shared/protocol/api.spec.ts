import { describe, expect, it } from 'vitest';
import { ApiError, EVENT_NAMES, METHODS, validateParams } from './api';
import { EVENT_NAME_LIST, METHOD_NAMES } from './methods';

describe('API contract', () => {
  it('method and event lists match the schemas', () => {
    expect([...METHOD_NAMES].sort()).toEqual([...METHODS].sort());
    expect([...EVENT_NAME_LIST].sort()).toEqual([...EVENT_NAMES].sort());
  });

  it('accepts valid parameters', () => {
    const p = validateParams('dataset.open', { jobId: 'job-1', source: { kind: 'path', path: '/tmp/a.xyz' } });
    expect(p.source.kind).toBe('path');
    expect(validateParams('upload.chunk', { uploadId: 'u1', bytes: new Uint8Array(3) }).bytes.length).toBe(3);
  });

  it('rejects malformed payloads naming the field', () => {
    const bad: [string, unknown, RegExp][] = [
      ['dataset.open', { jobId: 'a', source: { kind: 'shell', cmd: 'rm -rf /' } }, /source/],
      ['dataset.open', { jobId: '../../etc', source: { kind: 'example' } }, /jobId/],
      ['dataset.frame', { datasetId: 'x', index: -1 }, /index/],
      ['dataset.frame', { datasetId: 'x', index: 1.5 }, /index/],
      ['upload.chunk', { uploadId: 'u', bytes: [1, 2, 3] }, /bytes/],
      ['app.info', { extra: true }, /app.info/],
      ['no.such.method', {}, /unknown method/],
    ];
    for (const [m, params, re] of bad) {
      let err: unknown;
      try {
        validateParams(m as never, params);
      } catch (e) {
        err = e;
      }
      expect(err, m).toBeInstanceOf(ApiError);
      expect((err as ApiError).info.code).toBe('invalid-params');
      expect((err as Error).message).toMatch(re);
    }
  });
});
