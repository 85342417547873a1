// Calls generated inside ClickHouse by INSERT … SELECT FROM numbers(), for benchmarks at millions of calls:
// over the given span, 8 models (one unknown to the catalog), 12 features, 5 000 users, prompt hashes that
// repeat (exact dups, retries), 200 prompt templates sharing their leading 512-token blocks (prefix reuse,
// near dups), cache reads and writes, 429 bursts, time-outs. The same n gives the same rows every run.
import type { ClickHouseClient } from '@clickhouse/client-web';

// One row per number: everything derived from cityHash64(number, salt) so a size is the same data every run.
const GENERATE = `
INSERT INTO llm_calls (org_id, request_id, timestamp, ingested_at, source, user, feature, provider, model,
  input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, latency_ms, ttft_ms,
  status, cost_nanousd, prompt_hash, prefix_hashes, max_tokens, stream, attempt)
SELECT
  {org:String},
  concat('req_', hex(cityHash64(number, 0))),
  fromUnixTimestamp64Milli(toInt64({start:Int64} + intDiv(number * {span:Int64}, {n:UInt64}) + cityHash64(number, 1) % 600000), 'UTC'),
  now64(3),
  ['api', 'api', 'api', 'otlp'][1 + cityHash64(number, 2) % 4],
  if(cityHash64(number, 3) % 5 = 0, '', concat('user_', toString(cityHash64(number, 4) % 5000))),
  ['chat', 'search', 'summarize', 'agent', 'extract', 'classify', 'translate', 'rag', 'code', 'sql', 'email', ''][1 + cityHash64(number, 5) % 12],
  pm.1, pm.2,
  input, output, cached, cache_write, if(cityHash64(number, 9) % 10 = 0, output % 700, 0),
  if(cityHash64(number, 10) % 50 = 0, NULL, if(cityHash64(number, 11) % 200 = 0, 30000 + cityHash64(number, 12) % 1000, 300 + output * 12 + cityHash64(number, 13) % 900)),
  if(stream = 1, 100 + cityHash64(number, 14) % 800, NULL),
  status,
  if(cityHash64(number, 15) % 40 = 0, NULL, toInt64(input * 2500 + output * 10000 - cached * 2000)),
  if(cityHash64(number, 16) % 10 = 0, '', concat('p', toString(cityHash64(number, 17) % greatest(1, intDiv({n:UInt64}, 4))))),
  arrayMap(j -> if(j < shared, concat('t', toString(template), '.', toString(j)), concat('u', toString(number), '.', toString(j))), range(blocks)),
  if(cityHash64(number, 18) % 3 = 0, 1024, NULL),
  if(cityHash64(number, 19) % 10 = 0, NULL, stream),
  if(cityHash64(number, 20) % 40 = 0, 2, 1)
FROM (
  SELECT number,
    [('openai', 'gpt-4o'), ('openai', 'gpt-4o-mini'), ('anthropic', 'claude-sonnet-4-5'), ('anthropic', 'claude-haiku-4-5'),
     ('google', 'gemini-2.5-flash'), ('azure', 'gpt-4o-2024-08-06'), ('bedrock', 'anthropic.claude-sonnet-4-6-v1:0'), ('acme', 'acme-llm-7b')][1 + cityHash64(number, 6) % 8] AS pm,
    toUInt32(200 + cityHash64(number, 7) % 12000) AS input,
    toUInt32(cityHash64(number, 8) % 1500) AS output,
    cityHash64(number, 21) % 200 AS template,
    least(intDiv(input, 512), 24) AS blocks,
    least(blocks, 2 + cityHash64(number, 22) % 12) AS shared,
    toUInt32(if(cityHash64(number, 23) % 3 = 0, least(input, shared * 512), 0)) AS cached,
    toUInt32(if(cityHash64(number, 24) % 8 = 0, 1024 + cityHash64(number, 25) % 2048, 0)) AS cache_write,
    ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', '429', 'timeout', '500'][1 + cityHash64(number, 26) % 20] AS status,
    toUInt8(cityHash64(number, 27) % 2) AS stream
  FROM numbers({from_n:UInt64}, {count:UInt64})
)`;

/** Inserts n generated calls of `org` over [start, start + spanMs) (+ up to 10 min), a million per INSERT. */
export async function insertGeneratedCalls(ch: ClickHouseClient, org: string, n: number, start: number, spanMs: number): Promise<void> {
  const CHUNK = 1_000_000;
  for (let from = 0; from < n; from += CHUNK) {
    await ch.command({
      query: GENERATE,
      query_params: { org, start, span: spanMs, n, from_n: from, count: Math.min(CHUNK, n - from) },
      clickhouse_settings: { max_partitions_per_insert_block: '1000' },
    });
  }
}
