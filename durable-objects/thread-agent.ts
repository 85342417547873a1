// ThreadAgent: one Durable Object per chat thread (WebSocket, event log, supervisor runs).
import { DurableObject } from 'cloudflare:workers';

export class ThreadAgent extends DurableObject<Env> {
  override async fetch(): Promise<Response> {
    return new Response(JSON.stringify({ error: { code: 'not_found', message: 'thread agent has no HTTP routes yet' } }), {
      status: 404,
      headers: { 'content-type': 'application/json' },
    });
  }
}
