// A ClickHouse (chdb behind its HTTP interface, scripts/local-stack/clickhouse-http.ts) in a child Node
// process, as a deployed Worker's ClickHouse is another machine: the benchmark's client work (JSON parsing,
// the profile's assembly) then never shares a thread with the engine's. Stops when the parent closes stdin.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startClickHouseHttp } from '../../scripts/local-stack/clickhouse-http';

const THIS_FILE = fileURLToPath(import.meta.url);

export async function startClickHouseChild(dataDir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', THIS_FILE, 'serve', dataDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^\{"port":(\d+)\}$/m.exec(out);
      if (m) resolve(Number(m[1]));
    });
    void exited.then(() => reject(new Error('the ClickHouse child exited before it was up')));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.stdin!.end();
      await exited;
    },
  };
}

if (process.argv[1] === THIS_FILE && process.argv[2] === 'serve') {
  const server = await startClickHouseHttp({ dataDir: process.argv[3]! });
  console.log(JSON.stringify({ port: server.port }));
  process.stdin.resume();
  process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
}
