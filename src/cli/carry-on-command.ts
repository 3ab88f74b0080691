/**
 * The command an interrupted run tells the user to run next: the same command with the options that chose what
 * it does, and no others. How far it goes (`up --expand`, `--to`, `down --all`, `down --to-expanded`), what it
 * may destroy (`down --yes`) and where (`--schema`): a plain `down` after an interrupted `down --to-expanded`
 * would revert the whole migration under a new application version still running, a `down` without the `--yes`
 * it was given refuses, and one without `--schema` would work on another schema. Not `complete --force`: whether
 * the old version may still be running is judged again by the next run. Never `--url`: it may hold a password
 * (the connection is the user's to give again, as they gave it).
 */
const KEPT: Record<string, { flags: readonly string[]; valued: readonly string[] }> = {
  up: { flags: ['--expand'], valued: ['--to'] },
  down: { flags: ['--all', '--to-expanded', '--yes'], valued: ['--to'] },
  complete: { flags: [], valued: [] },
};
/** Options before or after the command that apply to every command. */
const GLOBAL_VALUED = ['--schema'];

const shellWord = (word: string) => (/^[\w./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/** `args`: the command line after the executable (process.argv.slice(2)). */
export function carryOnCommand(command: string, args: readonly string[]): string {
  const kept = KEPT[command] ?? { flags: [], valued: [] };
  const globals: string[] = [];
  const options: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = splitOption(args[i]!);
    const value = () => inline ?? args[++i];
    if (GLOBAL_VALUED.includes(name)) globals.push(name, shellWord(value() ?? ''));
    else if (kept.valued.includes(name)) options.push(name, shellWord(value() ?? ''));
    else if (kept.flags.includes(name)) options.push(name);
  }
  return ['konstruct-migrate', ...globals, command, ...options].join(' ');
}

function splitOption(arg: string): [string, string | undefined] {
  const at = arg.indexOf('=');
  return arg.startsWith('--') && at > 0 ? [arg.slice(0, at), arg.slice(at + 1)] : [arg, undefined];
}
