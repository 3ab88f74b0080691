/** Valid values for the services' settings, with distinctive secrets so a plain substring search finds any leak. */
export const DB_PASSWORD = 'db-pass-5f1e9c';
export const INVITE_SECRET = 'invite-secret-0123456789abcdef-XYZ'; // 34 bytes
export const SMTP_PASSWORD = 'smtp-pass-7d2a4b';

export const VALID_SETTINGS = {
  DATABASE_URL: `postgres://konstruct:${DB_PASSWORD}@db.internal:5432/konstruct`,
  INVITE_SECRET,
  SMTP_HOST: 'smtp.example.com',
  SMTP_PORT: '2525',
  SMTP_USERNAME: 'mailer',
  SMTP_PASSWORD,
  SMTP_FROM_EMAIL: 'no-reply@example.com',
};

/** DATABASE_URL as every printed form shows it. */
export const SHOWN_DATABASE_URL = 'postgres://konstruct:***@db.internal:5432/konstruct';

/** The settings as JSON prints them: each secret in its printed form, SMTP_PORT a number. */
export const PRINTED_SETTINGS = { ...VALID_SETTINGS, DATABASE_URL: SHOWN_DATABASE_URL, INVITE_SECRET: '***', SMTP_PASSWORD: '***', SMTP_PORT: 2525 };
