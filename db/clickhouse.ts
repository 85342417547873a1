// ClickHouse over HTTP (@clickhouse/client-web): telemetry (llm_calls) and usage events.
import { createClient, type ClickHouseClient } from '@clickhouse/client-web';

export interface ClickHouseEnv {
  CLICKHOUSE_URL: string;
  CLICKHOUSE_USER?: string;
  CLICKHOUSE_PASSWORD?: string;
  CLICKHOUSE_DATABASE?: string;
}

export type { ClickHouseClient };

/** Analysis over millions of rows (the workload profile) may take tens of seconds; a request gets this long. */
export const ANALYSIS_TIMEOUT_MS = 110_000;

export function openClickHouse(env: ClickHouseEnv, timeoutMs = 30_000): ClickHouseClient {
  return createClient({
    url: env.CLICKHOUSE_URL,
    username: env.CLICKHOUSE_USER || 'default',
    password: env.CLICKHOUSE_PASSWORD || '',
    database: env.CLICKHOUSE_DATABASE || 'default',
    request_timeout: timeoutMs,
    clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
  });
}
