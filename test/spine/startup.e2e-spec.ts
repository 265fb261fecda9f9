import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../support/test-app.js';

/**
 * `npm start` as a user meets it: the built hub (dist/, made by `pretest`) with an empty environment, on the
 * embedded PostgreSQL; then a crash (SIGKILL leaves the database server running), a restart, and Ctrl-C.
 */
const MAIN = path.resolve('dist/main.js');
const CLI = path.resolve('dist/cli.js');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function startHub(env: Record<string, string>): { proc: ChildProcess; output: () => string; ready: Promise<number> } {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = new Promise<number>((resolve, reject) => {
    const onData = (b: Buffer) => {
      output += b.toString();
      if (output.includes('ready in')) resolve(performance.now() - t0);
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`hub exited with ${code}: ${output}`)));
    setTimeout(() => reject(new Error(`not ready in 60 s: ${output}`)), 60_000).unref();
  });
  return { proc, output: () => output, ready };
}

const exited = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.on('exit', (c) => r(c))));

describe('npm start with an empty environment (embedded PostgreSQL)', () => {
  let dataDir: string;
  let port: number;
  let env: Record<string, string>;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'hub-start-'));
    port = await freePort();
    env = { HUB_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' };
  });
  afterAll(() => {
    spawnSync('pkill', ['-f', `postgres -D ${dataDir}`]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts, survives a crash and a restart with its data, and stops the database on Ctrl-C', async () => {
    const base = `http://127.0.0.1:${port}`;
    // first start: brand-new store
    const first = startHub(env);
    const firstMs = await first.ready;
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const pw = /password: (\S+)/.exec(first.output())?.[1];
    expect(pw).toBeTruthy();
    expect(first.output()).toMatch(/imported the catalogue .*23 units, 24 windows, 27 service items/);
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: pw }),
    });
    const { token } = (await login.json()) as { token: string };
    const entry = await fetch(`${base}/api/intake/entries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ channel: 'suggestion_box', text: '希望增加周末服务' }),
    });
    expect(entry.status).toBe(201);
    const { id } = (await entry.json()) as { id: number };

    // the CLI works beside the running hub, on the hub's own database server
    const cli = spawnSync(process.execPath, [CLI, 'org:import', path.resolve('test/fixtures/org/qinghe.yaml')], {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
    });
    expect(cli.stderr + cli.stdout).toMatch(/7 units, 3 windows, 2 service items/);
    expect(cli.status).toBe(0);

    // crash: SIGKILL leaves the embedded server running with its postmaster.pid
    first.proc.kill('SIGKILL');
    await exited(first.proc);
    const second = startHub(env);
    const secondMs = await second.ready;
    expect(second.output()).not.toMatch(/password:/); // no new admin on a store that has one
    const again = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: pw }),
    });
    const t2 = ((await again.json()) as { token: string }).token;
    const item = await fetch(`${base}/api/items/${id}`, { headers: { authorization: `Bearer ${t2}` } });
    expect(item.status).toBe(200);

    // a second hub on the same data is refused with a clear message
    const third = spawnSync(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env, PORT: '1' }, encoding: 'utf8' });
    expect(third.stderr).toMatch(/another hub \(pid \d+\) is running/);

    // Ctrl-C: the hub stops its database cleanly
    second.proc.kill('SIGINT');
    expect(await exited(second.proc)).toBe(0);
    expect(second.output()).toMatch(/embedded PostgreSQL stopped/);
    expect(spawnSync('pgrep', ['-f', `postgres -D ${dataDir}`]).status).toBe(1);
    process.stdout.write(`start-up: first ${firstMs} ms (initdb + migrations + catalogue), after a crash ${secondMs} ms\n`);
  }, 120_000);

  it('says what to do when the HTTP port is taken, and leaves nothing running', async () => {
    const db = await createTestDatabase();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '0.0.0.0', () => r()));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const r = spawnSync(process.execPath, [MAIN], {
        env: { PATH: process.env.PATH ?? '', HUB_DATA_DIR: dataDir, PORT: String(taken), DATABASE_URL: db.url, LOG_LEVEL: 'warn', HUB_ADMIN_PASSWORD: 'port-test-pw' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.stderr).toMatch(new RegExp(`port ${taken} is in use by another program: stop it, or set PORT to a free port`));
      expect(r.status).not.toBe(0);
    } finally {
      blocker.close();
      await db.drop();
    }
  }, 90_000);

  it('refuses to start on a bad setting, naming it', () => {
    const r = spawnSync(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', HUB_DATA_DIR: dataDir, PORT: 'http', HUB_PUBLIC_URL: 'nowhere' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/PORT: "http" is not a whole number/);
    expect(r.stderr).toMatch(/HUB_PUBLIC_URL/);
  });
});

describe('embedded servers started at the same moment (several hubs or CLI commands on their own folders)', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) {
      spawnSync('pkill', ['-f', `postgres -D ${d}`]);
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('each gets a server: the ones that lose the race for the usual port start on another', async () => {
    // All four see the preferred port free and try it at once; without a retry three of them failed ("could not bind").
    for (let i = 0; i < 4; i++) dirs.push(mkdtempSync(path.join(tmpdir(), `hub-race-${i}-`)));
    const runs = dirs.map(
      (d) =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const p = spawn(process.execPath, [CLI, 'org:import', path.resolve('test/fixtures/org/qinghe.yaml')], {
            env: { PATH: process.env.PATH ?? '', HUB_DATA_DIR: d },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '';
          p.stdout?.on('data', (b: Buffer) => (out += b.toString()));
          p.stderr?.on('data', (b: Buffer) => (out += b.toString()));
          p.on('exit', (code) => resolve({ code, out }));
        }),
    );
    const results = await Promise.all(runs);
    for (const r of results) {
      expect({ code: r.code, tail: r.code === 0 ? '' : r.out.slice(-1500) }).toEqual({ code: 0, tail: '' });
      expect(r.out).toMatch(/7 units, 3 windows, 2 service items/);
    }
  }, 150_000);
});
