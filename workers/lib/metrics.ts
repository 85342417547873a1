// Request counts and latencies of this isolate, rendered in the Prometheus text format.
// Workers isolates are many and short-lived: scrape through a metrics pipeline (Workers Analytics
// Engine / Logpush) for fleet totals; this endpoint shows one isolate, which is what local runs need.
const BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

interface Series {
  count: number;
  sumMs: number;
  buckets: number[];
}

const series = new Map<string, Series>();

function key(method: string, route: string, status: number): string {
  return `method="${method}",route="${route.replace(/"/g, '')}",status="${status}"`;
}

export function recordRequest(method: string, route: string, status: number, ms: number): void {
  const k = key(method, route, status);
  let s = series.get(k);
  if (!s) {
    s = { count: 0, sumMs: 0, buckets: BUCKETS_MS.map(() => 0) };
    series.set(k, s);
  }
  s.count++;
  s.sumMs += ms;
  BUCKETS_MS.forEach((le, i) => {
    if (ms <= le) s.buckets[i]!++;
  });
}

export function renderPrometheus(): string {
  const lines = [
    '# HELP netra_http_requests_total HTTP requests handled by this isolate.',
    '# TYPE netra_http_requests_total counter',
  ];
  for (const [labels, s] of series) lines.push(`netra_http_requests_total{${labels}} ${s.count}`);
  lines.push(
    '# HELP netra_http_request_duration_ms Request latency in milliseconds.',
    '# TYPE netra_http_request_duration_ms histogram',
  );
  for (const [labels, s] of series) {
    BUCKETS_MS.forEach((le, i) => lines.push(`netra_http_request_duration_ms_bucket{${labels},le="${le}"} ${s.buckets[i]}`));
    lines.push(`netra_http_request_duration_ms_bucket{${labels},le="+Inf"} ${s.count}`);
    lines.push(`netra_http_request_duration_ms_sum{${labels}} ${s.sumMs.toFixed(3)}`);
    lines.push(`netra_http_request_duration_ms_count{${labels}} ${s.count}`);
  }
  return lines.join('\n') + '\n';
}
