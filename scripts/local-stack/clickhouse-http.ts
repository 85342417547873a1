// ClickHouse's HTTP interface over an in-process chdb Session whose data lives in dataDir (kept across
// restarts), so @clickhouse/client-web works unchanged: the query in the body and/or `query` param (an
// INSERT … FORMAT's rows in the body), `param_*` values bound by the engine itself (SET param_…), other URL
// params as per-query settings, `database`, `default_format`, `/ping`, and errors as `Code: N. DB::Exception: …`
// with X-ClickHouse-Exception-Code. chdb runs one query at a time here (a queue).
import { drainPending, Session, type ChdbResult } from 'chdb';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen, readBody, type RunningServer } from './util';

// URL params that are part of the HTTP protocol, not settings (as are `param_*` and `http_*`).
const PROTOCOL_PARAMS = new Set([
  'query', 'database', 'default_format', 'query_id', 'session_id', 'session_timeout', 'session_check', 'role',
  'user', 'password', 'quota_key', 'compress', 'decompress', 'buffer_size', 'wait_end_of_query',
  'add_http_cors_header', 'enable_http_compression', 'send_progress_in_http_headers',
]);
// Settings this server keeps on its session (ClickHouse Cloud sends 64-bit integers as JSON strings).
const SESSION_SETTINGS: Record<string, string> = { output_format_json_quote_64bit_integers: '1' };
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const STATUS_BY_CODE: Record<number, number> = {
  ...Object.fromEntries([6, 25, 26, 27, 38, 41, 53, 62, 117, 457].map((c) => [c, 400])),
  ...Object.fromEntries([46, 47, 50, 56, 60, 63, 73, 81, 115].map((c) => [c, 404])),
  48: 501,
};

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const settingValue = (v: string) => (/^-?\d+(\.\d+)?$/.test(v) ? v : quote(v));

/** chdb's message in the server's form: `Code: N. DB::Exception: … (TYPE)`, without chdb's `Query failed: `. */
function clickhouseError(err: unknown): { code: number; message: string } {
  const raw = (err instanceof Error ? err.message : String(err)).replace(/^Query failed: /, '');
  const message = /^Code: \d+\./.test(raw) ? raw : `Code: 1001. DB::Exception: ${raw}. (STD_EXCEPTION)`;
  return { code: Number(/^Code: (\d+)/.exec(message)?.[1]), message };
}

/** X-ClickHouse-Summary from chdb's counters (chdb does not count written rows). */
function summary(r: ChdbResult): string {
  const [rows, bytes] = [String(r.rowsRead), String(r.bytesRead)];
  return JSON.stringify({
    read_rows: rows, read_bytes: bytes, written_rows: '0', written_bytes: '0', total_rows_to_read: rows,
    result_rows: rows, result_bytes: bytes, elapsed_ns: String(Math.round(r.elapsed * 1e9)),
  });
}

/** The statements that prepare the session for one request (SET is all-or-nothing), and the one that undoes its settings. */
function requestContext(url: URL, req: IncomingMessage): { before: string; after?: string } {
  const database = url.searchParams.get('database') ?? (req.headers['x-clickhouse-database'] as string | undefined) ?? 'default';
  const statements: string[] = [];
  const touched: string[] = [];
  for (const [key, value] of url.searchParams) {
    const isParam = key.startsWith('param_');
    if (!isParam && (PROTOCOL_PARAMS.has(key) || key.startsWith('http_'))) continue;
    if (!IDENTIFIER.test(key)) throw new Error(`Code: 115. DB::Exception: Unknown setting ${JSON.stringify(key)}. (UNKNOWN_SETTING)`);
    statements.push(`${key} = ${isParam ? quote(value) : settingValue(value)}`);
    if (!isParam) touched.push(key);
  }
  return {
    before: `USE \`${database.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\`` + (statements.length ? `; SET ${statements.join(', ')}` : ''),
    after: touched.length ? `SET ${touched.map((k) => `${k} = ${SESSION_SETTINGS[k] ?? 'DEFAULT'}`).join(', ')}` : undefined,
  };
}

export interface ClickHouseServer extends RunningServer {
  /** Holds every query from now on until the returned release is called (a store that hangs, for drills). */
  hold(): () => void;
}

export async function startClickHouseHttp(opts: { port?: number; host?: string; dataDir: string }): Promise<ClickHouseServer> {
  const session = new Session(opts.dataDir);
  session.query(`SET ${Object.entries(SESSION_SETTINGS).map(([k, v]) => `${k} = ${v}`).join(', ')}`);
  const timezone = session.query('SELECT timezone()', 'TabSeparated').trim();
  let closed = false;
  let tail: Promise<unknown> = Promise.resolve();
  const serialized = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = tail.then(() => {
      if (closed) throw new Error('Code: 210. DB::Exception: server is shutting down. (NETWORK_ERROR)');
      return fn();
    });
    tail = next.catch(() => {});
    return next;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://clickhouse');
    const queryId = url.searchParams.get('query_id') ?? randomUUID();
    if (url.pathname === '/ping' || (req.method === 'GET' && !url.searchParams.has('query'))) {
      return void res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' }).end('Ok.\n');
    }
    try {
      const body = (await readBody(req)).toString('utf8');
      const param = url.searchParams.get('query');
      const sql = param === null ? body : body ? `${param}\n${body}` : param;
      const format =
        /\bFORMAT\s+(\w+)\s*;?\s*$/i.exec(sql)?.[1] ??
        url.searchParams.get('default_format') ??
        (req.headers['x-clickhouse-format'] as string | undefined) ??
        'TabSeparated';
      const context = requestContext(url, req);
      const result = await serialized(async () => {
        await session.queryAsync(context.before);
        try {
          return await session.queryAsync(sql, { format });
        } finally {
          if (context.after) await session.queryAsync(context.after);
        }
      });
      res.writeHead(200, {
        'Content-Type': `${format.startsWith('JSON') ? 'application/json' : 'text/plain'}; charset=UTF-8`,
        'X-ClickHouse-Format': format,
        'X-ClickHouse-Query-Id': queryId,
        'X-ClickHouse-Summary': summary(result),
        'X-ClickHouse-Timezone': timezone,
      });
      res.end(Buffer.from(result.bytes()));
    } catch (err) {
      const { code, message } = clickhouseError(err);
      res.writeHead(STATUS_BY_CODE[code] ?? 500, {
        'Content-Type': 'text/plain; charset=UTF-8',
        'X-ClickHouse-Exception-Code': String(code),
        'X-ClickHouse-Query-Id': queryId,
      });
      res.end(`${message}\n`);
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  // Queries run one at a time, so a client's pooled socket can sit idle behind a long insert; with Node's
  // default 5 s keep-alive the server may close it just as the client reuses it (ECONNRESET on a loaded
  // machine). Idle sockets live two minutes, and the header tells clients so.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  let port: number;
  try {
    port = await listen(server, opts.port ?? 0, opts.host ?? '127.0.0.1');
  } catch (err) {
    session.close();
    throw err;
  }
  return {
    port,
    hold() {
      let release = () => {};
      const gate = new Promise<void>((r) => (release = r));
      tail = tail.then(() => gate);
      return release;
    },
    async close() {
      closed = true;
      await closeServer(server);
      await tail;
      session.close();
      await drainPending();
    },
  };
}
