// The `docker` command lines a fleet unit may run, parsed like the docker CLI parses them (the
// subset the emulator can run on one engine: host network only). Test-only code.

export type DockerCommand =
  | { kind: 'rm'; force: boolean; names: string[] }
  | { kind: 'pull'; image: string }
  | { kind: 'stop'; names: string[] }
  | { kind: 'run'; name?: string; rm: boolean; network?: string; env: Record<string, string>; image: string; cmd: string[] };

/** Parses `argv` (`/usr/bin/docker …`); `{ error }` for what docker would refuse or the emulator cannot run. */
export function parseDockerCommand(argv: readonly string[]): DockerCommand | { error: string } {
  if (!/(^|\/)docker$/.test(argv[0] ?? '')) return { error: `${argv[0]}: only docker commands are emulated` };
  const [sub, ...args] = argv.slice(1);
  switch (sub) {
    case 'rm': {
      const force = args.some((a) => a === '-f' || a === '--force' || a === '--force=true');
      const names = args.filter((a) => !a.startsWith('-'));
      const unknown = args.find((a) => a.startsWith('-') && !['-f', '--force', '--force=true'].includes(a));
      if (unknown) return { error: `unknown flag: ${unknown}` };
      return names.length ? { kind: 'rm', force, names } : { error: '"docker rm" requires at least 1 argument.' };
    }
    case 'stop': {
      const unknown = args.find((a) => a.startsWith('-'));
      if (unknown) return { error: `unknown flag: ${unknown}` };
      return args.length ? { kind: 'stop', names: args } : { error: '"docker stop" requires at least 1 argument.' };
    }
    case 'pull':
      return args.length === 1 && !args[0]!.startsWith('-') ? { kind: 'pull', image: args[0]! } : { error: '"docker pull" requires exactly 1 argument.' };
    case 'run':
      return parseRun(args);
    default:
      return { error: `docker ${sub ?? ''}: not emulated` };
  }
}

const WITH_VALUE = new Set(['--name', '--net', '--network', '-e', '--env']);

function parseRun(args: readonly string[]): DockerCommand | { error: string } {
  const run = { kind: 'run' as const, rm: false, env: {} as Record<string, string>, name: undefined as string | undefined, network: undefined as string | undefined };
  let i = 0;
  for (; i < args.length && args[i]!.startsWith('-'); i++) {
    const arg = args[i]!;
    if (arg === '--rm' || arg === '--rm=true') { run.rm = true; continue; }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : arg.startsWith('-e') && arg.length > 2 ? 2 : -1;
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (!WITH_VALUE.has(flag)) return { error: `unknown or unemulated flag: ${arg}` };
    const value = eq === -1 ? args[++i] : arg.slice(eq + (arg[eq] === '=' ? 1 : 0));
    if (value === undefined) return { error: `flag needs an argument: ${flag}` };
    if (flag === '--name') run.name = value;
    else if (flag === '--net' || flag === '--network') run.network = value;
    else if (value.includes('=')) run.env[value.slice(0, value.indexOf('='))] = value.slice(value.indexOf('=') + 1);
    // `-e NAME` passes the caller's NAME, and systemd gives the docker client no such variable
  }
  const image = args[i];
  if (image === undefined) return { error: '"docker run" requires at least 1 argument.' };
  if (run.network !== 'host') return { error: `network ${run.network ?? 'default (bridge)'}: the emulator runs containers on the host network only` };
  return { ...run, image, cmd: args.slice(i + 1) };
}
