// Reliability (issue 18): the app under wrangler dev against a fresh local stack (bench/lib/app.ts), first
// fuzzed with ≥ 10,000 hostile requests over every route (the generators of test/support/fuzz-requests.ts,
// seeded; 8 at a time; a request that got no answer, or one wrangler dev's proxy spoiled — its own 503 or the
// app's JSON error headers with the body lost, both on the request after one the Worker answered before
// reading a 1 MB upload — is sent again, at most twice, and counted; the app's own log is searched for 5xx too), then put through the fault drills of bench/lib/faults.ts (each store stopped and
// started under ingest + agent + gateway traffic, then kill -9 of the Worker mid-step). One JSON line last:
// inputs fuzzed, 5xx, wrong-shape errors, cross-tenant answers, faults injected, records acknowledged / lost /
// duplicated, runs completed after a restart, revoked tokens accepted, secrets found in the Worker's log.
// `npm run bench -- reliability [--inputs N] [--seed S]`.
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import pg from 'pg';
import { fuzzRequest, judge, type FuzzCtx, type Verdict } from '../test/support/fuzz-requests';
import { startFakeLlm } from '../test/support/fake-llm';
import { startApp, type RunningApp } from './lib/app';
import { broken, runDrills } from './lib/faults';

const CONCURRENCY = 8;

const arg = (args: string[], name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};

async function post<T>(app: RunningApp, path: string, body: unknown, token?: string, ip = '198.51.100.9'): Promise<T> {
  const res = await fetch(app.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Two tenants: the fuzzing one (enterprise, so its rate limits rarely answer instead of the route) and "theirs". */
async function fuzzCtx(app: RunningApp): Promise<FuzzCtx> {
  const register = (n: number) =>
    post<{ access_token: string; org: { id: string }; user: { id: string } }>(app, '/api/auth/register', { email: `fuzz-${n}-${randomBytes(4).toString('hex')}@example.test`, password: `pw-${randomBytes(8).toString('hex')}` }, undefined, `198.51.100.${20 + n}`);
  const self = await register(1);
  const other = await register(2);
  const db = new pg.Client({ connectionString: app.databaseUrl });
  await db.connect();
  await db.query("update orgs set tier = 'enterprise' where id = $1", [self.org.id]).finally(() => db.end());
  const { key } = await post<{ key: string }>(app, '/api/keys', { name: 'fuzz', scopes: ['ingest', 'read'] }, self.access_token);
  const thread = await post<{ id: string }>(app, '/api/threads', { title: 'theirs' }, other.access_token);
  const doc = await post<{ id: string }>(app, '/api/corpus', { title: 'theirs', content: 'note' }, other.access_token);
  const theirKey = await post<{ id: string }>(app, '/api/keys', { name: 'theirs', scopes: ['read'] }, other.access_token);
  return { headers: { authorization: `Bearer ${self.access_token}` }, access_token: self.access_token, key, otherIds: [thread.id, doc.id, theirKey.id, other.user.id, other.org.id] };
}

/** wrangler dev's own answer when its proxy loses the connection to the Worker (it happens on the request after
 *  one the Worker answered before reading its body: a 401 to a 1 MB upload); the app never answers text/plain. */
const DEV_PROXY_503 = 'Your worker restarted mid-request';

/** An answer wrangler dev's proxy spoiled: its own 503, or the app's JSON error headers with the body lost. */
function lostInTransit(res: Response, raw: string): boolean {
  if (res.status === 503 && raw.startsWith(DEV_PROXY_503)) return true;
  return res.status >= 400 && raw === '' && (res.headers.get('content-type') ?? '').includes('json');
}

interface FuzzTally {
  verdicts: Record<Verdict | 'no_answer' | 'not_from_app', number>;
  /** Requests sent again (at most twice) after no answer or one wrangler dev's proxy spoiled. */
  dev_proxy_retries: number;
}

async function fuzz(app: RunningApp, ctx: FuzzCtx, inputs: number, seed: number): Promise<FuzzTally> {
  const requests = fc.sample(fuzzRequest(ctx), { seed, numRuns: inputs });
  const verdicts: FuzzTally['verdicts'] = { ok: 0, '5xx': 0, wrong_shape: 0, cross_tenant: 0, no_answer: 0, not_from_app: 0 };
  let retries = 0;
  const examples = new Map<string, string[]>();
  const example = (kind: string, line: string) => {
    const list = examples.get(kind) ?? [];
    if (list.length < 3) list.push(line);
    examples.set(kind, list);
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) {
        const { method, path, init } = requests[next++]!;
        let answer: { res: Response; raw: string } | null = null;
        let error: unknown;
        for (let attempt = 0; attempt < 3; attempt++) {
          if (attempt > 0) retries++;
          try {
            const res = await fetch(app.url + path, { ...init, signal: AbortSignal.timeout(60_000) });
            answer = { res, raw: await res.text() };
          } catch (err) {
            answer = null;
            error = err;
          }
          if (answer && !lostInTransit(answer.res, answer.raw)) break;
        }
        if (!answer) {
          verdicts.no_answer++;
          example('no_answer', `${method} ${path.slice(0, 100)} (${String(init.body ?? '').length} body bytes): ${String(error).slice(0, 160)}`);
          continue;
        }
        const { res, raw } = answer;
        // The app sets x-request-id on every answer; a failing one without it came from wrangler dev's proxy.
        const judged = judge(ctx, res.status, raw);
        const verdict = judged !== 'ok' && !res.headers.has('x-request-id') ? 'not_from_app' : judged;
        verdicts[verdict]++;
        if (verdict !== 'ok') example(verdict, `${method} ${path.slice(0, 100)} → ${res.status} ${raw.slice(0, 160)}`);
      }
    }),
  );
  for (const [kind, lines] of examples) for (const line of lines) console.log(`  ${kind}: ${line}`);
  return { verdicts, dev_proxy_retries: retries };
}

