import { spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../support/test-app.js';

/**
 * `npm start` with HUB_WORKERS=2 (the default on a 2-core machine): the built hub as a supervisor and two worker
 * processes sharing the port, against a fresh database. Both serve; a killed worker is replaced; SIGTERM stops all.
 */
const MAIN = path.resolve('dist/main.js');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** a request on a connection of its own (the cluster hands connections, not requests, to workers) */
function fresh(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url}`)));
    req.on('error', reject);
  });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let out = '';

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start with HUB_WORKERS=2', () => {
  let db: { url: string; drop: () => Promise<void> };
  let dataDir: string;
  let hub: ChildProcess | null = null;
  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'hub-workers-'));
  });
  afterAll(async () => {
    if (hub && hub.exitCode === null) hub.kill('SIGKILL');
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves from both workers, replaces a killed one, and stops them all on SIGTERM', async () => {
    const port = await freePort();
    const proc = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        HUB_DATA_DIR: dataDir,
        DATABASE_URL: db.url,
        PORT: String(port),
        HUB_WORKERS: '2',
        HUB_ADMIN_PASSWORD: 'workers-test-pw',
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    hub = proc;
    proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    const exit = new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));

    await until('ready', () => out.includes('ready in'), 90_000);
    const pids = /\(2 workers, pids (\d+) (\d+)\)/.exec(out)?.slice(1).map(Number) ?? [];
    expect(pids).toHaveLength(2);
    expect(out.match(/imported the catalogue/g)).toHaveLength(1); // first-start work done once
    // each worker runs with the heap settings that keep a big import's memory flat (WORKER_HEAP_FLAGS)
    for (const p of pids) {
      expect(readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining(['--max-old-space-size=256', '--max-semi-space-size=2']));
      expect(readFileSync(`/proc/${p}/environ`, 'utf8').split('\0')).toContain('MALLOC_ARENA_MAX=2');
    }

    // both workers answer: each request on a new connection, logged with the answering process's pid
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 12; i++) expect(await fresh(`${base}/health/ready`)).toBe(200);
    await until('request logs of both workers', () => pids.every((p) => new RegExp(`"pid":${p}[,}][^\\n]*"url":"/health/ready"`).test(out)), 10_000);

    // a crashed worker is replaced, and the hub keeps answering meanwhile
    process.kill(pids[0], 'SIGKILL');
    // (a connection handed to the worker in the instant it died is lost with it: ask once the supervisor has seen it go)
    await until('the supervisor to see the worker go', () => out.includes(`worker ${pids[0]} stopped (SIGKILL)`));
    expect(await fresh(`${base}/health/ready`)).toBe(200);
    await until('a replacement worker', () => /worker (\d+) ready \(replacing one that stopped\)/.test(out));
    const replacement = Number(/worker (\d+) ready \(replacing/.exec(out)?.[1]);
    expect(replacement).not.toBe(pids[0]);
    expect(alive(replacement)).toBe(true);
    for (let i = 0; i < 12; i++) expect(await fresh(`${base}/health/ready`)).toBe(200);
    await until('the replacement serving', () => new RegExp(`"pid":${replacement}[,}][^\\n]*"url":"/health/ready"`).test(out), 10_000);

    // SIGTERM to the supervisor stops every worker, then itself
    proc.kill('SIGTERM');
    expect(await exit).toBe(0);
    await until('workers gone', () => ![pids[1], replacement].some(alive), 5_000);
    await expect(fresh(`${base}/health/ready`)).rejects.toThrow();
  }, 150_000);
});
