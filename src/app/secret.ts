/**
 * A secret value that cannot be printed or copied by accident.
 *
 * The value lives in a private field, which no reflection reaches: not
 * Object.keys/entries/values, spread, Object.assign, structuredClone (which
 * copies an empty object), util.inspect (even with customInspect: false or
 * showHidden), console.dir/table, JSON.stringify, nor a logger that walks an
 * object's keys. Every one of those sees only its printed form (`***`, or a
 * URL with its password hidden). `reveal()` is the one deliberate way to read
 * it, so each place that needs the real value says so in the code.
 */
import { inspect } from 'node:util';

export class Secret {
  readonly #value: string;
  readonly #shown: string;

  /** `shown` is what every printed form says instead of the value; `***` unless given. */
  constructor(value: string, shown = '***') {
    this.#value = value;
    this.#shown = shown;
  }

  /** The value itself: for the one place that must use it (a connection, an HMAC key, an SMTP login). */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return this.#shown;
  }

  toJSON(): string {
    return this.#shown;
  }

  // Template literals and `+` use this, so `${secret}` prints the safe form too.
  [Symbol.toPrimitive](): string {
    return this.#shown;
  }

  [inspect.custom](): string {
    return `Secret(${this.#shown})`;
  }
}

/**
 * The value of a secret given either wrapped or as a plain string (for helpers that accept both).
 * Asked by shape, not instanceof: an application may load two copies of this package.
 */
export function revealed(value: Secret | string): string {
  return typeof value === 'string' ? value : value.reveal();
}
