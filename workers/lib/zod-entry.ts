// The Worker bundle's "zod" (wrangler.toml [alias]): zod's own exports, but `z` is not zod's namespace object.
// @hono/zod-openapi does `import { z } from 'zod'` only to call extendZodWithOpenApi(z), which reads
// z.ZodType; using the namespace as a value would keep every export of zod in the bundle (all locales, JSON
// Schema import, …, ~350 KiB minified). The project's own code imports `* as z from 'zod'` and gets the same
// bindings from here. The alias is exact: 'zod/v4' below resolves to zod itself.
import { ZodType } from 'zod/v4';

export * from 'zod/v4';
export const z = { ZodType };
