// Errors on /v1/*: OpenAI's shape `{error:{message,type,param,code}}`, so OpenAI clients surface them as usual.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError, type ErrorCode } from '../lib/errors';
import { log } from '../../common/logger';

export type OpenAiErrorType = 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'rate_limit_error' | 'insufficient_quota' | 'api_error';

export class GatewayError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly type: OpenAiErrorType,
    readonly code: string,
    message: string,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const TYPE_OF: Record<ErrorCode, OpenAiErrorType> = {
  invalid_request: 'invalid_request_error',
  invalid_json: 'invalid_request_error',
  unauthorized: 'authentication_error',
  forbidden: 'permission_error',
  not_found: 'invalid_request_error',
  method_not_allowed: 'invalid_request_error',
  conflict: 'invalid_request_error',
  payload_too_large: 'invalid_request_error',
  unsupported_media_type: 'invalid_request_error',
  rate_limited: 'rate_limit_error',
  limit_exceeded: 'rate_limit_error',
  dependency_unavailable: 'api_error',
  internal: 'api_error',
};

export function openAiErrorBody(e: { message: string; type: OpenAiErrorType; code: string; param?: string | null }) {
  return { error: { message: e.message, type: e.type, param: e.param ?? null, code: e.code } };
}

export function onGatewayError(err: Error, c: Context): Response {
  const requestId = String(c.get('requestId') ?? '');
  if (err instanceof GatewayError) return c.json(openAiErrorBody(err), err.status, { ...err.headers, 'x-request-id': requestId });
  if (err instanceof ApiError) {
    const detail = err.details?.issues ? `: ${JSON.stringify(err.details.issues).slice(0, 500)}` : '';
    return c.json(openAiErrorBody({ message: err.message + detail, type: TYPE_OF[err.code], code: err.code }), err.status, { ...err.headers, 'x-request-id': requestId });
  }
  if (err instanceof HTTPException && err.status < 500) {
    return c.json(openAiErrorBody({ message: err.message || 'bad request', type: 'invalid_request_error', code: 'invalid_request' }), err.status);
  }
  log('error', 'gateway error', { request_id: requestId, error: err.stack ?? err.message });
  return c.json(openAiErrorBody({ message: `internal error; quote the request id ${requestId} when reporting it`, type: 'api_error', code: 'internal' }), 500);
}
