// Per-socket identity lives in the WebSocket attachment, so it survives hibernation. It is written once, at
// accept: nothing in it changes per frame (liveness comes from the runtime's auto-response timestamps).
export interface SocketIdentity {
  connection_id: string;
  user_id: string;
  org_id: string;
  connected_at: number;
}

export function identityOf(ws: WebSocket): SocketIdentity | null {
  return (ws.deserializeAttachment() as SocketIdentity | null) ?? null;
}

export function sendText(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {
    // The socket closed between listing and sending: its close handler cleans up.
  }
}

export function sendJson(ws: WebSocket, value: unknown): void {
  sendText(ws, JSON.stringify(value));
}

export function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already closed
  }
}
