// The Worker bundle's "@asteasolutions/zod-to-openapi" (wrangler.toml [alias]): the registry and metadata
// @hono/zod-openapi needs to declare and validate routes, without the document generators (~30 KiB
// minified). The Worker never generates the document: scripts/build-openapi.ts does at build time with the
// real library, and GET /api/openapi.json serves that file (workers/openapi-document.ts).
export { extendZodWithOpenApi, getOpenApiMetadata, OpenAPIRegistry } from '@asteasolutions/zod-to-openapi/dist/index.mjs';

class BuildTimeOnly {
  constructor() {
    throw new Error('the OpenAPI document is generated at build time (scripts/build-openapi.ts), not in the Worker');
  }
}
export { BuildTimeOnly as OpenApiGeneratorV3, BuildTimeOnly as OpenApiGeneratorV31 };
