import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../support/test-app.js';

/**
 * The built hub started as a person starts it in a terminal: under `script`, so stdout is a pseudo-terminal. The
 * output is a few readable lines (no JSON, no route table), the banner names the console and the admin account; the
 * same start through a pipe writes JSON lines.
 */
const MAIN = path.resolve('dist/main.js');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address() as { port: number };
      s.close(() => resolve(a.port));
    });
  });
}

/** Runs until the banner is out and the last start-up line logged (or 60 s), then Ctrl-C; returns everything it wrote. */
function run(cmd: string, args: string[], env: Record<string, string>): Promise<string> {
  // JSON lines are written asynchronously by pino: they may come after the banner
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: { PATH: process.env.PATH ?? '', TERM: 'xterm', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`no banner in 60 s: ${out}`));
    }, 60_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (/metrics: \S+/.test(out) && /Nest application successfully started/.test(out)) p.kill('SIGINT');
    };
    p.stdout.on('data', onData);
    p.stderr.on('data', onData);
    p.on('exit', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

describe('start-up in a terminal', () => {
  let dataDir: string;
  beforeAll(() => (dataDir = mkdtempSync(path.join(tmpdir(), 'hub-tty-'))));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is short and readable on a terminal, JSON through a pipe', async () => {
    const db = await createTestDatabase();
    try {
      const env = { HUB_DATA_DIR: dataDir, DATABASE_URL: db.url, PORT: String(await freePort()), HUB_ADMIN_PASSWORD: 'terminal-test-pw', HUB_JOBS: 'false' };
      // `script -qfec CMD /dev/null`: CMD on a pseudo-terminal, its output copied to ours
      const cmdline = `${process.execPath} ${MAIN}`;
      const tty = await run('script', ['-qfec', cmdline, '/dev/null'], env);
      const lines = tty.split(/\r?\n/).filter((l) => l.trim());
      expect(tty).toMatch(/ready in [\d.]+ s at http:\/\/localhost:\d+/);
      expect(tty).toMatch(/console: +http:\/\/localhost:\d+\/console +\(sign in as "admin"\)/);
      expect(tty).toMatch(/API docs: +http:\/\/localhost:\d+\/api\/docs/);
      expect(tty).not.toMatch(/Mapped \{|RouterExplorer|RoutesResolver|InstanceLoader/);
      expect(lines.filter((l) => l.trimStart().startsWith('{"level"'))).toEqual([]);
      // pino-pretty's lines: a time and a level word
      expect(tty).toMatch(/\[\d\d:\d\d:\d\d\] .*INFO.*/);
      expect(lines.length).toBeLessThan(25);

      // the same start with stdout a pipe: JSON lines, route mapping still hidden at the default level
      const piped = await run(process.execPath, [MAIN], { ...env, PORT: String(await freePort()) });
      expect(piped).toMatch(/^\{"level":30,.*\}$/m);
      expect(piped).not.toMatch(/Mapped \{/);

      // LOG_LEVEL=debug brings the route table back
      const debug = await run(process.execPath, [MAIN], { ...env, PORT: String(await freePort()), LOG_LEVEL: 'debug' });
      expect(debug).toMatch(/Mapped \{\/api\/items, GET\} route/);
    } finally {
      await db.drop();
    }
  }, 180_000);
});
