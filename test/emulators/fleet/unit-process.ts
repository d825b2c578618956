// What systemd on an emulated machine does with a fleet unit: ExecStartPre, ExecStart and ExecStop
// lines parsed like systemd parses them and run as docker commands against the REAL test engine
// (host network). Each machine's containers get the machine's name prefix, and a container's PORT
// is a private port that the machine's `primaryIP:PORT` forwards to. Test-only code.
import type Docker from 'dockerode';
import { freePort } from '../../support/free-port.ts';
import { parseExecLine, type ExecLine } from './command-line.ts';
import { parseDockerCommand } from './docker-command.ts';
import { forward, type Forwarder } from './port-forward.ts';
import { pullProblem } from './registry-check.ts';
import type { UnitOption } from './unit-rules.ts';

export interface Machine {
  id: string;
  primaryIP: string;
  metadata: Record<string, string>;
  /** 1-based; names the machine's containers */
  index: number;
}

/** A unit loaded into systemd on one machine, with systemd's view of it. */
export interface UnitRun {
  name: string;
  machine: Machine;
  hash: string;
  options: UnitOption[];
  loadState: string;
  activeState: string;
  subState: string;
  /** told to start (fleet's `launched`) */
  launched: boolean;
  /** why it failed, in systemd's words or the command's */
  reason?: string;
  container?: { id: string; rm: boolean; image: string };
  forwarder?: Forwarder;
  stopping?: boolean;
}

/** The shared engine and the label and name prefix of this emulator's containers. */
export interface Engine {
  docker: Docker;
  namespace: string;
}

export function containerName(engine: Engine, machine: Machine, name: string): string {
  return `${engine.namespace}-m${machine.index}-${name}`;
}

function execLines(run: UnitRun, key: string): (ExecLine | { error: string })[] {
  return run.options.filter((o) => o.section === 'Service' && o.name === key).map((o) => parseExecLine(o.value, run.name));
}

function fail(run: UnitRun, reason: string): void {
  Object.assign(run, { activeState: 'failed', subState: 'failed', reason });
}

/** systemctl start: ExecStartPre lines in order (a `-` line may fail), then ExecStart. */
export async function startUnit(engine: Engine, run: UnitRun): Promise<void> {
  const pre = execLines(run, 'ExecStartPre');
  const start = execLines(run, 'ExecStart');
  const broken = [...pre, ...start].find((l): l is { error: string } => 'error' in l);
  if (broken || start.length !== 1) {
    Object.assign(run, { loadState: 'error', reason: broken?.error ?? 'a service needs exactly one ExecStart=' });
    return;
  }
  Object.assign(run, { activeState: 'activating', subState: 'start-pre', reason: undefined });
  for (const line of pre as ExecLine[]) {
    const problem = await runCommand(engine, run, line.argv);
    if (problem && !line.ignoreFailure) return fail(run, `ExecStartPre ${line.argv.slice(1, 2).join(' ')}: ${problem}`);
  }
  if (run.stopping) return;
  run.subState = 'start';
  const problem = await launch(engine, run, (start[0] as ExecLine).argv).catch((err: Error) => err.message);
  if (problem) fail(run, `ExecStart: ${problem}`);
}

/** One short docker command (rm, pull, stop): undefined on success, else its error. */
async function runCommand(engine: Engine, run: UnitRun, argv: string[]): Promise<string | undefined> {
  const cmd = parseDockerCommand(argv);
  if ('error' in cmd) return cmd.error;
  try {
    if (cmd.kind === 'pull') return await ensureImage(engine, cmd.image);
    if (cmd.kind === 'rm') for (const n of cmd.names) await engine.docker.getContainer(containerName(engine, run.machine, n)).remove({ force: cmd.force });
    if (cmd.kind === 'stop') for (const n of cmd.names) await engine.docker.getContainer(containerName(engine, run.machine, n)).stop({ t: 10 });
    if (cmd.kind === 'run') return 'docker run outside ExecStart is not emulated';
    return undefined;
  } catch (err) {
    const e = err as { statusCode?: number; json?: { message?: string }; message: string };
    if (cmd.kind === 'stop' && e.statusCode === 304) return undefined;
    return `Error response from daemon: ${e.json?.message ?? e.message}`;
  }
}

