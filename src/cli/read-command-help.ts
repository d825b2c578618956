const WHERE = `Where it reads: without --server, Redis and the pipelines of this configuration (the same
variables as \`slipway all\`, or --env-file <path>, or .slipway/local.env after \`npm run up\`); no
server needed. With --server <url>, that Slipway's API, sending SLIPWAY_API_TOKEN as the bearer
token when it is set.`;

const OUTPUT = `On a terminal: an aligned table, coloured (unless NO_COLOR is set), cut to its width. Piped:
the same columns aligned with spaces, no colours, no tabs, nothing cut, times as ISO
(2026-12-07 14:19:25Z). --json: the API's JSON.`;

/** `slipway <command> --help` for the commands that read (builds, logs, environments, releases). */
export const READ_COMMAND_HELP: Readonly<Record<string, string>> = {
  builds: `Usage: slipway builds [--service <s>] [--branch <b>] [--state <state>] [--author <login>]
                      [--limit <n>] [--before <build-id>] [--json] [--server <url>]

The newest builds first (20 unless --limit, at most 200): id, service, branch, commit, state and
how long it took, author, when it started, each environment's latest deploy, the commit message.
--state is one of queued, running, passed, failed, error, cancelled, skipped; --author is
case-insensitive. --before <id> lists the builds older than that one (the next page: --json
gives it as "next"). API: GET /api/builds?service=&branch=&state=&author=&before=&limit=.

${OUTPUT}

${WHERE}

Example:
  slipway builds --service hello --state failed --limit 5
  slipway builds --server https://slipway.example.com --json | jq -r '.builds[].id'

Exit codes: 0 listed (also when nothing matches), 1 Redis or the server unreachable (or the
server refused the token), 2 a wrong command line or configuration.
`,
  logs: `Usage: slipway logs <build-id> [-f | --follow] [--server <url>]

Prints the build's log (its deploys' lines included). With -f it keeps printing new lines until
the build and its deploys have ended (a deploy waiting for approval counts as ended), shows what
the build is doing on stderr while it waits (on a terminal), prints the outcome on stderr, and
exits with it. Lines are printed without escape sequences or control characters; a build's own
colours are kept on a colour terminal. On Redis, -f reads the log twice a second; with --server
it follows the build's event stream (GET /api/builds/:id/events), reopened where it stopped if
the connection drops.

${WHERE}

Example:
  slipway logs 42 -f && echo "deployed"

Exit codes: 0 printed (with -f: the build passed or was skipped, and no deploy failed),
1 with -f: the build failed, errored or was cancelled, or a deploy failed or was rolled back;
also Redis or the server unreachable. 2 a wrong command line, or no such build.
`,
  environments: `Usage: slipway environments [--json] [--server <url>]

Every service × environment, from the pipelines and the releases recorded: what runs there
(build, commit, branch, image digest, since when, how it came: push, approval, deploy,
promotion from <env>, rollback) and what waits there for \`slipway approve\`. An environment no
pipeline entry names any more (a removed entry) is listed with "(no pipeline entry)".
API: GET /api/environments.

${OUTPUT}

${WHERE}

Example:
  slipway environments
  slipway environments --json | jq '.environments[] | select(.waiting)'

Exit codes: 0 listed, 1 Redis or the server unreachable (or the token refused), 2 a wrong
command line or configuration.
`,
  releases: `Usage: slipway releases <service> <environment> [--limit <n>] [--json] [--server <url>]

The releases recorded there, newest (the current one) first, up to 20: build, commit, image
digest, when, and how it came (push, approval, deploy, promotion from <env>, rollback).
API: GET /api/services/:service/environments/:environment/releases.

${WHERE}

Example:
  slipway releases hello production --limit 3

Exit codes: 0 listed (also when nothing was released yet), 1 Redis or the server unreachable,
2 a wrong command line, or an unknown service or environment.
`,
};
