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
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: TestStack;
  }
}
