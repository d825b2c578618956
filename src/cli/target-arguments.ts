import { parseArgs } from 'node:util';

/** `<service> <environment>` and the command's options, or what is wrong with the command line. */
export type TargetArguments<K extends string> =
  | { readonly service: string; readonly environment: string; readonly options: Partial<Record<K, string>> }
  | { readonly usage: string };

/**
 * Parses `<service> <environment> [--option value …]` for an operator command: exactly two
 * positionals, only the string options named (`--to 3` or `--to=3`), given as name → what the
 * value is, for the usage line. Pure.
 */
export function parseTargetArguments<K extends string>(command: string, args: readonly string[], options: Readonly<Record<K, string>>): TargetArguments<K> {
  const optionNames = Object.keys(options) as K[];
  const synopsis = `slipway ${command} <service> <environment>${optionNames.map((o) => ` [--${o} <${options[o]}>]`).join('')}`;
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: Object.fromEntries(optionNames.map((o) => [o, { type: 'string' as const }])),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    return { usage: `${(err as Error).message}\nUsage: ${synopsis}` };
  }
  const [service, environment, ...extra] = parsed.positionals;
  if (!service || !environment) return { usage: `${command} needs a service and an environment\nUsage: ${synopsis}` };
  if (extra.length > 0) return { usage: `unexpected argument "${extra[0]}"\nUsage: ${synopsis}` };
  return { service, environment, options: { ...parsed.values } as Partial<Record<K, string>> };
}
