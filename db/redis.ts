// Upstash Redis over its REST API (https://upstash.com/docs/redis/features/restapi): rate limits, caches,
// revocation lists, leases. A small client of our own rather than @upstash/redis: the Worker uses a dozen
// commands, and that library bundles every command class (≈17 KiB gzip, 6 % of the Worker). Same conventions
// as the library, so the values it wrote read back the same: a non-string value is stored as JSON, and a reply
// that parses as JSON is returned parsed (a number only when it prints back the same, so "007" stays a string).
// Error messages never carry the command's arguments (keys and values can hold tickets and claims).

export interface RedisEnv {
  UPSTASH_REDIS_REST_URL: string;
  UPSTASH_REDIS_REST_TOKEN: string;
}

type Arg = string | number;
type Reply = { result?: unknown; error?: string };

export interface SetOptions {
  /** Expiry in seconds. */
  ex?: number;
  /** Only if the key does not exist (the reply is then null when it did). */
  nx?: boolean;
}

export class RedisError extends Error {
  override name = 'RedisError';
}

/** A reply as the library returned it: JSON parsed where it parses (recursively into arrays). */
function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (typeof value !== 'string') return value;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'number' && String(parsed) !== value ? value : parsed;
  } catch {
    return value;
  }
}

const encode = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

function setCommand(key: string, value: unknown, opts: SetOptions = {}): Arg[] {
  return ['set', key, encode(value), ...(opts.nx ? ['nx'] : []), ...(opts.ex !== undefined ? ['ex', opts.ex] : [])];
}

// Fail fast: one retry after 50 ms on a network error; callers decide what an outage means (rate limits fail
// open, revocation fails closed).
const RETRY_DELAY_MS = 50;

export class Redis {
  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  /** POSTs `body` to `path` (one retry on a network error); the parsed JSON body. */
  private async post(path: string, body: unknown, commandName: string): Promise<unknown> {
    const init = { method: 'POST', headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) };
    let res: Response;
    try {
      res = await fetch(this.url + path, init);
    } catch {
      await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
      res = await fetch(this.url + path, init);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new RedisError(`redis ${commandName}: HTTP ${res.status}, not JSON`);
    }
    if (!res.ok) throw new RedisError(`redis ${commandName}: HTTP ${res.status}: ${(parsed as Reply).error ?? 'error'}`);
    return parsed;
  }

  /** Sends one command; its decoded reply. */
  async command<T>(args: Arg[]): Promise<T> {
    const reply = (await this.post('', args, String(args[0]))) as Reply;
    if (reply.error) throw new RedisError(`redis ${args[0]}: ${reply.error}`);
    return decode(reply.result) as T;
  }

  /** Sends commands in one round trip (not atomic); their decoded replies. Throws if any failed. */
  async commands(list: Arg[][]): Promise<unknown[]> {
    const replies = (await this.post('/pipeline', list, 'pipeline')) as Reply[];
    const failed = replies.find((r) => r.error);
    if (failed) throw new RedisError(`redis pipeline: ${failed.error}`);
    return replies.map((r) => decode(r.result));
  }

  pipeline(): Pipeline {
    return new Pipeline(this);
  }

  get<T = unknown>(key: string): Promise<T | null> {
    return this.command(['get', key]);
  }
  getdel<T = unknown>(key: string): Promise<T | null> {
    return this.command(['getdel', key]);
  }
  mget<T extends unknown[] = unknown[]>(...keys: string[]): Promise<T> {
    return this.command(['mget', ...keys]);
  }
  /** 'OK', or null when `nx` found the key. */
  set(key: string, value: unknown, opts?: SetOptions): Promise<'OK' | null> {
    return this.command(setCommand(key, value, opts));
  }
  del(...keys: string[]): Promise<number> {
    return this.command(['del', ...keys]);
  }
  incrby(key: string, by: number): Promise<number> {
    return this.command(['incrby', key, by]);
  }
  decrby(key: string, by: number): Promise<number> {
    return this.command(['decrby', key, by]);
  }
  expire(key: string, seconds: number): Promise<0 | 1> {
    return this.command(['expire', key, seconds]);
  }
  smembers(key: string): Promise<string[]> {
    return this.command(['smembers', key]);
  }
  /** ZADD XX: updates the member's score only if it is already in the set. */
  zaddExisting(key: string, score: number, member: string): Promise<number> {
    return this.command(['zadd', key, 'xx', score, member]);
  }
  zrem(key: string, ...members: string[]): Promise<number> {
    return this.command(['zrem', key, ...members]);
  }
  eval<TArgs extends Arg[] = Arg[], TResult = unknown>(script: string, keys: string[], args: TArgs): Promise<TResult> {
    return this.command(['eval', script, keys.length, ...keys, ...args]);
  }
  ping(): Promise<string> {
    return this.command(['ping']);
  }
}

/** Commands queued for one round trip. */
export class Pipeline {
  private readonly queued: Arg[][] = [];
  constructor(private readonly redis: Redis) {}

  private add(args: Arg[]): this {
    this.queued.push(args);
    return this;
  }
  set(key: string, value: unknown, opts?: SetOptions): this {
    return this.add(setCommand(key, value, opts));
  }
  del(...keys: string[]): this {
    return this.add(['del', ...keys]);
  }
  incrby(key: string, by: number): this {
    return this.add(['incrby', key, by]);
  }
  expire(key: string, seconds: number): this {
    return this.add(['expire', key, seconds]);
  }
  sadd(key: string, ...members: string[]): this {
    return this.add(['sadd', key, ...members]);
  }
  exec(): Promise<unknown[]> {
    return this.redis.commands(this.queued);
  }
}

export function openRedis(env: RedisEnv): Redis {
  return new Redis(env.UPSTASH_REDIS_REST_URL.replace(/\/$/, ''), env.UPSTASH_REDIS_REST_TOKEN);
}
