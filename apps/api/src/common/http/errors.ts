import { ConflictException, HttpException, HttpStatus } from '@nestjs/common';

/** 409 with the state the resource is actually in, so the caller can catch up. */
export class StateConflict extends ConflictException {
  constructor(message: string, status: string, extra: Record<string, unknown> = {}) {
    super({ statusCode: 409, error: 'Conflict', message, status, ...extra });
  }
}

/** 422: the request is understood but a rule refuses it; `extra` says what the caller must do first (the steps missing). */
export class UnprocessableRule extends HttpException {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super({ statusCode: 422, error: 'Unprocessable Entity', message, ...extra }, HttpStatus.UNPROCESSABLE_ENTITY);
  }
}

export class ServiceUnavailable extends HttpException {
  constructor(message: string) {
    super({ statusCode: 503, error: 'Service Unavailable', message }, HttpStatus.SERVICE_UNAVAILABLE);
  }
}
