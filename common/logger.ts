// Structured JSON logs, one line per event. Values under secret-looking keys are redacted, and
// strings that look like bearer tokens, API keys or JWTs are masked wherever they appear.
const SECRET_KEY = /pass(word)?|secret|token|authorization|api[_-]?key|cookie|credential/i;
const SECRET_VALUE = /(Bearer\s+)[\w.~+/=-]+|\bnak_[\w-]+|\beyJ[\w-]+\.[\w-]+\.[\w-]*/g;

export type LogFields = Record<string, unknown>;

function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(SECRET_VALUE, (_m, bearer?: string) => `${bearer ?? ''}[redacted]`);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

export function log(level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields: LogFields = {}): void {
  const line = JSON.stringify({ level, msg, time: new Date().toISOString(), ...(redact(fields) as LogFields) });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}
