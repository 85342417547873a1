// `npm run bench -- <name> [args…]` → runs bench/<name>.ts. A benchmark module runs its work either at import
// or in an exported default function (called with the remaining arguments); either way it prints
// human-readable lines and its figures as ONE JSON line last: {"bench":"<name>", …}.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(benchDir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || !/^[a-z0-9][a-z0-9-]*$/.test(name) || !existsSync(resolve(benchDir, `${name}.ts`))) {
  console.error(`usage: npm run bench -- <name>   (available: ${available.join(', ')})`);
  process.exit(2);
}

const mod = (await import(pathToFileURL(resolve(benchDir, `${name}.ts`)).href)) as { default?: unknown };
if (typeof mod.default === 'function') await (mod.default as (args: string[]) => unknown)(args);
