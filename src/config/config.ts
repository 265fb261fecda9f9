import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogFormatSetting } from '../common/log-format.js';
import { proxyEntryProblem } from '../common/client-address.js';

/**
 * Configuration, read from the environment once at start and validated; the rest of the code takes this typed
 * object and never reads process.env. A bad value stops start-up with a message naming the variable.
 */
export interface HubConfig {
  port: number;
  databaseUrl: string | null;
  dataDir: string;
  adminPassword: string | null;
  secret: string;
  secretSource: 'env' | 'generated' | 'stored';
  publicUrl: string;
  catalogPath: string;
  imap: ImapConfig | null;
  smtp: SmtpConfig | null;
  mailFrom: string;
  logLevel: string;
  /** connections in this copy's database pool */
  dbPoolMax: number;
  /** run background jobs (queue workers, schedules) in this copy */
  jobs: boolean;
  /** HTTP worker processes `npm start` runs (node:cluster); 1: a single process, no fork */
  workers: number;
  /** how often the mailbox is polled */
  imapPollSeconds: number;
  /** largest mail kept whole (attachments beyond are dropped and noted) */
  mailMaxBytes: number;
  /** JSON lines, readable lines, or by whether stdout is a terminal */
  logFormat: LogFormatSetting;
  /** bearer token /metrics asks for; null: open (keep it on the intranet) */
  metricsToken: string | null;
  /** names, phone numbers and mail addresses of items closed longer than this are erased; null: kept */
  personalDataMonths: number | null;
  /** proxies whose X-Forwarded-For is believed (addresses, CIDR networks, loopback/linklocal/uniquelocal) */
  trustedProxies: string[];
}

export interface ImapConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  tls: boolean;
  mailbox: string;
}

