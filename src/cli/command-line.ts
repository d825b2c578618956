import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<O extends Options> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };

/**
 * A command line with the options named (`--limit 5` or `--limit=5`) and `count` positionals, or
 * what is wrong with it, ending with the usage line. Pure.
 */
export function parseCommandLine<O extends Options>(
  synopsis: string,
  args: readonly string[],
  options: O,
  count: number,
): { readonly values: Values<O>; readonly positionals: string[] } | { readonly usage: string } {
  try {
    const parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    if (parsed.positionals.length > count) return { usage: `unexpected argument "${parsed.positionals[count]}"\nUsage: ${synopsis}` };
    if (parsed.positionals.length < count) return { usage: `missing argument\nUsage: ${synopsis}` };
    return { values: parsed.values as Values<O>, positionals: parsed.positionals };
  } catch (err) {
    return { usage: `${(err as Error).message}\nUsage: ${synopsis}` };
  }
}

/** `--limit`: a whole number from 1 to `max`, or undefined when the text is not one. Pure. */
export function limitOption(text: string | undefined, fallback: number, max: number): number | undefined {
  if (text === undefined) return fallback;
  const n = Number(text);
  return /^\d+$/.test(text) && n >= 1 && n <= max ? n : undefined;
}

/** Says what is wrong on stderr (`slipway: …`) and returns the exit code (2: a wrong command line). */
export function refuse(io: { err(text: string): void }, message: string, code: 1 | 2 = 2): number {
  io.err(`slipway: ${message}\n`);
  return code;
}
