// Tells the runtime types what the main module exports, so `exports.default` / `ctx.exports` are typed.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import('./index');
    durableNamespaces: 'ThreadAgent' | 'IngestBuffer';
  }
}
