// Local stand-in for Neon's proxy, on one port: a WebSocket→TCP relay for @neondatabase/serverless
// Pool/Client (ws://HOST:PORT/v1?address=host:port) and the SQL-over-HTTP endpoint of neon() (POST /sql:
// `{query, params}` or `{queries: [...]}` as one transaction, answered like Neon, over `pg`).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import pg from 'pg';
import { WebSocketServer, type WebSocket } from 'ws';
import { closeServer, listen, readBody, type RunningServer } from './util';

interface SqlQuery {
  query: string;
  params?: unknown[];
}
interface Options {
  arrayMode: boolean;
  rawText: boolean;
}

const ISOLATION_LEVELS = new Set(['read uncommitted', 'read committed', 'repeatable read', 'serializable']);
// Neon-Raw-Text-Output: every value as Postgres sent it (text); the client parses by dataTypeID.
const rawTextTypes = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

async function runQuery(client: pg.Pool | pg.PoolClient, q: SqlQuery, opts: Options) {
  // Extended protocol even without params, like Neon: one statement per query.
  const config = { text: q.query, values: q.params ?? [], queryMode: 'extended', rowMode: opts.arrayMode ? 'array' : undefined };
  const result = await client.query({ ...config, ...(opts.rawText ? { types: rawTextTypes } : {}) } as pg.QueryConfig);
  return { command: result.command, rowCount: result.rowCount, rows: result.rows, fields: result.fields, rowAsArray: opts.arrayMode };
}

/** BEGIN with the Neon-Batch-* headers' isolation level, read-only and deferrable modes. */
function beginStatement(req: IncomingMessage): string {
  const header = (name: string) => req.headers[name.toLowerCase()] as string | undefined;
  const level = header('Neon-Batch-Isolation-Level')?.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  if (level !== undefined && !ISOLATION_LEVELS.has(level)) throw new Error(`unknown isolation level ${level}`);
  const flag = (name: string, on: string, off: string) => {
    const value = header(name);
    return value === 'true' ? ` ${on}` : value === 'false' ? ` ${off}` : '';
  };
  return (
    'begin' +
    (level ? ` isolation level ${level}` : '') +
    flag('Neon-Batch-Read-Only', 'read only', 'read write') +
    flag('Neon-Batch-Deferrable', 'deferrable', 'not deferrable')
  );
}

async function runBatch(pool: pg.Pool, queries: SqlQuery[], begin: string, opts: Options) {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const results = [];
    for (const q of queries) results.push(await runQuery(client, q, opts));
    await client.query('commit');
    return { results };
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

function relay(ws: WebSocket, host: string, port: number): void {
  const tcp = connect({ host, port });
  const end = () => {
    tcp.destroy();
    ws.terminate();
  };
  tcp.on('data', (data) => ws.readyState === ws.OPEN && ws.send(data));
  ws.on('message', (data) => tcp.write(data as Buffer));
  tcp.on('close', end).on('error', end);
  ws.on('close', end).on('error', end);
}

export async function startNeonRelay(opts: { port?: number; host?: string } = {}): Promise<RunningServer> {
  const pools = new Map<string, pg.Pool>();
  const poolFor = (connectionString: string) => {
    let pool = pools.get(connectionString);
    if (!pool) {
      pool = new pg.Pool({ connectionString, max: 10, idleTimeoutMillis: 10_000 });
      pool.on('error', () => {}); // an idle client dropped by the server; the pool replaces it
      pools.set(connectionString, pool);
    }
    return pool;
  };

  async function handleSql(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown): void =>
      void res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    try {
      const connectionString = req.headers['neon-connection-string'];
      if (typeof connectionString !== 'string') return send(400, { message: 'missing Neon-Connection-String header' });
      const body = JSON.parse((await readBody(req)).toString('utf8')) as SqlQuery | { queries: SqlQuery[] };
      const options = { arrayMode: req.headers['neon-array-mode'] === 'true', rawText: req.headers['neon-raw-text-output'] === 'true' };
      const pool = poolFor(connectionString);
      send(200, 'queries' in body ? await runBatch(pool, body.queries, beginStatement(req), options) : await runQuery(pool, body, options));
    } catch (err) {
      if (err instanceof pg.DatabaseError) send(400, { ...err, message: err.message });
      else send(err instanceof SyntaxError ? 400 : 500, { message: err instanceof Error ? err.message : String(err) });
    }
  }

  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url?.split('?')[0] === '/sql') void handleSql(req, res);
    else res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const match = new URL(req.url ?? '/', 'http://relay').searchParams.get('address')?.match(/^(.+):(\d+)$/);
    if (!match) return void socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => relay(ws, match[1] ?? '', Number(match[2])));
  });

  const port = await listen(server, opts.port ?? 0, opts.host ?? '127.0.0.1');
  return {
    port,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await closeServer(server);
      await Promise.all([...pools.values()].map((pool) => pool.end()));
    },
  };
}
