// Small helpers shared by the local-stack modules: listening/closing HTTP servers, reading request
// bodies, probing TCP ports, running commands and installing Debian packages.
import { execFile } from 'node:child_process';
import type { IncomingMessage, Server } from 'node:http';
import { connect, createServer as createNetServer } from 'node:net';
import { promisify } from 'node:util';

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** Listens on host:port (0 = a free port) and resolves with the bound port. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

/** Stops accepting connections, drops open (keep-alive) ones and resolves once the server is closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A TCP port on 127.0.0.1 nothing listens on right now. */
export async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** True when something accepts TCP connections on host:port within timeoutMs. */
export function portOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const run = promisify(execFile);

/** Resolves the absolute path of a command on PATH, or undefined. */
export async function which(command: string): Promise<string | undefined> {
  try {
    return (await run('sh', ['-c', `command -v ${command}`])).stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

export const isRoot = (): boolean => process.getuid?.() === 0;

/** `apt-get install -y <pkg>` (refreshing the package lists once if the first attempt fails). Root only. */
export async function aptInstall(pkg: string): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => run('apt-get', ['install', '-y', '--no-install-recommends', pkg], { env, maxBuffer: 32 << 20 });
  try {
    await install();
  } catch {
    await run('apt-get', ['update'], { env, maxBuffer: 32 << 20 });
    await install();
  }
}
