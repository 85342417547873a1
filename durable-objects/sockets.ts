// Per-socket identity lives in the WebSocket attachment, so it survives hibernation.
export interface SocketIdentity {
  connection_id: string;
  user_id: string;
  org_id: string;
  connected_at: number;
  last_seen: number;
}

export function identityOf(ws: WebSocket): SocketIdentity | null {
  return (ws.deserializeAttachment() as SocketIdentity | null) ?? null;
}

export function touch(ws: WebSocket, now = Date.now()): void {
  const id = identityOf(ws);
  if (id) ws.serializeAttachment({ ...id, last_seen: now });
}

export function sendJson(ws: WebSocket, value: unknown): void {
  try {
    ws.send(JSON.stringify(value));
  } catch {
    // The socket closed between listing and sending: its close handler cleans up.
  }
}
