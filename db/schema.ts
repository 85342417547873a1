// Postgres schema (drizzle): the durable record of orgs, people, keys, threads and runs.
// Ids are prefixed time-ordered strings (workers/lib/ids.ts); money is integer nano-USD.
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

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
