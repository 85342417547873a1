// Gemini embedContent (one text) / batchEmbedContents (a list) ⇄ OpenAI embeddings: text input only (Gemini
// takes no token ids), `dimensions` as outputDimensionality, vectors back as floats or, with
// encoding_format "base64" (the openai npm client's default), as base64 of little-endian float32. Usage from
// usageMetadata.promptTokenCount; the Gemini API's embeddings report none, and then the prompt tokens are
// estimated at one per 4 UTF-8 bytes of the input.
import { GatewayError } from '../errors';
import { emptyUsage, tokenCount, type EmbeddingsRequest, type Usage } from '../wire';
import { isRecord, UpstreamGarbage, type EmbeddingsAdapter } from './types';

function texts(input: EmbeddingsRequest['input']): string[] {
  if (typeof input === 'string') return [input];
  if (input.every((x): x is string => typeof x === 'string')) return input;
  throw new GatewayError(400, 'invalid_request_error', 'invalid_input', 'Gemini embeds text: send `input` as a string or an array of strings, not token ids', 'input');
}

function dimensions(req: EmbeddingsRequest): number | undefined {
  const d = (req as Record<string, unknown>).dimensions;
  if (d === undefined) return undefined;
  if (typeof d === 'number' && Number.isInteger(d) && d > 0 && d <= 65_536) return d;
  throw new GatewayError(400, 'invalid_request_error', 'invalid_request', '`dimensions` must be a positive integer', 'dimensions');
}

function base64Float32(values: number[]): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function vector(e: unknown): number[] {
  if (!isRecord(e) || !Array.isArray(e.values) || !e.values.every((v) => typeof v === 'number')) throw new UpstreamGarbage('an embedding without values[]');
  return e.values as number[];
}

function usageOf(raw: unknown, inputs: string[]): Usage {
  const reported = isRecord(raw) ? tokenCount(raw.promptTokenCount) : 0;
  const encoder = new TextEncoder();
  const input = reported || inputs.reduce((n, t) => n + Math.ceil(encoder.encode(t).byteLength / 4), 0);
  return { ...emptyUsage(), input_tokens: input };
}

export const geminiEmbeddings: EmbeddingsAdapter = {
  build(req, target) {
    const list = texts(req.input);
    const dims = dimensions(req);
    const model = `models/${target.model}`;
    const one = (text: string) => ({ model, content: { parts: [{ text }] }, ...(dims ? { outputDimensionality: dims } : {}) });
    const batch = typeof req.input !== 'string';
    return {
      url: `${target.base_url}/v1beta/models/${encodeURIComponent(target.model)}:${batch ? 'batchEmbedContents' : 'embedContent'}`,
      headers: { 'x-goog-api-key': target.key, 'content-type': 'application/json' },
      body: JSON.stringify(batch ? { requests: list.map(one) } : one(list[0]!)),
    };
  },
  parse(json, req) {
    if (!isRecord(json)) throw new UpstreamGarbage('not an object');
    const list = texts(req.input);
    const vectors = typeof req.input === 'string' ? [vector(json.embedding)] : Array.isArray(json.embeddings) ? json.embeddings.map(vector) : [];
    if (vectors.length !== list.length) throw new UpstreamGarbage(`${vectors.length} embeddings for ${list.length} inputs`);
    const base64 = (req as Record<string, unknown>).encoding_format === 'base64';
    const usage = usageOf(json.usageMetadata, list);
    return {
      body: {
        object: 'list',
        model: req.model,
        data: vectors.map((v, index) => ({ object: 'embedding', index, embedding: base64 ? base64Float32(v) : v })),
        usage: { prompt_tokens: usage.input_tokens, total_tokens: usage.input_tokens },
      },
      usage,
    };
  },
};
