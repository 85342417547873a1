// Validates an OpenAPI document against the official JSON schema of its version, in Node (the validator
// compiles schemas to code, which workerd forbids): the workers tests POST the served document to the
// global setup's control server, which answers this result.
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export interface OpenApiValidation {
  valid: boolean;
  version: string | undefined;
  errors: unknown;
}

export async function validateOpenApi(document: unknown): Promise<OpenApiValidation> {
  const validator = new Validator();
  const res = await validator.validate(document as Parameters<Validator["validate"]>[0]);
  return { valid: res.valid, version: validator.version, errors: res.errors ?? null };
}

/** One request the typed client sent and what the app answered. */
export interface Exchange {
  method: string;
  /** The request path, without the query string. */
  path: string;
  status: number;
  contentType: string | null;
  body: string;
}

export interface ExchangeCheck {
  /** "METHOD /template" of every documented operation some exchange reached. */
  covered: string[];
  /** What broke the contract: an undocumented route, a status the operation does not list, a body off its schema. */
  problems: string[];
}

type Schema = Record<string, unknown>;
interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
type Paths = Record<string, Record<string, Operation>>;

/** The documented template of a concrete path: a literal segment beats a parameter (/invitations/accept over /invitations/{id}). */
function templateOf(paths: Paths, method: string, path: string): string | undefined {
  const segments = path.split('/');
  let best: { template: string; literals: number } | undefined;
  for (const [template, ops] of Object.entries(paths)) {
    if (!ops[method]) continue;
    const parts = template.split('/');
    if (parts.length !== segments.length) continue;
    let literals = 0;
    const fits = parts.every((p, i) => (/^\{\w+\}$/.test(p) ? segments[i] !== '' : p === segments[i] && ++literals > 0));
    if (fits && (!best || literals > best.literals)) best = { template, literals };
  }
  return best?.template;
}

/**
 * Checks each exchange against the document: its operation exists, its status is one the operation lists, and
 * a JSON body validates against that status's schema (JSON Schema 2020-12, as OpenAPI 3.1 uses).
 */
export async function checkExchanges(document: { paths: Paths }, exchanges: Exchange[]): Promise<ExchangeCheck> {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const covered = new Set<string>();
  const problems: string[] = [];
  for (const x of exchanges) {
    const method = x.method.toLowerCase();
    const template = templateOf(document.paths, method, x.path);
    const name = `${x.method.toUpperCase()} ${template ?? x.path}`;
    if (!template) {
      problems.push(`${name}: not in the document`);
      continue;
    }
    covered.add(name);
    const answer = document.paths[template]![method]!.responses?.[String(x.status)];
    if (!answer) {
      problems.push(`${name}: answered ${x.status}, which the operation does not list`);
      continue;
    }
    const schema = answer.content?.['application/json']?.schema;
    if (!schema || !x.contentType?.includes('json')) continue;
    let body: unknown;
    try {
      body = JSON.parse(x.body);
    } catch {
      problems.push(`${name}: ${x.status} body is not JSON`);
      continue;
    }
    const validate = ajv.compile(schema);
    if (!validate(body)) problems.push(`${name}: ${x.status} body off its schema: ${ajv.errorsText(validate.errors)}`);
  }
  return { covered: [...covered].sort(), problems };
}
