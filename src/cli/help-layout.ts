/**
 * How every --help reads: a command's help lists the global options too (its
 * examples use them), and a default that depends on the environment is shown
 * as it really is, e.g. `--schema` (default: public) or (default: app, from
 * KONSTRUCT_SCHEMA). Such defaults are worked out only when help is printed,
 * so a normal run never reads .env for them.
 */
import { Help, type HelpConfiguration, type Option } from 'commander';

const liveDefaults = new WeakMap<Option, () => string>();

/** Shows `(default: <describe()>)` after the option's description, computed when help is printed. */
export function withLiveDefault(option: Option, describe: () => string): Option {
  liveDefaults.set(option, describe);
  return option;
}

export const HELP_LAYOUT: HelpConfiguration = {
  showGlobalOptions: true,
  optionDescription(this: Help, option: Option): string {
    const text = Help.prototype.optionDescription.call(this, option);
    const live = liveDefaults.get(option);
    return live ? `${text} (default: ${live()})` : text;
  },
};
