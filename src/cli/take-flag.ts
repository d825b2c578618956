/** Removes a boolean flag (`--no-wait`) from a command line: whether it was there, and the rest. Pure. */
export function takeFlag(args: readonly string[], flag: string): { present: boolean; rest: string[] } {
  return { present: args.includes(flag), rest: args.filter((a) => a !== flag) };
}
