import { isSlipwayError } from '../core/errors.ts';
import { describeRedisTarget } from '../store/redis-connection.ts';
import { loadConfig } from '../config/load-config.ts';
import { loadPipelines } from '../config/load-pipelines.ts';
import { previewSettings, schedulerSettings } from '../schedulers/settings.ts';
import { COMMAND_HELP } from './command-help.ts';
import { applyEnvFile } from './env-file.ts';
import { HELP } from './help.ts';

const ROLES = { all: ['server', 'worker'], server: ['server'], worker: ['worker'] } as const;

/** Commands that take arguments and work on the shared state; loaded only when run. */
const OPERATOR_COMMANDS: Record<string, (args: readonly string[]) => Promise<number>> = {
  rollback: async (args) => (await import('./rollback.ts')).rollbackCommand(args),
  releases: async (args) => (await import('./releases.ts')).releasesCommand(args),
  doctor: async (args) => (await import('./doctor.ts')).doctorCommand(args),
  cancel: async (args) => (await import('./build-commands.ts')).cancelCommand(args),
  rerun: async (args) => (await import('./build-commands.ts')).rerunCommand(args),
  deploy: async (args) => (await import('./deploy.ts')).deployCommand(args),
  promote: async (args) => (await import('./promote.ts')).promoteCommand(args),
  approve: async (args) => (await import('./approve.ts')).approveCommand(args),
  builds: async (args) => (await import('./builds-command.ts')).buildsCommand(args),
  logs: async (args) => (await import('./logs-command.ts')).logsCommand(args),
  environments: async (args) => (await import('./environments-command.ts')).environmentsCommand(args),
};

/** Runs one `slipway` command and returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const envFile = applyEnvFile(argv, process.env);
  if ('problem' in envFile) return usage(envFile.problem);
  const [command = 'help', ...rest] = envFile.argv;
  if (command === 'help' || command === '--help' || command === '-h' || rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(COMMAND_HELP[command] ?? HELP);
    return 0;
  }
  const operator = Object.hasOwn(OPERATOR_COMMANDS, command) ? OPERATOR_COMMANDS[command] : undefined;
  if (rest.length > 0 && !operator) return usage(`unexpected argument "${rest[0]}"`);
  try {
    if (operator) return await operator(rest);
    if (command === 'check') return check(envFile.loaded);
    if (command in ROLES) return await run(ROLES[command as keyof typeof ROLES]);
    return usage(`unknown command "${command}"`);
  } catch (err) {
    if (isSlipwayError(err, 'CONFIG_INVALID') || isSlipwayError(err, 'PIPELINE_INVALID')) {
      process.stderr.write(`slipway: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`slipway: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

function usage(problem: string): number {
  process.stderr.write(`slipway: ${problem}\nRun \`slipway help\` for the commands.\n`);
  return 2;
}

function check(envFile: string | undefined): number {
  const config = loadConfig();
  const pipelines = loadPipelines(config.pipelinesDir, schedulerSettings, previewSettings);
  const from = envFile ? ` (variables from ${envFile})` : '';
  process.stdout.write(`Configuration is valid${from}. Registry ${config.registry.address}, Redis ${describeRedisTarget(config)}.\n`);
  process.stdout.write(`${pipelines.length} pipeline(s) in ${config.pipelinesDir}:\n`);
  for (const p of pipelines) {
    const targets = p.deploy.map((t) => `${t.branch} → ${t.environment} (${t.scheduler})`).join(', ') || 'no deploys';
    process.stdout.write(`  ${p.service}  ${p.repository}  ${targets}\n`);
  }
  return 0;
}

async function run(roles: readonly ('server' | 'worker')[]): Promise<number> {
  const { createLogger } = await import('../../workers/logger.ts');
  const { startSlipway } = await import('../../workers/slipway.ts');
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const running = await startSlipway(config, roles, logger);
  if (running.url) {
    process.stderr.write(
      `\nSlipway is running (${roles.join(' + ')}), ${running.pipelines.length} pipeline(s).\n` +
        `  Webhook:   ${config.publicUrl}/webhooks/github  (listening on ${running.url})\n` +
        `  Dashboard: ${config.publicUrl}/\n\n`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down: finishing running jobs');
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await running.close();
  return 0;
}
