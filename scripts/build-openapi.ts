// Prints the OpenAPI 3.1 document of the app's declared routes; `npm run build:web` writes it into the web
// app's build (pages/dist/openapi.json, after vite, which empties the folder), where the Worker serves it at
// GET /api/openapi.json (workers/openapi-document.ts): the generator stays out of the Worker bundle.
// Type-checked with the Worker's code (tsconfig.json), whose environment types it needs.
// The routes keep what only the document reads (workers/lib/openapi.ts): set before they are imported.
export {};
globalThis.OPENAPI_DOCUMENT = true;
const { buildApp } = await import('../workers/app');
const { OPENAPI_INFO } = await import('../workers/openapi-document');

console.log(JSON.stringify(buildApp().getOpenAPI31Document(OPENAPI_INFO)));
