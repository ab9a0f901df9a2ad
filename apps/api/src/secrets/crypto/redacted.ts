import { inspect } from 'node:util';

export const REDACTED = '[redacted]';

/**
 * A value that must not leak by accident: JSON (so pino and HTTP responses), `util.inspect` (so
 * console.log and Nest's logger), string conversion and template literals all show `[redacted]`.
 * The value lives in a private field, so spreading, Object.keys or structuredClone do not copy it;
 * only `reveal()` hands it out, which makes every deliberate use easy to find.
 */
export class Redacted<T> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  /** Apply `fn` to the value without unwrapping it for the caller. */
  map<U>(fn: (value: T) => U): Redacted<U> {
    return new Redacted(fn(this.#value));
  }

  toJSON(): string {
    return REDACTED;
  }
  toString(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}
