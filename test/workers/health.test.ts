import { describe, expect, it } from 'vitest';
import { api, stackControl as control } from './helpers';
import { setTier, signUp } from './tenancy';

describe('health', () => {
  it('GET /health answers without touching any store', async () => {
    const res = await api('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('GET /health/ready is 200 when Postgres, ClickHouse and Redis answer', async () => {
    const res = await api('/health/ready');
    const body = (await res.json()) as { status: string; dependencies: Record<string, { status: string; latency_ms: number }> };
    expect(res.status).toBe(200);
    expect(body.status).toBe('ready');
    for (const dep of ['postgres', 'clickhouse', 'redis']) {
      expect(body.dependencies[dep]?.status).toBe('ok');
      expect(body.dependencies[dep]?.latency_ms).toBeGreaterThanOrEqual(0);
    }
  });

  it('ClickHouse down: /health/ready turns 503 naming ClickHouse, /health stays 200, restart heals', async () => {
    expect((await control('clickhouse/stop')).status).toBe(204);
    try {
      const down = await api('/health/ready');
      expect(down.status).toBe(503);
      const body = (await down.json()) as { dependencies: Record<string, { status: string }>; error: { code: string; message: string } };
      expect(body.error.code).toBe('dependency_unavailable');
      expect(body.error.message).toContain('clickhouse');
      expect(body.dependencies.clickhouse?.status).toBe('error');
      expect(body.dependencies.postgres?.status).toBe('ok');
      expect((await api('/health')).status).toBe(200);
    } finally {
      expect((await control('clickhouse/start')).status).toBe(204);
    }
    expect((await api('/health/ready')).status).toBe(200);
  });

  it('ClickHouse down: analytics and tier usage answer 503 naming clickhouse, with Retry-After (fault drill finding)', async () => {
    const t = await setTier(await signUp(), 'early'); // tier usage is early and up
    expect((await control('clickhouse/stop')).status).toBe(204);
    try {
      for (const path of ['/api/analytics/summary', '/api/tier/usage']) {
        const res = await api(path, { headers: t.headers });
        const body = (await res.json()) as { error: { code: string; details?: { dependency?: string } } };
        expect(res.status, path).toBe(503);
        expect(body.error).toMatchObject({ code: 'dependency_unavailable', details: { dependency: 'clickhouse' } });
        expect(res.headers.get('retry-after')).toBe('5');
      }
    } finally {
      expect((await control('clickhouse/start')).status).toBe(204);
    }
  });

  it('GET /health/dependencies reports versions to signed-in users only (issue 18, 11)', async () => {
    expect((await api('/health/dependencies')).status).toBe(401);
    const res = await api('/health/dependencies', { headers: (await signUp()).headers });
    const body = (await res.json()) as { dependencies: Record<string, { status: string; version?: string }> };
    expect(res.status).toBe(200);
    expect(body.dependencies.postgres?.version).toMatch(/^\d+/);
    expect(body.dependencies.clickhouse?.version).toMatch(/^\d+\.\d+/);
  });

  it('GET /api/metrics renders request counts in Prometheus text format', async () => {
    await api('/health');
    const res = await api('/api/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('# TYPE netra_http_requests_total counter');
    expect(text).toMatch(/netra_http_requests_total\{method="GET",route="\/health",status="200"\} \d+/);
    expect(text).toContain('netra_http_request_duration_ms_bucket');
  });
});

describe('error path', () => {
  it('unknown route → JSON 404 with the error envelope', async () => {
    const res = await api('/api/nope');
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; message: string; request_id: string } };
    expect(body.error.code).toBe('not_found');
    expect(body.error.request_id).toBe(res.headers.get('x-request-id'));
  });

  it('a well-formed incoming x-request-id is kept', async () => {
    const res = await api('/health', { headers: { 'x-request-id': 'client-req-12345' } });
    expect(res.headers.get('x-request-id')).toBe('client-req-12345');
  });

  it('CORS: the configured web origin is allowed, others are not', async () => {
    const ok = await api('/health', { headers: { Origin: 'http://localhost:5173' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const other = await api('/health', { headers: { Origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('non-API paths: any method but GET/HEAD gets the JSON error shape, not an empty 405 (issue 18, 11)', async () => {
    for (const [method, path] of [['POST', '/.env'], ['DELETE', '/index.html'], ['PUT', '/']] as const) {
      const res = await api(path, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
      expect(await res.json()).toMatchObject({ error: { code: 'method_not_allowed' } });
    }
    for (const [method, path] of [['POST', '/api'], ['POST', '/v1'], ['DELETE', '/API/KEYS']] as const) {
      const res = await api(path, { method });
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(await res.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    }
    // GET of a page is the web app (the SPA fallback of the assets)
    const page = await api('/data');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  });
});
