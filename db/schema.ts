// Postgres schema (drizzle): the durable record of orgs, people, keys, threads and runs.
// Ids are prefixed time-ordered strings (workers/lib/ids.ts); money is integer nano-USD.
import { sql } from 'drizzle-orm';
import { bigint, boolean, doublePrecision, index, integer, jsonb, pgTable, real, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { GatewayPolicy } from '../engine/tools/policy/policy';

/** Roles in an org: the owner (one, who created it), admins (manage members and keys), members. */
export const ORG_ROLES = ['owner', 'admin', 'member'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

export const orgs = pgTable('orgs', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  tier: text('tier', { enum: ['free', 'early', 'mid', 'enterprise'] }).notNull().default('free'),
  monthly_budget_nanousd: bigint('monthly_budget_nanousd', { mode: 'number' }),
  created_at: createdAt(),
});

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    org_id: text('org_id').notNull().references(() => orgs.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    name: text('name'),
    /** The user's role in `org_id`, the one org a user belongs to at a time (workers/orgs). */
    role: text('role', { enum: ORG_ROLES }).notNull().default('member'),
    /** PBKDF2-SHA256 hash "pbkdf2$<iterations>$<salt b64>$<hash b64>", null for Google-only accounts. */
    password_hash: text('password_hash'),
    google_sub: text('google_sub'),
    email_verified: boolean('email_verified').notNull().default(false),
    active_thread_id: text('active_thread_id'),
    created_at: createdAt(),
  },
  (t) => [uniqueIndex('users_email_idx').on(sql`lower(${t.email})`), uniqueIndex('users_google_sub_idx').on(t.google_sub)],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    org_id: text('org_id').notNull().references(() => orgs.id, { onDelete: 'cascade' }),
    created_by: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    /** Public part shown in lists ("nak_ab12cd34"); the secret is never stored. */
    prefix: text('prefix').notNull(),
    /** SHA-256 of the whole key, hex. */
    key_hash: text('key_hash').notNull(),
    scopes: text('scopes').array().notNull(),
    last_used_at: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    revoked_at: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    created_at: createdAt(),
  },
  (t) => [uniqueIndex('api_keys_hash_idx').on(t.key_hash), index('api_keys_org_idx').on(t.org_id)],
);

export const threads = pgTable(
  'threads',
  {
    id: text('id').primaryKey(),
    org_id: text('org_id').notNull().references(() => orgs.id, { onDelete: 'cascade' }),
    user_id: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    created_at: createdAt(),
    updated_at: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    deleted_at: timestamp('deleted_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('threads_user_idx').on(t.org_id, t.user_id, t.id)],
);

export const messages = pgTable(
  'messages',
  {
    id: text('id').primaryKey(),
    org_id: text('org_id').notNull().references(() => orgs.id, { onDelete: 'cascade' }),
    thread_id: text('thread_id').notNull().references(() => threads.id, { onDelete: 'cascade' }),
    run_id: text('run_id'),
    role: text('role', { enum: ['user', 'assistant', 'system'] }).notNull(),
    content: text('content').notNull(),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    created_at: createdAt(),
  },
  (t) => [index('messages_thread_idx').on(t.thread_id, t.id)],
);

export const runs = pgTable(
  'runs',
  {
    id: text('id').primaryKey(),
    org_id: text('org_id').notNull().references(() => orgs.id, { onDelete: 'cascade' }),
    user_id: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    thread_id: text('thread_id').notNull().references(() => threads.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['queued', 'running', 'completed', 'failed', 'cancelled'] }).notNull(),
    state: text('state').notNull().default('received'),
    request: text('request').notNull(),
    error_code: text('error_code'),
    report_id: text('report_id'),
    steps: integer('steps').notNull().default(0),
    created_at: createdAt(),
    updated_at: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    completed_at: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('runs_user_idx').on(t.org_id, t.user_id, t.id)],
);

/**
 * Rotating refresh tokens (stored as SHA-256, never in clear). A login starts a family (family_id = the
 * first token's id, the `sid` claim of its access tokens); each refresh rotates to a new token of the
 * family. Presenting a rotated token again revokes the whole family.
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    family_id: text('family_id').notNull(),
    user_id: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    org_id: text('org_id').notNull().references(() => orgs.id, { onDelete: 'cascade' }),
    /** SHA-256 of the token, hex. */
    token_hash: text('token_hash').notNull(),
    /** The access token issued with this refresh token: revoking the family denylists it until it expires. */
    access_jti: text('access_jti').notNull(),
    access_expires_at: timestamp('access_expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    expires_at: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    rotated_at: timestamp('rotated_at', { withTimezone: true, mode: 'date' }),
    revoked_at: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    created_at: createdAt(),
  },
  (t) => [uniqueIndex('refresh_tokens_hash_idx').on(t.token_hash), index('refresh_tokens_family_idx').on(t.family_id)],
);

