// Upstash Redis's REST API over a real Redis (npm `redis`, RESP2), for @upstash/redis and @upstash/ratelimit:
// POST / with one command array, /pipeline and /multi-exec with arrays of them, a bearer token, `{result}` /
// `{error}` replies, string replies base64-encoded under `Upstash-Encoding: base64`, and scripts whose
// `#!lua flags=…` first line Redis 7.0 rejects run without it (EVALSHA of the original script's SHA included).
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createClient, ErrorReply, MultiErrorReply, RESP_TYPES } from 'redis';
import { closeServer, listen, readBody, type RunningServer } from './util';

type Outcome = { result: unknown } | { error: string };

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** String replies as Upstash sends them: base64 of the bytes when asked to, else UTF-8 text. */
function encode(reply: unknown, base64: boolean): unknown {
  if (Array.isArray(reply)) return reply.map((r) => encode(r, base64));
  if (Buffer.isBuffer(reply)) return base64 ? reply.toString('base64') : reply.toString('utf8');
  if (typeof reply === 'string' && base64) return Buffer.from(reply).toString('base64');
  return reply;
}

export async function startUpstashRest(opts: {
  port?: number;
  host?: string;
  redisUrl: string;
  token: string;
  /** Redis database index (SELECT) of every command. */
  db?: number;
}): Promise<RunningServer> {
  const redis = createClient({
    url: opts.redisUrl,
    RESP: 2,
    database: opts.db ?? 0,
    commandOptions: { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } },
    disableOfflineQueue: true, // while Redis is down, fail at once rather than hang
  });
  redis.on('error', () => {}); // reconnects by itself
  await redis.connect();
  const scripts = new Map<string, string>(); // SHA1 of a script with a `#!lua` line → the script without it

  function rewrite(command: unknown[]): string[] {
    const args = command.map(String);
    const [name = '', first = '', ...rest] = args;
    const upper = name.toUpperCase();
    if ((upper === 'EVAL' || upper === 'EVAL_RO') && first.startsWith('#!lua')) {
      const script = first.replace(/^#!lua[^\n]*/, ''); // keeps the newline, so line numbers stay right
      scripts.set(sha1(first), script);
      return [name, script, ...rest];
    }
    const known = (upper === 'EVALSHA' || upper === 'EVALSHA_RO') && scripts.get(first.toLowerCase());
    return known ? [upper === 'EVALSHA' ? 'EVAL' : 'EVAL_RO', known, ...rest] : args;
  }

  const run = (command: unknown[]) => redis.sendCommand(rewrite(command));

  async function multiExec(commands: unknown[][], base64: boolean): Promise<Outcome[]> {
    const multi = redis.multi();
    for (const command of commands) multi.addCommand(rewrite(command));
    try {
      return (await multi.exec<'typed'>()).map((r) => ({ result: encode(r, base64) }));
    } catch (err) {
      if (!(err instanceof MultiErrorReply)) throw err;
      return err.replies.map((r, i) => (err.errorIndexes.includes(i) ? { error: message(r) } : { result: encode(r, base64) }));
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown): void => void res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    if (req.headers.authorization !== `Bearer ${opts.token}`) return send(401, { error: 'Unauthorized' });
    const base64 = String(req.headers['upstash-encoding']).toLowerCase() === 'base64';
    const path = req.url?.split('?')[0];
    try {
      const body: unknown = JSON.parse((await readBody(req)).toString('utf8'));
      if (!Array.isArray(body) || req.method !== 'POST') return send(400, { error: 'ERR expected a POST with a JSON array' });
      if (path === '/') return send(200, { result: encode(await run(body), base64) });
      const commands = body.filter(Array.isArray);
      if (commands.length !== body.length) return send(400, { error: 'ERR expected an array of command arrays' });
      if (path === '/pipeline') {
        return send(200, await Promise.all(commands.map((c) => run(c).then((r) => ({ result: encode(r, base64) }), (e: unknown) => ({ error: message(e) })))));
      }
      if (path === '/multi-exec') return send(200, await multiExec(commands, base64));
      send(404, { error: `ERR unknown path ${path}` });
    } catch (err) {
      // Redis error replies and bad requests are the caller's (400); an unreachable Redis is ours (500).
      send(err instanceof ErrorReply || err instanceof SyntaxError ? 400 : 500, { error: message(err) });
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  let port: number;
  try {
    port = await listen(server, opts.port ?? 0, opts.host ?? '127.0.0.1');
  } catch (err) {
    await redis.close();
    throw err;
  }
  return {
    port,
    async close() {
      await closeServer(server);
      await redis.close();
    },
  };
}
