const RUN = (role: string, what: string) => `Usage: slipway ${role} [--env-file <path>]

${what} Configuration comes from the environment (\`slipway help\` lists the variables), or from
--env-file <path>, or from .slipway/local.env after \`npm run up\`. Stops on SIGTERM or SIGINT
once the jobs it runs have finished.

Example:
  slipway ${role} --env-file /etc/slipway.env

Exit codes: 0 stopped by a signal, 1 failed to start or run (the reason on stderr), 2 invalid
configuration or pipeline (every problem named: variable, or file and key).
`;

/** Where an acting command (deploy, promote, approve, rollback, cancel, rerun) acts and reads, for its --help. */
export const WHERE_IT_ACTS = `Where it acts: without --server, on Redis and the pipelines of this configuration (the same
variables as \`slipway all\`, or --env-file <path>, or .slipway/local.env after \`npm run up\`); no
server needed, and the rollout is read from Redis. With --server <url>, through that Slipway's
API route named below, sending SLIPWAY_API_TOKEN as the bearer token; the rollout is then read
from its API too (GET /api/builds/:id and its /logs). A refusal (409) prints the server's reason.`;

/** `slipway <command> --help` for the commands that run Slipway, check it, or stop and rerun builds. */
export const OPERATOR_COMMAND_HELP: Readonly<Record<string, string>> = {
  all: RUN('all', 'Runs the HTTP server (webhooks, API, dashboard) and a worker (builds, deploys) in one process.'),
  server: RUN('server', 'Runs only the HTTP server: webhooks, API, dashboard. It never builds or deploys.'),
  worker: RUN('worker', 'Runs only a worker: builds and deploys. Run as many as you like, on as many hosts.'),
  check: `Usage: slipway check [--env-file <path>]

Validates the configuration and every pipeline file, prints the registry, Redis and each
pipeline's deploys, and exits; connects to nothing. After \`npm run up\`, run in the checkout it
reads .slipway/local.env by itself and says so.

Example:
  npx slipway check

Exit codes: 0 valid, 2 invalid (every problem named: variable, or file and key).
`,
  doctor: `Usage: slipway doctor [--env-file <path>]

Checks every part this configuration uses and prints one line each, OK or what to fix: Redis
(AOF, noeviction), the Docker engine (and each docker.host), the registry (a push and a pull),
GitHub and Slack credentials and their permissions, each scheduler a pipeline deploys with.

Example:
  slipway doctor --env-file /etc/slipway.env

Exit codes: 0 every check passed, 1 a check failed, 2 invalid configuration or pipeline.
`,
  cancel: `Usage: slipway cancel <build-id> [--server <url>]

Stops a queued or running build: it ends cancelled (status "Cancelled …"), its containers are
removed and it never deploys; waits a few seconds for the worker running it.
API: POST /api/builds/:id/cancel.

${WHERE_IT_ACTS}

Example:
  slipway cancel 42 --server https://slipway.example.com

Exit codes: 0 cancelled (or being stopped by its worker), 1 it already ended (or Redis or the
server unreachable, or the token refused), 2 a wrong command line or no such build.
`,
  rerun: `Usage: slipway rerun <build-id> [--server <url>]

Builds a finished build's commit again, as a new build, and says where to watch it.
API: POST /api/builds/:id/rerun.

${WHERE_IT_ACTS}

Example:
  slipway rerun 42 && slipway logs "$(slipway builds --limit 1 --json | jq -r '.builds[0].id')" -f

Exit codes: 0 queued, 1 the build has not ended or its service is gone (or Redis or the server
unreachable, or the token refused), 2 a wrong command line or no such build.
`,
};
