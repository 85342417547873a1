// Echo baseline for bench/ws.ts (plain JS so the Node-side typecheck of bench/ does not see Worker types).
//   GET /health           → 200 "ok" (readiness probe of the launcher)
//   GET /ws?room=<name>   → WebSocket to the EchoRoom DO of that name (hibernatable: ctx.acceptWebSocket)
// The DO echoes every frame unchanged, except the text frame `{"action":"start"}`, which it answers with ONE
// event `{"type":"started","data":{"server_time":…}}` (the counterpart of the app's start_agent → agent_started).
import { DurableObject } from 'cloudflare:workers';

export class EchoRoom extends DurableObject {
  async fetch(request) {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') return new Response('expected a WebSocket upgrade', { status: 426 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  async webSocketMessage(ws, message) {
    if (message === '{"action":"start"}') {
      ws.send(JSON.stringify({ type: 'started', data: { server_time: new Date().toISOString() } }));
      return;
    }
    ws.send(message);
  }

  async webSocketClose(ws, code) {
    try {
      ws.close(code === 1005 ? 1000 : code, 'closed');
    } catch {
      // already closed
    }
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/health') return new Response('ok');
    if (url.pathname === '/ws') {
      if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') return new Response('expected a WebSocket upgrade', { status: 426 });
      const room = url.searchParams.get('room') || 'default';
      return env.ECHO.get(env.ECHO.idFromName(room)).fetch(request);
    }
    return new Response('not found', { status: 404 });
  },
};