/** The record of revoked access tokens (Redis holds the fast copy with TTL = remaining lifetime). */
export const revokedTokens = pgTable(
  'revoked_tokens',
  {
    jti: text('jti').primaryKey(),
    user_id: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    reason: text('reason', { enum: ['logout', 'refresh_reuse', 'membership_changed'] }).notNull(),
    expires_at: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    revoked_at: timestamp('revoked_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('revoked_tokens_expires_idx').on(t.expires_at)],
);

/**
 * File imports of telemetry (POST /api/ingest/import): progress while the file streams through, then the
 * outcome. Totals count the accepted records; `errors` keeps the first 100 rejections ({line, reason}).
 */
export const imports = pgTable(
  'imports',
  {
    id: text('id').primaryKey(),
    org_id: text('org_id').notNull().references(() => orgs.id, { onDelete: 'cascade' }),
    created_by: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    api_key_id: text('api_key_id').references(() => apiKeys.id, { onDelete: 'set null' }),
    status: text('status', { enum: ['running', 'completed', 'failed'] }).notNull().default('running'),
    /** The format detected or asked for (engine/telemetry); null until the first lines were read. */
    format: text('format'),
    /** The import's options (model, provider, start_time) as given. */
    options: jsonb('options').$type<Record<string, unknown>>().notNull().default({}),
    filename: text('filename'),
    idempotency_key: text('idempotency_key'),
    accepted: integer('accepted').notNull().default(0),
    rejected: integer('rejected').notNull().default(0),
    duplicates: integer('duplicates').notNull().default(0),
    input_tokens: bigint('input_tokens', { mode: 'number' }).notNull().default(0),
    output_tokens: bigint('output_tokens', { mode: 'number' }).notNull().default(0),
    cost_nanousd: bigint('cost_nanousd', { mode: 'number' }).notNull().default(0),
    /** Decoded bytes of the file read so far. */
    bytes: bigint('bytes', { mode: 'number' }).notNull().default(0),
    errors: jsonb('errors').$type<Array<{ line: number; reason: string }>>().notNull().default([]),
    /** Why a failed import stopped. */
    failure: text('failure'),
    started_at: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updated_at: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    completed_at: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('imports_org_idx').on(t.org_id, t.id), uniqueIndex('imports_idempotency_idx').on(t.org_id, t.idempotency_key)],
);

/** Final reports of agent runs (markdown + structured JSON + chart data). One per run. */
export const reports = pgTable(
  'reports',
  {
    id: text('id').primaryKey(),
    org_id: text('org_id').notNull().references(() => orgs.id, { onDelete: 'cascade' }),
    user_id: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    thread_id: text('thread_id').references(() => threads.id, { onDelete: 'set null' }),
    run_id: text('run_id').notNull(),
    title: text('title').notNull(),
    markdown: text('markdown').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    /** Σ of the report's combined monthly saving, integer nano-USD. */
    saving_nanousd_month: bigint('saving_nanousd_month', { mode: 'number' }).notNull().default(0),
    created_at: createdAt(),
  },
  (t) => [uniqueIndex('reports_run_idx').on(t.run_id), index('reports_org_idx').on(t.org_id, t.id)],
);

/** The org's knowledge corpus (corpus admin agent): notes the agents cite in answers. */
export const corpusDocuments = pgTable(
  'corpus_documents',
  {
    id: text('id').primaryKey(),
    org_id: text('org_id').notNull().references(() => orgs.id, { onDelete: 'cascade' }),
    created_by: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    content: text('content').notNull(),
    tags: text('tags').array().notNull().default([]),
    created_at: createdAt(),
    updated_at: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('corpus_org_idx').on(t.org_id, t.id)],
);

/** Synthetic data generation jobs (synthetic data agent): generated calls land in the org's telemetry. */
export const generationJobs = pgTable(
  'generation_jobs',
  {
    id: text('id').primaryKey(),
    org_id: text('org_id').notNull().references(() => orgs.id, { onDelete: 'cascade' }),
    created_by: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    status: text('status', { enum: ['running', 'completed', 'failed'] }).notNull().default('running'),
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    generated: integer('generated').notNull().default(0),
    /** The ground-truth manifest of planted waste (what a perfect analyzer finds). */
    manifest: jsonb('manifest').$type<Record<string, unknown>>(),
    failure: text('failure'),
    created_at: createdAt(),
    completed_at: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('generation_jobs_org_idx').on(t.org_id, t.id)],
);

/**
 * The org's own prices over the catalog (engine/catalog/org-prices.ts): a negotiated discount (on a model, or on
 * every model of a provider when model is null) or fixed rates (custom / fine-tuned models), each from its
 * effective date on. Rows are never updated: a newer rule supersedes from its own date, so the history stays.
 */
export const orgPrices = pgTable(
  'org_prices',
  {
    id: text('id').primaryKey(),
    org_id: text('org_id').notNull().references(() => orgs.id, { onDelete: 'cascade' }),
    provider: text('provider').notNull(),
    model: text('model'),
    effective_from: timestamp('effective_from', { withTimezone: true, mode: 'date' }).notNull(),
    /** Fraction off the catalog cost (0.2 = 20 % off); null when rates are set. */
    discount: doublePrecision('discount'),
    /** $/1M token rates {input_per_m, output_per_m, cached_input_per_m?, cache_write_per_m?, cache_write_1h_per_m?}. */
    rates: jsonb('rates').$type<Record<string, number | null>>(),
    note: text('note'),
    created_by: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    created_at: createdAt(),
  },
  (t) => [index('org_prices_org_idx').on(t.org_id, t.id)],
);

/** Explicit recomputes of stored call costs under the prices in force now: the log of who rewrote which window. */
export const priceRecomputes = pgTable(
  'price_recomputes',
  {
    id: text('id').primaryKey(),
    org_id: text('org_id').notNull().references(() => orgs.id, { onDelete: 'cascade' }),
    requested_by: text('requested_by').references(() => users.id, { onDelete: 'set null' }),
    from_ts: timestamp('from_ts', { withTimezone: true, mode: 'date' }).notNull(),
    to_ts: timestamp('to_ts', { withTimezone: true, mode: 'date' }).notNull(),
    calls: integer('calls').notNull(),
    changed_calls: integer('changed_calls').notNull(),
    cost_before_nanousd: bigint('cost_before_nanousd', { mode: 'number' }).notNull(),
    cost_after_nanousd: bigint('cost_after_nanousd', { mode: 'number' }).notNull(),
    created_at: createdAt(),
  },
  (t) => [index('price_recomputes_org_idx').on(t.org_id, t.id)],
);

// Gateway (migration 0004): the org's upstream provider keys (AES-GCM ciphertext only), its versioned
// gateway policies, and the savings ledger (one row per gateway call under an active policy rule).

export const gatewayProviderKeys = pgTable(
  'gateway_provider_keys',
  {
    id: text('id').primaryKey(),
    org_id: text('org_id').notNull().references(() => orgs.id, { onDelete: 'cascade' }),
    created_by: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    /** Catalog provider name ("openai", "anthropic", "google", "groq"…): telemetry and pricing use it. */
    provider: text('provider').notNull(),
    /** Wire format of the upstream. */
    api: text('api', { enum: ['openai', 'anthropic', 'gemini'] }).notNull(),
    base_url: text('base_url').notNull(),
    /** AES-256-GCM ciphertext of the key and its 12-byte IV, base64url; the plaintext is never stored. */
    ciphertext: text('ciphertext').notNull(),
    iv: text('iv').notNull(),
    /** Last 4 characters of the key, shown in lists. */
    hint: text('hint').notNull(),
    created_at: createdAt(),
  },
  (t) => [uniqueIndex('gateway_provider_keys_org_provider_idx').on(t.org_id, t.provider)],
);

export const gatewayPolicies = pgTable(
  'gateway_policies',
  {
    id: text('id').primaryKey(),
    org_id: text('org_id').notNull().references(() => orgs.id, { onDelete: 'cascade' }),
    created_by: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    /** Per-org version number, 1, 2, 3… in creation order. */
    version: integer('version').notNull(),
    name: text('name').notNull(),
    policy: jsonb('policy').$type<GatewayPolicy>().notNull(),
    /** Share of matching requests held out on the original behaviour (the control arm). */
    control_share: real('control_share').notNull().default(0.05),
    /** Canary thresholds: roll back when the treated arm's error rate or latency regresses past them. */
    canary: jsonb('canary').$type<{ min_calls: number; max_error_rate_increase: number; max_latency_ratio: number }>().notNull(),
    /** Upstream time-out per attempt, ms (a time-out falls back like a 5xx). */
    upstream_timeout_ms: integer('upstream_timeout_ms').notNull().default(30_000),
    status: text('status', { enum: ['draft', 'active', 'inactive', 'rolled_back'] }).notNull().default('draft'),
    source_report_id: text('source_report_id'),
    rollback_reason: text('rollback_reason'),
    created_at: createdAt(),
    activated_at: timestamp('activated_at', { withTimezone: true, mode: 'date' }),
    deactivated_at: timestamp('deactivated_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('gateway_policies_version_idx').on(t.org_id, t.version),
    // At most one active policy per org.
    uniqueIndex('gateway_policies_active_idx').on(t.org_id).where(sql`status = 'active'`),
  ],
);

export const savingsLedger = pgTable(
  'savings_ledger',
  {
    /** The gateway request id. */
    id: text('id').primaryKey(),
    org_id: text('org_id').notNull().references(() => orgs.id, { onDelete: 'cascade' }),
    policy_id: text('policy_id').notNull(),
    policy_version: integer('policy_version').notNull(),
    rule_id: text('rule_id').notNull(),
    arm: text('arm', { enum: ['treated', 'control'] }).notNull(),
    api_key_id: text('api_key_id'),
    feature: text('feature').notNull().default(''),
    end_user: text('end_user').notNull().default(''),
    requested_model: text('requested_model').notNull(),
    served_provider: text('served_provider').notNull(),
    served_model: text('served_model').notNull(),
    /** What the call cost at catalog prices (0 for a cache hit). */
    actual_nanousd: bigint('actual_nanousd', { mode: 'number' }).notNull(),
    /** What the original request (requested model, no cache) would have cost for the same usage. */
    counterfactual_nanousd: bigint('counterfactual_nanousd', { mode: 'number' }).notNull(),
    cache_hit: boolean('cache_hit').notNull().default(false),
    fallback: boolean('fallback').notNull().default(false),
    status: text('status').notNull(),
    latency_ms: integer('latency_ms').notNull(),
    created_at: createdAt(),
  },
  (t) => [index('savings_ledger_org_idx').on(t.org_id, t.created_at), index('savings_ledger_policy_idx').on(t.policy_id, t.arm)],
);

/**
 * Invitations to join an org by email. The token is single-use and stored as SHA-256 only; it expires at
 * `expires_at`. A pending invitation holds a seat until it is accepted, revoked or expires.
 */
export const invitations = pgTable(
  'invitations',
  {
    id: text('id').primaryKey(),
    org_id: text('org_id').notNull().references(() => orgs.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role', { enum: ['admin', 'member'] }).notNull(),
    /** SHA-256 of the token, hex. */
    token_hash: text('token_hash').notNull(),
    invited_by: text('invited_by').references(() => users.id, { onDelete: 'set null' }),
    expires_at: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    accepted_at: timestamp('accepted_at', { withTimezone: true, mode: 'date' }),
    accepted_by: text('accepted_by').references(() => users.id, { onDelete: 'set null' }),
    revoked_at: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    created_at: createdAt(),
  },
  (t) => [uniqueIndex('invitations_token_idx').on(t.token_hash), index('invitations_org_idx').on(t.org_id, t.id)],
);

/**
 * Security-relevant actions of an org (db/audit.ts). Ids are made by Postgres, time-ordered like the
 * others ("aud_" + 12 hex digits of epoch milliseconds + 20 random hex digits), so pages sort by id.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: text('id')
      .primaryKey()
      .default(sql`('aud_' || lpad(to_hex((extract(epoch from clock_timestamp()) * 1000)::bigint), 12, '0') || substr(md5(random()::text), 1, 20))`),
    org_id: text('org_id').notNull().references(() => orgs.id, { onDelete: 'cascade' }),
    /** Who did it: a user, an API key, or neither (an operator). */
    actor_user_id: text('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    actor_key_id: text('actor_key_id'),
    action: text('action').notNull(),
    target_type: text('target_type'),
    target_id: text('target_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    created_at: createdAt(),
  },
  (t) => [index('audit_log_org_idx').on(t.org_id, t.id)],
);
