import { OPERATOR_COMMAND_HELP, WHERE_IT_ACTS } from './operator-command-help.ts';
import { READ_COMMAND_HELP } from './read-command-help.ts';

/** `slipway <command> --help`: one command's usage, what it does, and its exit codes. */
export const COMMAND_HELP: Readonly<Record<string, string>> = {
  ...READ_COMMAND_HELP,
  ...OPERATOR_COMMAND_HELP,
  deploy: `Usage: slipway deploy <service> <environment> --build <id> [--no-wait] [--server <url>]

Deploys an already pushed build of the service (from any branch) to the environment, by the
image digest it pushed; nothing is rebuilt. A deploy asked for by a person is its own approval:
it does not wait for \`approval: required\`, and it may go back to an older commit (the "never
older over newer" fence applies to automatic deploys only); its status and Slack message say so.
Prints the rollout until it ends; --no-wait returns once it is queued. API:
POST /api/services/:service/environments/:environment/deploy {"build":"<id>"}.

${WHERE_IT_ACTS}

Example:
  slipway deploy hello staging --build 41

Exit codes: 0 deployed (or queued), 1 not deployable (never pushed, unknown build) or the deploy
failed (or Redis or the server unreachable), 2 a wrong command line or an unknown service or
environment (the known ones are named).
`,
  promote: `Usage: slipway promote <service> <from-environment> <to-environment> [--no-wait] [--server <url>]

Deploys to <to-environment> exactly the image digest running in <from-environment> (its release
record, as \`slipway releases\` shows it); nothing is rebuilt. Like \`slipway deploy\` it does not
wait for approval and is not fenced. Prints the rollout until it ends; --no-wait returns once it
is queued. API: POST /api/services/:service/environments/:to/deploy {"from":"<from-environment>"}.

${WHERE_IT_ACTS}

Example:
  slipway promote hello staging production

Exit codes: 0 deployed (or queued), 1 nothing released in <from-environment> or the deploy
failed (or Redis or the server unreachable), 2 a wrong command line or an unknown service or
environment.
`,
  rollback: `Usage: slipway rollback <service> <environment> [--to <build-id>] [--no-wait] [--server <url>]

Deploys to the environment, by digest, the release before the current one: the newest in its
history (\`slipway releases\`) with another image that no earlier rollback rolled away from, so a
second rollback goes further back. --to puts back that build's pushed image instead. Past the
"never older over newer" fence, without waiting for approval. Prints the rollout until it ends;
--no-wait returns once it is queued. API: POST /api/services/:service/environments/:environment/rollback {"to":"<id>"}.

${WHERE_IT_ACTS}

Example:
  slipway rollback hello production --to 38

Exit codes: 0 rolled back (or queued), 1 nothing to roll back to, the build was never pushed,
the rollout failed (or Redis or the server unreachable), 2 a wrong command line or an unknown service or
environment.
`,
  approve: `Usage: slipway approve <service> <environment> [--no-wait] [--server <url>]

Lets the deploy waiting for approval in the environment go (a deploy entry with
\`approval: required\` holds a push's deploy, status "Waiting for approval"; a newer build
waiting there replaces the older one). Prints the rollout until it ends; --no-wait returns once
it is queued. API: POST /api/services/:service/environments/:environment/approve.

${WHERE_IT_ACTS}

Example:
  slipway approve hello production --server https://slipway.example.com

Exit codes: 0 deployed (or queued), 1 nothing waits for approval there or the deploy failed (or
Redis or the server unreachable), 2 a wrong command line or an unknown service or environment.
`,
};
