// Validates an OpenAPI document against the official JSON schema of its version, in Node (the validator
// compiles schemas to code, which workerd forbids): the workers tests POST the served document to the
// global setup's control server, which answers this result.
import { Validator } from '@seriousme/openapi-schema-validator';

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