/** `docker pull`: the registry must have it; the engine gets it if it has not yet. */
async function ensureImage(engine: Engine, image: string): Promise<string | undefined> {
  const problem = await pullProblem(image);
  if (problem) return problem;
  const present = await engine.docker.getImage(image).inspect().then(() => true, () => false);
  if (present) return undefined;
  const stream = await engine.docker.createImage({ fromImage: image });
  const frames = await new Promise<{ error?: string }[]>((resolve, reject) => engine.docker.modem.followProgress(stream, (err, out) => (err ? reject(err) : resolve(out))));
  return frames.find((f) => f.error)?.error;
}

/** The ExecStart `docker run`: a container on the host network, watched until it exits. */
async function launch(engine: Engine, run: UnitRun, argv: string[]): Promise<string | undefined> {
  const cmd = parseDockerCommand(argv);
  if ('error' in cmd) return cmd.error;
  if (cmd.kind !== 'run') return `ExecStart runs docker ${cmd.kind}, which exits at once`;
  const problem = await ensureImage(engine, cmd.image);
  if (problem) return problem;
  const env = { ...cmd.env };
  if (env.PORT !== undefined) {
    const privatePort = await freePort();
    run.forwarder = await forward(run.machine.primaryIP, Number(env.PORT), privatePort).catch((err: Error) => {
      throw new Error(`port ${env.PORT} on ${run.machine.primaryIP}: ${err.message}`);
    });
    env.PORT = String(privatePort);
  }
  const container = await engine.docker.createContainer({
    name: cmd.name ? containerName(engine, run.machine, cmd.name) : undefined,
    Image: cmd.image,
    Cmd: cmd.cmd.length ? cmd.cmd : undefined,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: { 'fleet-emulator': engine.namespace, 'fleet-emulator.machine': run.machine.id, 'fleet-emulator.unit': run.name },
    HostConfig: { NetworkMode: 'host' },
  });
  run.container = { id: container.id, rm: cmd.rm, image: cmd.image };
  await container.start();
  Object.assign(run, { activeState: 'active', subState: 'running' });
  void awaitContainerEnd(engine, run, container.id);
  return undefined;
}

/** The container exiting on its own ends the unit: code 0 → inactive/dead, else failed/failed. */
async function awaitContainerEnd(engine: Engine, run: UnitRun, id: string): Promise<void> {
  const result = await engine.docker.getContainer(id).wait().catch(() => ({ StatusCode: -1 }));
  if (run.stopping || run.container?.id !== id) return;
  const code = (result as { StatusCode: number }).StatusCode;
  if (code === 0) Object.assign(run, { activeState: 'inactive', subState: 'dead' });
  else fail(run, `the container exited with code ${code}`);
  await cleanUp(engine, run);
}

/** systemctl stop: ExecStop lines, then whatever still runs is killed. Leaves the unit inactive/dead. */
export async function stopUnit(engine: Engine, run: UnitRun): Promise<void> {
  run.stopping = true;
  if (run.activeState === 'active' || run.activeState === 'activating') {
    Object.assign(run, { activeState: 'deactivating', subState: 'stop' });
    for (const line of execLines(run, 'ExecStop')) if (!('error' in line)) await runCommand(engine, run, line.argv);
  }
  await cleanUp(engine, run);
  Object.assign(run, { activeState: 'inactive', subState: 'dead', launched: false, stopping: false });
}

async function cleanUp(engine: Engine, run: UnitRun): Promise<void> {
  await run.forwarder?.close();
  run.forwarder = undefined;
  const container = run.container;
  if (!container) return;
  run.container = undefined;
  const handle = engine.docker.getContainer(container.id);
  await handle.stop({ t: 0 }).catch(() => undefined);
  if (container.rm) await handle.remove({ force: true }).catch(() => undefined);
}
