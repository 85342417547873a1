// The package's ESM file, imported by path in zod-to-openapi-entry.ts (its bare name is aliased there): the
// package's own types.
declare module '@asteasolutions/zod-to-openapi/dist/index.mjs' {
  export * from '@asteasolutions/zod-to-openapi';
}
