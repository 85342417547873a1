// What the global setup hands to the workers tests (vitest `provide`/`inject`).
export interface TestStack {
  databaseUrl: string;
  neonWsProxy: string;
  neonHttpEndpoint: string;
  clickhouseUrl: string;
  upstashUrl: string;
  upstashToken: string;
  jwtSecret: string;
  controlUrl: string;
  /** The local OpenID Connect issuer (test/support/oidc-issuer.ts) standing in for Google, and its client. */
  googleIssuer: string;
  googleClientId: string;
  googleClientSecret: string;
  /** The local LLM provider server (test/support/fake-llm.ts) the gateway tests forward to, and its key. */
  fakeLlmUrl: string;
  fakeLlmKey: string;
  /** The local mail API (test/support/fake-mail.ts, Resend's wire format) invitations are sent through, and its key. */
  fakeMailUrl: string;
  fakeMailKey: string;
}

/** The local LLM provider of the `workers-llm` project (test/global-setup-llm.ts) and its script control. */
export interface TestLlm {
  url: string;
  key: string;
  controlUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: TestStack;
    llm: TestLlm;
  }
}
