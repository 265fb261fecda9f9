import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'hub-cfg-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs with an empty environment: defaults, and a secret generated once and kept', () => {
    const data = path.join(dir, 'data');
    const a = loadConfig({ HUB_DATA_DIR: data });
    expect(a.port).toBe(3000);
    expect(a.databaseUrl).toBeNull();
    expect(a.publicUrl).toBe('http://localhost:3000');
    expect(a.secretSource).toBe('generated');
    expect(statSync(path.join(data, 'secret')).mode & 0o777).toBe(0o600);
    const b = loadConfig({ HUB_DATA_DIR: data });
    expect(b.secretSource).toBe('stored');
    expect(b.secret).toBe(a.secret);
    expect(readFileSync(path.join(data, 'secret'), 'utf8').trim()).toBe(a.secret);
  });

  it('names every bad variable at once', () => {
    const run = () =>
      loadConfig({
        HUB_DATA_DIR: dir,
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        HUB_SECRET: 'short',
        HUB_PUBLIC_URL: 'ftp://x',
        IMAP_HOST: 'mail',
        IMAP_TLS: 'maybe',
        HUB_CATALOG: '/nonexistent.yaml',
        HUB_TRUSTED_PROXIES: '10.0.0.0/8, everyone',
      });
    expect(run).toThrow(ConfigError);
    try {
      run();
    } catch (e) {
      const msg = (e as Error).message;
      for (const name of ['PORT', 'DATABASE_URL', 'HUB_SECRET', 'HUB_PUBLIC_URL', 'IMAP_TLS', 'IMAP_USER', 'HUB_CATALOG', 'HUB_TRUSTED_PROXIES']) {
        expect(msg).toContain(`${name}:`);
      }
    }
  });

  it('takes explicit values', () => {
    const c = loadConfig({
      HUB_DATA_DIR: dir,
      PORT: '8080',
      DATABASE_URL: 'postgres://u@h/db',
      HUB_SECRET: 'x'.repeat(40),
      HUB_PUBLIC_URL: 'https://hub.example.gov.cn/',
      SMTP_HOST: 'smtp',
    });
    expect(c).toMatchObject({ port: 8080, databaseUrl: 'postgres://u@h/db', secretSource: 'env' });
    expect(c.publicUrl).toBe('https://hub.example.gov.cn');
    expect(c.smtp).toMatchObject({ host: 'smtp', port: 25, tls: false });
    expect(c.trustedProxies).toEqual(['loopback']);
    expect(loadConfig({ HUB_DATA_DIR: dir, HUB_TRUSTED_PROXIES: ' 10.0.0.5 , fd00::/8' }).trustedProxies).toEqual(['10.0.0.5', 'fd00::/8']);
  });
});
