CREATE TABLE "org_prices" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"provider" text NOT NULL,
	"model" text,
	"effective_from" timestamp with time zone NOT NULL,
	"discount" double precision,
	"rates" jsonb,
	"note" text,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "price_recomputes" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"requested_by" text,
	"from_ts" timestamp with time zone NOT NULL,
	"to_ts" timestamp with time zone NOT NULL,
	"calls" integer NOT NULL,
	"changed_calls" integer NOT NULL,
	"cost_before_nanousd" bigint NOT NULL,
	"cost_after_nanousd" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "org_prices" ADD CONSTRAINT "org_prices_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "org_prices" ADD CONSTRAINT "org_prices_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_recomputes" ADD CONSTRAINT "price_recomputes_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_recomputes" ADD CONSTRAINT "price_recomputes_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "org_prices_org_idx" ON "org_prices" USING btree ("org_id","id");--> statement-breakpoint
CREATE INDEX "price_recomputes_org_idx" ON "price_recomputes" USING btree ("org_id","id");