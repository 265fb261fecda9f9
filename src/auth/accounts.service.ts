import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import type { Actor } from './actor.js';
import { AuthService, type UserView } from './auth.service.js';
import { generatePassword, hashPassword } from './password.js';
import type { Role } from './user.entity.js';

export const USERNAME_RE = /^[\p{L}\p{N}_.@-]{2,64}$/u;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;

export interface AccountRow {
  id: string;
  username: string;
  role: Role;
  unit: string | null;
  unitName: string | null;
  active: boolean;
  createdAt: Date;
}

/**
 * Accounts as the administrator manages them: listed, created, deactivated and reactivated, passwords reset.
 * Deactivation and a reset revoke every token the account holds, so its open sessions stop at once.
 */
@Injectable()
export class AccountsService {
  private readonly logger = new Logger(AccountsService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly auth: AuthService,
  ) {}

  async list(page: number, pageSize: number): Promise<{ rows: AccountRow[]; total: number }> {
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM app_user`);
    const rows: { id: string; username: string; role: Role; unit: string | null; unit_name: string | null; active: boolean; created_at: Date }[] =
      await this.ds.query(
        `SELECT a.id, a.username, a.role, u.code AS unit, u.name AS unit_name, a.active, a.created_at
         FROM app_user a LEFT JOIN unit u ON u.id = a.unit_id
         ORDER BY a.active DESC, lower(a.username), a.id LIMIT $1 OFFSET $2`,
        [pageSize, (page - 1) * pageSize],
      );
    return {
      total,
      rows: rows.map((r) => ({ id: r.id, username: r.username, role: r.role, unit: r.unit, unitName: r.unit_name, active: r.active, createdAt: r.created_at })),
    };
  }

  async get(id: string): Promise<AccountRow | null> {
    if (!isUuid(id)) return null;
    const [r] = await this.ds.query(
      `SELECT a.id, a.username, a.role, u.code AS unit, u.name AS unit_name, a.active, a.created_at
       FROM app_user a LEFT JOIN unit u ON u.id = a.unit_id WHERE a.id = $1`,
      [id],
    );
    return r ? { id: r.id, username: r.username, role: r.role, unit: r.unit, unitName: r.unit_name, active: r.active, createdAt: r.created_at } : null;
  }

  /** A new account; without a password one is generated. Returns the password so it can be shown once. */
  async create(input: { username: string; role: Role; unit?: string | null; password?: string | null }): Promise<{ user: UserView; password: string }> {
    const username = input.username.trim();
    if (!USERNAME_RE.test(username)) throw new DomainError(ErrorCode.ValidationFailed, 'username: 2–64 letters, digits or _ . @ -');
    const password = input.password ? input.password : generatePassword();
    checkPassword(password);
    const user = await this.auth.createUser({ username, password, role: input.role, unit: input.role === 'unit_staff' ? input.unit || null : null });
    this.logger.log({ user: username, role: input.role }, 'account created');
    return { user, password };
  }

  /** Deactivates or reactivates an account; deactivation revokes its tokens. Nobody deactivates themselves. */
  async setActive(by: Actor, id: string, active: boolean): Promise<AccountRow> {
    const target = await this.get(id);
    if (!target) throw new DomainError(ErrorCode.NotFound, 'account not found');
    if (!active && by.id === target.id) throw new DomainError(ErrorCode.Forbidden, 'you cannot deactivate your own account');
    await this.ds.query(`UPDATE app_user SET active = $2, updated_at = now() WHERE id = $1`, [id, active]);
    await this.auth.revokeTokens(id);
    this.logger.log({ user: target.username, active, by: by.username }, active ? 'account reactivated' : 'account deactivated');
    return { ...target, active };
  }

  /** Sets a new password (typed, or generated when empty) and revokes every token of the account. */
  async resetPassword(by: Actor, id: string, typed?: string | null): Promise<{ account: AccountRow; password: string }> {
    const target = await this.get(id);
    if (!target) throw new DomainError(ErrorCode.NotFound, 'account not found');
    const password = typed ? typed : generatePassword();
    checkPassword(password);
    await this.ds.query(`UPDATE app_user SET password_hash = $2, updated_at = now() WHERE id = $1`, [id, await hashPassword(password)]);
    await this.auth.revokeTokens(id);
    this.logger.log({ user: target.username, by: by.username }, 'password reset');
    return { account: target, password };
  }
}

function checkPassword(p: string): void {
  if (p.length < PASSWORD_MIN || p.length > PASSWORD_MAX) {
    throw new DomainError(ErrorCode.ValidationFailed, `password: ${PASSWORD_MIN}–${PASSWORD_MAX} characters`);
  }
}

function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}
