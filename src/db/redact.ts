/**
 * The connection password must never reach any output: errors, --verbose,
 * --json, logs of failed SQL. Every string the CLI prints passes through here.
 */
/** The password of a connection URL: `user:password@host`, or libpq's `?password=` parameter. */
export function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    const password = parsed.password === '' ? parsed.searchParams.get('password') : decodeURIComponent(parsed.password);
    return password || undefined;
  } catch {
    return undefined;
  }
}

export function redactor(secrets: Array<string | undefined>): (text: string) => string {
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    variants.add(secret);
    variants.add(encodeURIComponent(secret));
    // As it appears inside a --json string: quotes, backslashes and control characters escaped.
    variants.add(JSON.stringify(secret).slice(1, -1));
  }
  const ordered = [...variants].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const v of ordered) out = out.split(v).join('***');
    return out;
  };
}

/** A URL safe to print: the password replaced by ***. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.searchParams.has('password')) u.searchParams.set('password', '***');
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
