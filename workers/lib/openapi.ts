// Routes that declare their contract (@hono/zod-openapi): a router whose validation failures answer the
// project's error shape, the JSON body limit (Hono's bodyLimit), and the schemas every route document shares.
import { createRoute, OpenAPIHono, type Hook, type RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import * as z from 'zod';
import { DEFAULT_JSON_LIMIT, tooLarge, zodDetails } from './body';
import { ApiError } from './errors';
import type { AppEnv } from './services';

const WHAT: Record<string, string> = { json: 'request body', query: 'query string', param: 'path', header: 'headers', form: 'form body', cookie: 'cookies' };

// A failed validation throws, so app.onError answers it like every other error: 400 `invalid_request`.
// oxlint-disable-next-line typescript/no-explicit-any -- the hook is shared by routes of every input type
const validationFailed: Hook<any, AppEnv, any, any> = (result) => {
  if (!result.success) throw new ApiError('invalid_request', `${WHAT[result.target] ?? result.target} is invalid`, zodDetails(result.error));
};

/**
 * A router whose routes validate what they declare. `middleware` (e.g. requireUser()) runs first on every
 * route; then JSON bodies over DEFAULT_JSON_LIMIT bytes are a 413 before anything parses them.
 */
export function contractRouter(...middleware: MiddlewareHandler<AppEnv>[]): OpenAPIHono<AppEnv> {
  return contractRouterWith({ bodyLimit: DEFAULT_JSON_LIMIT }, ...middleware);
}

/**
 * contractRouter with another body limit: `bodyLimit: null` for routers whose handlers stream and limit
 * their bodies themselves (ingestion, billing exports), and for routers mounted at `/` or `/api`, whose
 * `*` middleware would reach every route below (they put limitBody() on their routes instead).
 */
export function contractRouterWith(opts: { bodyLimit: number | null }, ...middleware: MiddlewareHandler<AppEnv>[]): OpenAPIHono<AppEnv> {
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationFailed });
  for (const m of middleware) router.use('*', m);
  if (opts.bodyLimit !== null) router.use('*', limitBody(opts.bodyLimit));
  return router;
}

/** Hono's bodyLimit answering the project's 413 `payload_too_large`. */
export function limitBody(maxSize = DEFAULT_JSON_LIMIT): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw tooLarge(maxSize);
    },
  });
}

type MediaSchema = NonNullable<NonNullable<NonNullable<RouteConfig['request']>['body']>['content'][string]>;
/** A media type's schema as plain JSON Schema (no validator attached). */
type SchemaObject = Exclude<NonNullable<Extract<MediaSchema, { schema?: unknown }>['schema']>, z.ZodType>;

/**
 * The JSON Schema of a zod schema, for a body the handler reads itself (streamed, gzip, multipart, the
 * OpenAI wire format): documented from the schema that validates it, without a second validator reading it.
 */
export function documented(schema: z.ZodType): SchemaObject {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest as SchemaObject;
}

declare global {
  /**
   * False in the Worker bundle (wrangler.toml `define`, every environment), true where the OpenAPI document is
   * generated (scripts/build-openapi.ts). What only the document reads — a route's tags, security, summary,
   * description and answers, and the schemas only those use — is written `OPENAPI_DOCUMENT ? … : undocumented`:
   * esbuild folds the constant and leaves that branch out of the Worker, while the types keep it (`undocumented`
   * is `never`), so `hc<AppType>` still knows every answer. The Worker validates requests only.
   */
  var OPENAPI_DOCUMENT: boolean;
}

/** The Worker's stand-in for what only the document reads: reading anything of it is a bug, and says so. */
export const undocumented: never = new Proxy(
  {},
  {
    get(_, key) {
      throw new Error(`${String(key)} of a document-only value was read: it is left out of the Worker bundle`);
    },
  },
) as never;

export const errorSchema = OPENAPI_DOCUMENT
  ? z
      .object({
        error: z.object({
          code: z.string().describe('machine-readable: invalid_request, invalid_json, unauthorized, forbidden, not_found, conflict, rate_limited, …'),
          message: z.string(),
          details: z.record(z.string(), z.unknown()).optional(),
          request_id: z.string(),
        }),
      })
      .describe('The error envelope of every 4xx/5xx answer')
  : undocumented;

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: errorSchema } } });

/** The answers a route can give besides its own. */
const errors = OPENAPI_DOCUMENT
  ? ({
      400: errorResponse('Invalid request (body, query or path fails its schema; invalid_json when unparsable)'),
      401: errorResponse('Not authenticated'),
      403: errorResponse('Authenticated but not allowed (role, scope, tier or seats)'),
      404: errorResponse('Not found (also for ids of another org)'),
      409: errorResponse('Conflict with the current state'),
      413: errorResponse('Request body too large'),
      415: errorResponse('Unsupported media type'),
      429: errorResponse('Rate limited or over a tier quota (Retry-After says when to retry)'),
      503: errorResponse('A data store is unavailable (dependency_unavailable): retry shortly'),
    } as const)
  : undocumented;

/** createRoute for the routes of one router, each with `shared` (their tags and security: document-only). */
export function routeGroup(shared: Pick<RouteConfig, 'tags' | 'security'>) {
  return <P extends string, R extends Omit<RouteConfig, 'path'> & { path: P }>(route: R) => createRoute({ ...shared, ...route });
}

/** The error answers of the given statuses, for a route's `responses` (document-only, like them). */
export function errorsFor<const S extends keyof typeof errors>(...statuses: S[]): Pick<typeof errors, S> {
  return Object.fromEntries(statuses.map((s) => [s, errors[s]])) as Pick<typeof errors, S>;
}

export function json<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export function jsonBody<S extends z.ZodType>(schema: S) {
  return { required: true, content: { 'application/json': { schema } } };
}

export function pageOf<S extends z.ZodType>(item: S) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() });
}

export const idParam = (what: string) => z.object({ id: z.string().max(100).describe(`the ${what}'s id`) });

/** Bearer auth: a signed-in user's access JWT (or, where a route says so, an `nak_` API key). */
export const userSecurity = [{ bearer: [] }];

/** A JSON object answer whose fields the route's summary and the README describe (engine outputs). */
export const objectAnswer = (description: string) => json(z.looseObject({}), description);
