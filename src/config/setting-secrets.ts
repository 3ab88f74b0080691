/**
 * The secrets of a Konstruct service's settings (src/app/app-settings.ts) that a
 * run can find around it: a migration may read them (an invitation secret, a mail
 * password) and print them in an error or a statement. The CLI never uses them,
 * but hides each wherever it hides the database password, read the way the
 * settings read them: the environment, else ./.env; a blank value is unset.
 */
export const SETTING_SECRET_NAMES = ['INVITE_SECRET', 'SMTP_PASSWORD'] as const;

/** Every value of those settings in the environment and in .env (both: either may reach a migration). */
export function settingSecretsOf(env: NodeJS.ProcessEnv, dotenv: Record<string, string> = {}): string[] {
  return SETTING_SECRET_NAMES.flatMap((name) => [env[name], dotenv[name]]).filter((value): value is string => Boolean(value?.trim()));
}
