import { env } from 'cloudflare:workers';
import { it } from 'vitest';
import { toCallRow } from '../../db/telemetry-writer';

it('perf', async () => {
  const org = `org_perf_${Date.now()}`;
  const stub = env.INGEST_BUFFER.get(env.INGEST_BUFFER.idFromName(org));
  const mk = (p: number) => Array.from({ length: 5000 }, (_, i) => { const r = toCallRow({ request_id: `p${p}-${i}`, timestamp: Date.now() - i, provider: 'openai', model: 'gpt-4o', input_tokens: 100, output_tokens: 10, cached_input_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, latency_ms: 100, ttft_ms: null, status: 'ok', cost_nanousd: 1, cost_from_source: false, prompt_hash: null, prefix_hashes: [], max_tokens: null, stream: null, region: null, attempt: 1, trace_id: null, span_id: null, metadata: {}, source: 'api' }, { org_id: org, retention_days: 7, api_key_id: null, ingested_at: Date.now() }); return { id: r.request_id, json: JSON.stringify(r) }; });
  for (let k = 0; k < 4; k++) {
    const rows = mk(k);
    const t = performance.now();
    await stub.append({ calls: rows });
    const t2 = performance.now();
    const f = await stub.flushNow();
    console.log(`append ${Math.round(t2 - t)} ms, flush ${Math.round(performance.now() - t2)} ms`, f.flushed_calls);
  }
});
