// The OpenAPI document: served at /api/openapi.json, valid OpenAPI 3.1 (checked by the official JSON schema
// in Node through the control server), and in step with the routes — every route of the app is described
// unless it sits under a prefix not converted yet, and every described route exists. Validation failures of
// declared schemas answer the project's error shape.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../workers/app';
import { api, jsonRequest } from './helpers';
import { signUp } from './tenancy';

interface Document {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
/** Public routes that take no input, so nothing a caller sends can make them answer a 4xx. */
const NO_CLIENT_ERROR = ['/api/openapi.json', '/api/auth/google/authorize', '/health', '/health/ready', '/api/metrics'];

async function served(): Promise<Document> {
  const res = await api('/api/openapi.json');
  expect(res.status).toBe(200);
  return (await res.json()) as Document;
}

describe('OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const doc = await served();
    expect(doc.openapi).toBe('3.1.0');
    const controlUrl = (env as unknown as { STACK_CONTROL_URL: string }).STACK_CONTROL_URL;
    const res = await fetch(`${controlUrl}/openapi/validate`, { method: 'POST', body: JSON.stringify(doc) });
    const result = (await res.json()) as { valid: boolean; version: string; errors: unknown };
    expect(result.errors).toBeNull();
    expect(result).toMatchObject({ valid: true, version: '3.1' });
  });

  it('the validator refuses a broken document (the check above can fail)', async () => {
    const doc = await served();
    const broken = { ...doc, paths: { '/x': { get: { responses: { 200: { content: 'nope' } } } } } };
    const controlUrl = (env as unknown as { STACK_CONTROL_URL: string }).STACK_CONTROL_URL;
    const result = (await (await fetch(`${controlUrl}/openapi/validate`, { method: 'POST', body: JSON.stringify(broken) })).json()) as { valid: boolean };
    expect(result.valid).toBe(false);
  });

  it('describes exactly the routes the app has', async () => {
    const doc = await served();
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).filter((m) => METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${path}`)));
    const routed = new Set(
      buildApp()
        .routes.filter((r) => METHODS.includes(r.method.toLowerCase()))
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    const undocumented = [...routed].filter((r) => !documented.has(r));
    const phantom = [...documented].filter((r) => !routed.has(r));
    expect(undocumented).toEqual([]);
    expect(phantom).toEqual([]);
    // Every router is there, those under shared prefixes (/, /api, /v1) included.
    for (const r of [
      'POST /api/auth/login',
      'DELETE /api/keys/{id}',
      'GET /api/threads/{id}/messages',
      'POST /api/orgs/invitations/accept',
      'GET /api/orgs/audit',
      'GET /health/ready',
      'GET /ws',
      'GET /api/metrics/tier/{tier}/limits',
      'POST /api/ingest/calls',
      'POST /v1/traces',
      'POST /v1/chat/completions',
      'POST /v1/embeddings',
      'POST /api/policies/{id}/simulate',
      'POST /api/costs/reconciliation',
    ]) {
      expect(documented).toContain(r);
    }
  });

  it('routes that need a session say so, and every operation lists its error answers', async () => {
    const doc = await served();
    expect(doc.paths['/api/keys']!.post!.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/api/auth/login']!.post!.security).toBeUndefined();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (NO_CLIENT_ERROR.includes(path)) continue;
        expect(Object.keys(op.responses).some((s) => s.startsWith('4')), `${method} ${path}`).toBe(true);
      }
    }
  });
});

describe('declared validation answers the project error shape', () => {
  it('bad bodies, queries and media types', async () => {
    const owner = await signUp();
    const bad = await api('/api/orgs/invitations', jsonRequest('POST', { email: 'not-an-email', extra: 1 }, owner.headers));
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; message: string; details: { issues: Array<{ path: string }> }; request_id: string } };
    expect(body.error).toMatchObject({ code: 'invalid_request', message: 'request body is invalid' });
    expect(body.error.details.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['email']));
    expect(body.error.request_id).toBe(bad.headers.get('x-request-id'));

    const query = await api('/api/orgs/members?limit=0', { headers: owner.headers });
    expect(query.status).toBe(400);
    expect(((await query.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'invalid_request', message: 'query string is invalid' });

    const malformed = await api('/api/threads', jsonRequest('POST', '{"title": ', owner.headers));
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('invalid_json');

    const text = await api('/api/auth/login', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(text.status).toBe(415);
    expect(((await text.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');

    const large = await api('/api/threads', jsonRequest('POST', { title: 'x'.repeat(2 * 1024 * 1024) }, owner.headers));
    expect(large.status).toBe(413);
    expect(((await large.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  });
});
