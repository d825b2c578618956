import { SlipwayError } from '../../core/errors.ts';

/** Words systemd's command-line parser takes literally, without quotes (no `%`, `$`, `\`, quotes or `;`). */
const PLAIN = /^[A-Za-z0-9_@+=:,./-]+$/;
const CONTROL = /[\u0000-\u001f\u007f]/;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '"': '\\"', $: '$$', '%': '%%' };

/**
 * One argument of an `Exec*=` line, written so that systemd hands it to the program unchanged:
 * plain words as they are, anything else in double quotes with `\` and `"` escaped, `$` doubled
 * (no variable substitution) and `%` doubled (no specifier expansion). Throws SCHEDULER_REJECTED
 * for newlines and other control characters, which would end or corrupt the unit file line.
 */
export function systemdWord(arg: string): string {
  if (CONTROL.test(arg)) {
    throw new SlipwayError('SCHEDULER_REJECTED', `a unit file argument must not contain newlines or control characters: ${JSON.stringify(arg)}`);
  }
  if (PLAIN.test(arg)) return arg;
  return `"${arg.replace(/[\\"$%]/g, (c) => ESCAPES[c] ?? c)}"`;
}

/** A command line of words, each escaped with `systemdWord`. */
export function systemdCommand(argv: readonly string[]): string {
  return argv.map(systemdWord).join(' ');
}
