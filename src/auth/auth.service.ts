import { Inject, Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';
import type { Actor } from './actor.js';
import { LoginThrottle } from './login-throttle.js';
import { generatePassword, hashPassword, verifyPassword } from './password.js';
import { ROLES, UserEntity, type Role } from './user.entity.js';
import { Clock } from '../common/clock.js';

const TOKEN_TTL = '12h';
// verified against when the user does not exist, so a wrong name costs as much time as a wrong password
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

interface TokenClaims {
  sub: string;
  tv: number;
  /** issued at, seconds, from the hub's clock (so a token's 12 hours are the hub's hours) */
  iat?: number;
}

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly jwt: JwtService,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly clock: Clock,
    private readonly throttle: LoginThrottle,
  ) {}

  /**
   * Wrong user or wrong password get the same answer. Each attempt is counted before the password is checked, per
   * user name and address together and per address (LoginThrottle); past a few, each further try must wait longer.
   */
  async login(username: string, password: string, ip: string): Promise<{ token: string; role: Role }> {
    const counters = this.throttle.counters(username, ip);
    await this.throttle.reserve(counters);
    const user = await this.ds
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .where('lower(u.username) = lower(:username)', { username: username.trim() })
      .getOne();
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok || !user.active) {
      this.logger.warn({ user: username.trim().toLowerCase().slice(0, 100) }, 'failed sign-in');
      throw new DomainError(ErrorCode.InvalidCredentials, 'wrong user name or password');
    }
    await this.throttle.succeeded(counters);
    const claims: TokenClaims = { sub: user.id, tv: user.tokenVersion, iat: this.clockSeconds() };
    return { token: await this.jwt.signAsync(claims, { expiresIn: TOKEN_TTL }), role: user.role };
  }

  async actorFromToken(token: string): Promise<Actor | null> {
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(token, { clockTimestamp: this.clockSeconds() });
    } catch {
      return null;
    }
    const user = await this.ds.getRepository(UserEntity).findOneBy({ id: claims.sub });
    if (!user || !user.active || user.tokenVersion !== claims.tv) return null;
    return { id: user.id, username: user.username, role: user.role, unitId: user.unitId };
  }

  private clockSeconds(): number {
    return Math.floor(this.clock.nowMs() / 1000);
  }

  /** Every token issued to this account so far stops working (sign-out, a reset, a deactivation). */
  async revokeTokens(userId: string): Promise<void> {
    await this.ds.query(`UPDATE app_user SET token_version = token_version + 1, updated_at = now() WHERE id = $1`, [userId]);
  }

  async createUser(input: { username: string; password: string; role: Role; unit?: string | null }): Promise<UserView> {
    if (!(ROLES as readonly string[]).includes(input.role)) {
      throw new DomainError(ErrorCode.ValidationFailed, `role must be one of ${ROLES.join(', ')}`);
    }
    let unitId: string | null = null;
    if (input.role === 'unit_staff') {
      if (!input.unit) throw new DomainError(ErrorCode.ValidationFailed, 'unit: required for role unit_staff');
      const [row] = await this.ds.query(`SELECT id FROM unit WHERE code = $1 AND active`, [input.unit]);
      if (!row) throw new DomainError(ErrorCode.ValidationFailed, `unit: unknown unit "${input.unit}"`);
      unitId = row.id;
    } else if (input.unit) {
      throw new DomainError(ErrorCode.ValidationFailed, 'unit: only unit_staff accounts belong to a unit');
    }
    const hash = await hashPassword(input.password);
    const rows: { id: string }[] = await this.ds.query(
      `INSERT INTO app_user (username, password_hash, role, unit_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT ((lower(username))) DO NOTHING RETURNING id`,
      [input.username.trim(), hash, input.role, unitId],
    );
    if (!rows.length) throw new DomainError(ErrorCode.Conflict, `user "${input.username}" already exists`);
    return { id: rows[0].id, username: input.username.trim(), role: input.role, unit: input.unit ?? null };
  }

  /**
   * At start: HUB_ADMIN_PASSWORD creates or resets `admin`; without it a brand-new store gets a generated password,
   * returned once so the caller can print it.
   */
  async ensureAdmin(): Promise<{ created: boolean; reset: boolean; generatedPassword: string | null }> {
    const password = this.config.adminPassword;
    const existing: { id: string }[] = await this.ds.query(`SELECT id FROM app_user WHERE lower(username) = 'admin'`);
    if (existing.length) {
      if (!password) return { created: false, reset: false, generatedPassword: null };
      await this.ds.query(
        `UPDATE app_user SET password_hash = $2, role = 'admin', unit_id = NULL, active = true,
           token_version = token_version + 1, updated_at = now() WHERE id = $1`,
        [existing[0].id, await hashPassword(password)],
      );
      return { created: false, reset: true, generatedPassword: null };
    }
    const generated = password ? null : generatePassword();
    await this.ds.query(
      `INSERT INTO app_user (username, password_hash, role) VALUES ('admin', $1, 'admin')
       ON CONFLICT ((lower(username))) DO NOTHING`,
      [await hashPassword(password ?? (generated as string))],
    );
    return { created: true, reset: false, generatedPassword: generated };
  }
}

export interface UserView {
  id: string;
  username: string;
  role: Role;
  unit: string | null;
}
