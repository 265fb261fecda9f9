/**
 * Domain errors carry a code; the HTTP filter maps codes to statuses, so the same services serve HTTP, jobs and the CLI.
 */
export enum ErrorCode {
  ValidationFailed = 'validation_failed',
  CatalogInvalid = 'catalog_invalid',
  NotFound = 'not_found',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  InvalidCredentials = 'invalid_credentials',
  TooManyAttempts = 'too_many_attempts',
  Conflict = 'conflict',
  TransitionNotAllowed = 'transition_not_allowed',
  PayloadTooLarge = 'payload_too_large',
  UnsupportedMediaType = 'unsupported_media_type',
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string): DomainError => new DomainError(ErrorCode.NotFound, `${what} not found`);