export interface SmtpConfig {
  host: string;
  port: number;
  user: string | null;
  password: string | null;
  tls: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** The project root: the nearest folder above this file holding package.json (from src/, dist/ or dist-bench/src/). */
export const PROJECT_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'config'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start, '..', '..');
  }
}
export const SAMPLE_CATALOG = path.join(PROJECT_ROOT, 'config', 'catalog.sample.yaml');

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env, opts: { persistSecret?: boolean } = {}): HubConfig {
  const problems: string[] = [];
  const str = (name: string): string | null => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? null : v.trim();
  };
  const int = (name: string, def: number | null, min: number, max: number): number | null => {
    const raw = str(name);
    if (raw === null) return def;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name}: "${raw}" is not a whole number from ${min} to ${max}`);
      return def;
    }
    return Number(raw);
  };
  const bool = (name: string, def: boolean): boolean => {
    const raw = str(name);
    if (raw === null) return def;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    problems.push(`${name}: "${raw}" is not true or false`);
    return def;
  };

  const port = int('PORT', 3000, 1, 65535) ?? 3000;
  const databaseUrl = str('DATABASE_URL');
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL: must be a postgres:// or postgresql:// connection string');
  }
  const dataDir = path.resolve(str('HUB_DATA_DIR') ?? path.join(PROJECT_ROOT, '.data'));

  const adminPassword = str('HUB_ADMIN_PASSWORD');
  if (adminPassword !== null && adminPassword.length < 8) {
    problems.push('HUB_ADMIN_PASSWORD: must be at least 8 characters');
  }

  let secret = str('HUB_SECRET');
  let secretSource: HubConfig['secretSource'] = 'env';
  if (secret !== null && secret.length < 32) problems.push('HUB_SECRET: must be at least 32 characters');
  if (secret === null) {
    const file = path.join(dataDir, 'secret');
    if (existsSync(file)) {
      secret = readFileSync(file, 'utf8').trim();
      secretSource = 'stored';
    } else {
      secret = randomBytes(32).toString('base64url');
      secretSource = 'generated';
      if (opts.persistSecret !== false) {
        ensureDataDir(dataDir);
        writeFileSync(file, secret + '\n', { mode: 0o600 });
      }
    }
  }

  let publicUrl = str('HUB_PUBLIC_URL') ?? `http://localhost:${port}`;
  try {
    const u = new URL(publicUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    publicUrl = publicUrl.replace(/\/+$/, '');
  } catch {
    problems.push(`HUB_PUBLIC_URL: "${publicUrl}" is not an http(s) URL`);
  }

  const catalogPath = path.resolve(str('HUB_CATALOG') ?? SAMPLE_CATALOG);
  if (!existsSync(catalogPath)) problems.push(`HUB_CATALOG: no file at ${catalogPath}`);

  let imap: ImapConfig | null = null;
  const imapHost = str('IMAP_HOST');
  if (imapHost !== null) {
    const tls = bool('IMAP_TLS', true);
    const user = str('IMAP_USER');
    const password = env.IMAP_PASSWORD ?? null;
    if (user === null) problems.push('IMAP_USER: required when IMAP_HOST is set');
    if (password === null) problems.push('IMAP_PASSWORD: required when IMAP_HOST is set');
    imap = {
      host: imapHost,
      port: int('IMAP_PORT', tls ? 993 : 143, 1, 65535) ?? 993,
      user: user ?? '',
      password: password ?? '',
      tls,
      mailbox: str('IMAP_MAILBOX') ?? 'INBOX',
    };
  }
  let smtp: SmtpConfig | null = null;
  const smtpHost = str('SMTP_HOST');
  if (smtpHost !== null) {
    const tls = bool('SMTP_TLS', false);
    smtp = {
      host: smtpHost,
      port: int('SMTP_PORT', tls ? 465 : 25, 1, 65535) ?? 25,
      user: str('SMTP_USER'),
      password: env.SMTP_PASSWORD ?? null,
      tls,
    };
  }
  const mailFrom = str('MAIL_FROM') ?? 'feedback-hub@localhost';
  if (!/^[^\s@<>]+@[^\s@<>]+$|<[^\s@<>]+@[^\s@<>]+>$/.test(mailFrom)) {
    problems.push(`MAIL_FROM: "${mailFrom}" is not a mail address`);
  }
  const logLevel = str('LOG_LEVEL') ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL: "${logLevel}" is not one of fatal, error, warn, info, debug, trace, silent`);
  }

  const dbPoolMax = int('DB_POOL_MAX', 10, 1, 500) ?? 10;
  const jobs = bool('HUB_JOBS', true);
  // a worker per core by default: one Node process uses one core for JavaScript
  const workers = int('HUB_WORKERS', Math.max(1, Math.min(os.availableParallelism(), 16)), 1, 64) ?? 1;
  const imapPollSeconds = int('IMAP_POLL_SECONDS', 60, 5, 86_400) ?? 60;
  const mailMaxBytes = int('MAIL_MAX_BYTES', 10 * 1024 * 1024, 10_000, 200 * 1024 * 1024) ?? 10 * 1024 * 1024;

  const logFormat = (str('LOG_FORMAT') ?? 'auto') as LogFormatSetting;
  if (!['auto', 'json', 'pretty'].includes(logFormat)) problems.push(`LOG_FORMAT: "${logFormat}" is not one of auto, json, pretty`);
  const metricsToken = str('HUB_METRICS_TOKEN');
  if (metricsToken !== null && metricsToken.length < 16) problems.push('HUB_METRICS_TOKEN: must be at least 16 characters');
  const personalDataMonths = int('HUB_PERSONAL_DATA_MONTHS', null, 1, 1200);
  // only the load balancers in front of the hub may say who the client is; anyone else's X-Forwarded-For is ignored
  const trustedProxies = (str('HUB_TRUSTED_PROXIES') ?? 'loopback').split(',').map((p) => p.trim()).filter(Boolean);
  for (const entry of trustedProxies) {
    const problem = proxyEntryProblem(entry);
    if (problem) problems.push(`HUB_TRUSTED_PROXIES: ${problem}`);
  }

  if (problems.length) throw new ConfigError(problems);
  return {
    port,
    databaseUrl,
    dataDir,
    adminPassword,
    secret: secret as string,
    secretSource,
    publicUrl,
    catalogPath,
    imap,
    smtp,
    mailFrom,
    logLevel,
    dbPoolMax,
    jobs,
    workers,
    imapPollSeconds,
    mailMaxBytes,
    logFormat,
    metricsToken,
    personalDataMonths,
    trustedProxies,
  };
}

/** HUB_DATA_DIR holds secrets (files 0600) and the embedded database, which runs as another user: 0711. */
export function ensureDataDir(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o711 });
  try {
    chmodSync(dir, 0o711);
  } catch {
    // not ours to change (a mounted volume): the embedded database start says so if it matters
  }
}

export const HUB_CONFIG = Symbol('HUB_CONFIG');
