// wrangler.toml is safe by default: its top level and every deployed environment run with an ENVIRONMENT
// other than development (dev-login exists only there; test/workers/orgs.test.ts checks the 404 per value).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** ENVIRONMENT per vars table: "" for the top-level [vars], the env name for [env.<name>.vars]. */
function environmentVars(toml: string): Map<string, string | undefined> {
  const found = new Map<string, string | undefined>();
  let table: string | null = null;
  for (const raw of toml.split('\n')) {
    const line = raw.trim();
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      const name = header[1]!;
      const env = /^env\.([\w-]+)\.vars$/.exec(name);
      table = name === 'vars' ? '' : env ? env[1]! : null;
      if (table !== null) found.set(table, undefined);
      continue;
    }
    const value = /^ENVIRONMENT\s*=\s*"([^"]*)"/.exec(line);
    if (table !== null && value) found.set(table, value[1]);
  }
  return found;
}

describe('wrangler.toml environments', () => {
  const toml = readFileSync(new URL('../../../wrangler.toml', import.meta.url), 'utf8');
  const vars = environmentVars(toml);

  it('the top level says production', () => {
    expect(vars.get('')).toBe('production');
  });

  it('staging, preview and production each turn on Workers Logs (observability) themselves', () => {
    for (const name of ['staging', 'preview', 'production']) {
      const table = new RegExp(`^\\[env\\.${name}\\.observability\\]\\n((?:[^\\[].*\\n)*)`, 'm').exec(toml);
      expect(table?.[1], name).toMatch(/^enabled = true$/m);
    }
  });

  it('staging, preview and production each set their own ENVIRONMENT, none development', () => {
    const envs = [...toml.matchAll(/^\[env\.([\w-]+)\]$/gm)].map((m) => m[1]);
    expect(envs).toEqual(expect.arrayContaining(['staging', 'preview', 'production']));
    for (const name of envs) expect(vars.get(name!), name).toBe(name);
  });
});
