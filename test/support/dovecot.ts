import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { TestSmtp } from './smtp.js';

export const DOVECOT = '/usr/sbin/dovecot';

/**
 * A throwaway Dovecot (Debian's dovecot-imapd) on a loopback port: plaintext IMAP, one passwd-file user, maildir
 * owned by nobody. test/global-setup.js and .ci/run install the package when it is missing.
 */
export class TestDovecot {
  readonly user = 'complaints@hub.test';
  readonly password = 'imap-secret';
  private dir = '';
  port = 0;

  async start(): Promise<void> {
    if (!existsSync(DOVECOT)) throw new Error('no Dovecot: apt-get install -y dovecot-imapd');
    this.port = await TestSmtp.freePort();
    this.dir = mkdtempSync(path.join(tmpdir(), 'hub-dovecot-'));
    chmodSync(this.dir, 0o755);
    const mail = path.join(this.dir, 'mail');
    mkdirSync(mail);
    chownSync(mail, 65534, 65534);
    writeFileSync(path.join(this.dir, 'users'), `${this.user}:{PLAIN}${this.password}\n`);
    const conf = `
base_dir = ${this.dir}/run
log_path = ${this.dir}/dovecot.log
instance_name = hub-test-${this.port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${mail}/%u
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = ${this.dir}/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${mail}/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${this.port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
`;
    writeFileSync(path.join(this.dir, 'dovecot.conf'), conf);
    // Dovecot daemonises; its master would hold our pipes open forever, so give it none (errors go to its log)
    const r = spawnSync(DOVECOT, ['-c', path.join(this.dir, 'dovecot.conf')], { stdio: 'ignore', timeout: 20_000 });
    if (r.status !== 0) throw new Error(`dovecot did not start (exit ${r.status}): ${this.log()}`);
    for (let i = 0; i < 50; i++) {
      try {
        const c = this.client();
        await c.connect();
        await c.logout();
        return;
      } catch {
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    throw new Error(`dovecot does not answer on ${this.port}: ${this.log()}`);
  }

  client(): ImapFlow {
    return new ImapFlow({ host: '127.0.0.1', port: this.port, secure: false, auth: { user: this.user, pass: this.password }, logger: false, connectionTimeout: 5000, greetingTimeout: 5000, socketTimeout: 30_000 });
  }

  /** APPENDs a raw RFC 822 message to a folder (INBOX by default), as a mail server delivering it would. */
  async append(raw: string | Buffer, folder = 'INBOX'): Promise<void> {
    const c = this.client();
    await c.connect();
    try {
      if (folder !== 'INBOX') await c.mailboxCreate(folder).catch(() => undefined);
      await c.append(folder, raw);
    } finally {
      await c.logout();
    }
  }

  /** Message counts per folder. */
  async counts(): Promise<Record<string, number>> {
    const c = this.client();
    await c.connect();
    try {
      const out: Record<string, number> = {};
      for (const box of await c.list()) {
        const s = await c.status(box.path, { messages: true });
        out[box.path] = s ? (s.messages ?? 0) : 0;
      }
      return out;
    } finally {
      await c.logout();
    }
  }

  env(): Record<string, string> {
    return { IMAP_HOST: '127.0.0.1', IMAP_PORT: String(this.port), IMAP_USER: this.user, IMAP_PASSWORD: this.password, IMAP_TLS: 'false' };
  }

  log(): string {
    try {
      return readFileSync(path.join(this.dir, 'dovecot.log'), 'utf8').slice(-2000);
    } catch {
      return '';
    }
  }

  async stop(): Promise<void> {
    if (!this.dir) return;
    spawnSync(DOVECOT, ['-c', path.join(this.dir, 'dovecot.conf'), 'stop'], { stdio: 'ignore', timeout: 20_000 });
    await new Promise((r) => setTimeout(r, 200));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