/** 5xx answers the app itself logged (its JSON request lines) in the Worker's log after byte `from`. */
function appLogged5xx(app: RunningApp, from: number): number {
  const text = readFileSync(app.logFile).subarray(from).toString('utf8');
  return text.split('\n').filter((l) => l.includes('"msg":"request"') && /"status":5\d\d/.test(l)).length;
}

export default async function main(args: string[]): Promise<void> {
  const inputs = arg(args, 'inputs', 10_000);
  const seed = arg(args, 'seed', 18);
  const fake = await startFakeLlm();
  const app = await startApp({ ownRedis: true });
  try {
    const ctx = await fuzzCtx(app);
    const started = performance.now();
    const logFrom = statSync(app.logFile).size;
    console.log(`fuzzing ${inputs} requests (seed ${seed}, ${CONCURRENCY} at a time)…`);
    const { verdicts: tally, dev_proxy_retries } = await fuzz(app, ctx, inputs, seed);
    const fuzzSeconds = (performance.now() - started) / 1000;
    const logged5xx = appLogged5xx(app, logFrom);
    console.log(`fuzz: ${JSON.stringify(tally)}, ${dev_proxy_retries} re-sent after wrangler dev's proxy answered, ${logged5xx} 5xx in the app's own log, in ${fuzzSeconds.toFixed(0)} s`);
    const drillsStarted = performance.now();
    const f = await runDrills(app, fake, (line) => console.log(`· ${line}`), [ctx.access_token, ctx.key]);
    const problems = broken(f);
    for (const p of problems) console.log(`BROKEN: ${p}`);
    for (const r of f.runs) console.log(`run ${r.phase}: ${r.status}, ${r.completions} completion(s), ${r.after_restore_s === null ? '—' : `${r.after_restore_s.toFixed(1)} s after the fault ended`}`);
    console.log(
      JSON.stringify({
        bench: 'reliability',
        inputs_fuzzed: inputs,
        fuzz_seed: seed,
        fuzz_5xx: tally['5xx'],
        fuzz_5xx_in_app_log: logged5xx,
        fuzz_dev_proxy_retries: dev_proxy_retries,
        wrong_shape_errors: tally.wrong_shape,
        cross_tenant_answers: tally.cross_tenant,
        fuzz_no_answer: tally.no_answer,
        fuzz_answers_not_from_app: tally.not_from_app,
        fuzz_s: Math.round(fuzzSeconds),
        faults_injected: f.faults_injected,
        records_acknowledged: f.records_acknowledged,
        records_lost: f.records_lost,
        records_duplicated: f.records_duplicated,
        gateway_calls_acknowledged: f.gateway_calls_acknowledged,
        gateway_calls_lost: f.gateway_calls_lost,
        budget_overshot: f.budget.overshot,
        runs_completed_after_restart: f.runs_completed_after_restart,
        runs_checked: f.runs.length,
        max_resume_s: Math.max(0, ...f.runs.map((r) => r.after_restore_s ?? 0)),
        revoked_tokens_accepted: f.revoked_tokens_accepted,
        outage_5xx_not_503_naming_store: f.wrong_outage_answers,
        secrets_in_logs: f.secrets_in_logs,
        problems: problems.length,
        drills_s: Math.round((performance.now() - drillsStarted) / 1000),
      }),
    );
  } finally {
    await app.stop();
    await fake.close();
  }
}
