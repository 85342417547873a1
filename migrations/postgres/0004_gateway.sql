CREATE TABLE "gateway_policies" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"created_by" text,
	"version" integer NOT NULL,
	"name" text NOT NULL,
	"policy" jsonb NOT NULL,
	"control_share" real DEFAULT 0.05 NOT NULL,
	"canary" jsonb NOT NULL,
	"upstream_timeout_ms" integer DEFAULT 30000 NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"source_report_id" text,
	"rollback_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_at" timestamp with time zone,
	"deactivated_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "gateway_provider_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"created_by" text,
	"name" text NOT NULL,
	"provider" text NOT NULL,
	"api" text NOT NULL,
	"base_url" text NOT NULL,
	"ciphertext" text NOT NULL,
	"iv" text NOT NULL,
	"hint" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "savings_ledger" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"policy_id" text NOT NULL,
	"policy_version" integer NOT NULL,
	"rule_id" text NOT NULL,
	"arm" text NOT NULL,
	"api_key_id" text,
	"feature" text DEFAULT '' NOT NULL,
	"end_user" text DEFAULT '' NOT NULL,
	"requested_model" text NOT NULL,
	"served_provider" text NOT NULL,
	"served_model" text NOT NULL,
	"actual_nanousd" bigint NOT NULL,
	"counterfactual_nanousd" bigint NOT NULL,
	"cache_hit" boolean DEFAULT false NOT NULL,
	"fallback" boolean DEFAULT false NOT NULL,
	"status" text NOT NULL,
	"latency_ms" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "gateway_policies" ADD CONSTRAINT "gateway_policies_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_policies" ADD CONSTRAINT "gateway_policies_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_provider_keys" ADD CONSTRAINT "gateway_provider_keys_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_provider_keys" ADD CONSTRAINT "gateway_provider_keys_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "savings_ledger" ADD CONSTRAINT "savings_ledger_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_policies_version_idx" ON "gateway_policies" USING btree ("org_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_policies_active_idx" ON "gateway_policies" USING btree ("org_id") WHERE status = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_provider_keys_org_provider_idx" ON "gateway_provider_keys" USING btree ("org_id","provider");--> statement-breakpoint
CREATE INDEX "savings_ledger_org_idx" ON "savings_ledger" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "savings_ledger_policy_idx" ON "savings_ledger" USING btree ("policy_id","arm");