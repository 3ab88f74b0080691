/**
 * The zod schema every run's configuration passes: the winning value of each
 * setting (config.ts picks them by precedence) in, checked and normalised values
 * out. zod reports every field's problem, so a run lists them all at once.
 * Messages read after the setting's name (config.ts puts it in front); `{value}`
 * shows the value, used only where it cannot be a secret: never for a URL.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
// Why zod/v3 here while the package's exports (src/app) use zod 4: this schema is
// parsed at the start of every CLI command, and zod 4's core, bundled into the CLI,
// costs ~10 ms of CPU per command whichever front-end is used. Measured on `status`
// against a local server, CPU time (user+sys), 60 interleaved runs, median:
// zod/v3 110 ms, zod 4 `zod/mini` 120 ms, zod 4 `zod` 120 ms; a command failing at
// the configuration: 80, 90, 90 ms. zod/v3 ships inside the same zod 4 package,
// is kept there for good (zod.dev/v4/versioning). Every file the CLI bundles uses it
// (the build fails on zod 4 in the CLI's bundle, scripts/bundle-cli.ts); src/app, for
// applications, keeps zod 4.
import { z } from 'zod/v3';
import { SSL_MODES, type SslMode } from '../db/ssl-mode';
import { ownWords } from '../db/redact';
import { NOT_A_POSTGRES_URL, hasUnencodedCredentials, isPostgresUrl, UNENCODED_CREDENTIALS } from './database-url';
import { SCHEMA_NAME, NOT_A_SCHEMA_NAME, isSystemSchema, SYSTEM_SCHEMA } from './schema-name';
import { SEARCH_PATH_HINT, SEARCH_PATH_IN_OPTIONS } from './search-path-option';

const hint = (text: string) => ({ hint: text });

const postgresUrl = z
  .string()
  .trim()
  .superRefine((url, ctx) => {
    if (url === '') {
      // Not unset: a pipeline whose secret came out empty must not fall through to another database.
      ctx.addIssue({ code: 'custom', message: 'is empty', params: hint(ownWords`Give the database URL: postgres://user:password@host:5432/database.`) });
    } else if (hasUnencodedCredentials(url)) {
      ctx.addIssue({
        code: 'custom',
        message: UNENCODED_CREDENTIALS,
        params: hint('Nothing was done. encodeURIComponent(password) in JavaScript, or any URL encoder, gives the encoded form.'),
      });
    } else if (!isPostgresUrl(url)) {
      ctx.addIssue({ code: 'custom', message: NOT_A_POSTGRES_URL, params: hint('Fix the URL (percent-encode special characters in the password).') });
    }
  });

/** libpq's sslmode, and node-postgres's name `no-verify` for `require`. */
const sslMode = z
  .string()
  .optional()
  .default('prefer')
  .transform((mode, ctx): SslMode => {
    const normal = mode === 'no-verify' ? 'require' : mode;
    if ((SSL_MODES as readonly string[]).includes(normal)) return normal as SslMode;
    ctx.addIssue({
      code: 'custom',
      message: `is "{value}", which is not one of ${SSL_MODES.join(', ')}.`,
      params: hint('Fix the value; `require` encrypts without checking the certificate.'),
    });
    return z.NEVER;
  });

/** A certificate file; libpq 16's sslrootcert=system means the operating system's CAs, which Node uses by default. */
const readableFile = z
  .string()
  .optional()
  .transform((file, ctx) => {
    if (file === undefined || file === 'system') return undefined;
    try {
      accessSync(file, constants.R_OK);
      return file;
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `is {value}, a file that cannot be read: ${(error as NodeJS.ErrnoException).code}.`,
        params: hint('Give the path of a readable PEM file (a relative path is read from the directory the command runs in), or leave the setting out.'),
      });
      return z.NEVER;
    }
  });

const seconds = z.number().min(0, 'must be a number of seconds, 0 or more');
const refused = (message: string, hintText: string) => z.boolean().refine((refusedNow) => !refusedNow, { message, params: hint(hintText) });

export const configSchema = z.object({
  url: postgresUrl.optional(),
  dotenvUrlCutAtHash: refused(
    'holds a # that .env reads as the start of a comment, so the rest of the URL is lost; percent-encode it in the password (%23)',
    'Or put the whole value in quotes: DATABASE_URL="postgres://...". Nothing was done.',
  ),
  embeddedUnderCi: refused(
    'is not set and CI is set: refusing to migrate a throwaway embedded database.',
    'Set DATABASE_URL (or pass --url) to the database this pipeline should migrate.',
  ),
  pgport: z
    .string()
    .trim()
    .regex(/^\d{1,5}$/, 'is "{value}", not a port number (1-65535).')
    .transform(Number)
    .optional(),
  schema: z
    .string()
    .trim()
    .regex(SCHEMA_NAME, NOT_A_SCHEMA_NAME)
    .refine((name) => !isSystemSchema(name), { message: SYSTEM_SCHEMA, params: hint('Give the schema your tables live in (default: public), created beforehand.') })
    .optional(),
  searchPathInOptions: refused(SEARCH_PATH_IN_OPTIONS, SEARCH_PATH_HINT),
  sslmode: sslMode,
  sslrootcert: readableFile,
  sslcert: readableFile,
  sslkey: readableFile,
  migrationsDir: z.string().refine((dir) => existsSync(dir) && statSync(dir).isDirectory(), {
    message: 'is {value}, which is not a folder.',
    params: hint('Check KONSTRUCT_MIGRATIONS_DIR, or unset it to use the packaged migrations.'),
  }),
  waitSeconds: seconds,
  connectTimeoutMs: seconds,
});

/** The values config.ts picks, before checking. */
export type ConfigValues = z.input<typeof configSchema>;
export type ConfigOutput = z.output<typeof configSchema>;
export type ConfigIssue = z.ZodIssue;
