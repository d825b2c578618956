export const HELP = `slipway — git push → tested image → registry → your scheduler

Usage:
  slipway all        run the HTTP server and a worker in one process (what \`npm start\` runs)
  slipway server     run only the HTTP server: webhooks, API, dashboard
  slipway worker     run only a worker: builds and deploys (run as many as you like)
  slipway check      validate the configuration and pipelines, print what would run, and exit
  slipway releases <service> <environment> [--limit <n>] [--json] [--server <url>]
                     the releases recorded there, newest (current) first: build, commit, digest,
                     when, and cause (push, approval, deploy, promotion from <env>, rollback)
  slipway builds [--service <s>] [--branch <b>] [--state <s>] [--author <a>] [--limit <n>] [--json]
                     the newest builds, filtered: state and duration, deploys, commit message
  slipway logs <build-id> [-f]
                     a build's log; -f follows it until the build ends and exits with its outcome
  slipway environments [--json]
                     every service × environment: what runs there, since when, how it came, and
                     what waits there for approval
                     (these four read Redis directly, or a server's API with --server <url> and
                     SLIPWAY_API_TOKEN)
  slipway rollback <service> <environment> [--to <build-id>] [--no-wait]
                     deploy the release before the current one (or that build's pushed image),
                     past the "never older over newer" fence; prints the rollout until it ends
  slipway deploy <service> <environment> --build <id> [--no-wait]
                     deploy an already pushed build (any branch) by its digest, no rebuild, no
                     approval wait, past the fence; prints the rollout until it ends
  slipway promote <service> <from-environment> <to-environment> [--no-wait]
                     deploy exactly the digest running in <from-environment> to <to-environment>
  slipway approve <service> <environment> [--no-wait]
                     let the deploy waiting for approval there go (\`approval: required\`)
  slipway cancel <build-id>
                     stop a queued or running build: it ends cancelled (status "Cancelled …"),
                     its containers are removed and it never deploys
  slipway rerun <build-id>
                     build a finished build's commit again, as a new build
                     (these six act on Redis directly, or through a server's API with --server
                     <url> and SLIPWAY_API_TOKEN; \`slipway <command> --help\` for the details)
  slipway doctor     check every part this configuration uses: Redis (AOF, noeviction), the Docker
                     engine, the registry (a push and a pull), GitHub and Slack credentials, each
                     scheduler a pipeline deploys with; one line each, exit 1 on any failure
  slipway help       show this help

Every command takes --env-file <path>: KEY=value lines loaded before the configuration (variables
already set win). Without it, .slipway/local.env (what \`npm run up\` writes) is loaded the same
way when it exists and the shell has not configured Slipway (neither GITHUB_WEBHOOK_SECRET nor
SLIPWAY_REGISTRY set), so \`npx slipway check\` works after \`npm run up\`.

Configuration comes from environment variables (see README.md):
  GITHUB_WEBHOOK_SECRET   required; the secret set on the GitHub webhook
  SLIPWAY_REGISTRY        required; host[:port][/namespace] images are pushed to
  REDIS_URL               default redis://127.0.0.1:6379
  REDIS_SENTINELS         host:port,host:port: Redis behind Sentinel, with REDIS_SENTINEL_NAME
  PORT                    default 3000
  GITHUB_TOKEN            commit statuses and private clones (or a GitHub App: GITHUB_APP_ID)
  GITHUB_APP_ID           run as a GitHub App, with GITHUB_APP_PRIVATE_KEY (PEM text)
                          or GITHUB_APP_PRIVATE_KEY_FILE
  GITHUB_API_URL          default https://api.github.com (GitHub Enterprise: https://HOST/api/v3)
  SLACK_WEBHOOK_URL       deploy messages
  DOCKER_HOST             engine for builds and the docker scheduler
  DOCKER_TLS_VERIFY       set: TLS to a tcp:// engine with ca.pem, cert.pem, key.pem from DOCKER_CERT_PATH (~/.docker)
  SLIPWAY_REGISTRY_AUTH   ecr | basic | none; basic uses SLIPWAY_REGISTRY_USERNAME and
                          SLIPWAY_REGISTRY_PASSWORD
  SLIPWAY_API_TOKEN       /api/* and /metrics need "Authorization: Bearer <token>"
  SLIPWAY_GITHUB_OAUTH_CLIENT_ID, SLIPWAY_GITHUB_OAUTH_CLIENT_SECRET, SLIPWAY_GITHUB_ORG
                          people sign in with GitHub; members of that organization only
  SLIPWAY_PIPELINES_DIR   default ./pipelines        SLIPWAY_DATA_DIR  default ./.slipway
  SLIPWAY_PUBLIC_URL      base of links in statuses  SLIPWAY_HOST      default 127.0.0.1
  SLIPWAY_DEPLOY_DEADLINE seconds to become healthy (120)
  SLIPWAY_BUILD_TIMEOUT   seconds a build may take (1800)
  SLIPWAY_JOB_LEASE       seconds before a dead worker's job is taken again (60)
  SLIPWAY_RECONCILE_INTERVAL  seconds between sweeps for work left without a job (30)
  SLIPWAY_KEEP_BUILDS, SLIPWAY_LOG_MAX_LINES   retention of build records and log lines
  SLIPWAY_BUILD_CONCURRENCY, SLIPWAY_REDIS_PREFIX, LOG_LEVEL
  Schedulers use their own variables: NOMAD_ADDR, NOMAD_TOKEN, NOMAD_NAMESPACE, NOMAD_REGION;
  AWS_REGION and the AWS credential chain, AWS_ENDPOINT_URL_ECS, AWS_ENDPOINT_URL_ECR;
  FLEETCTL_ENDPOINT; KUBECONFIG.

Routes: POST /webhooks/github (signature only), GET /healthz, GET /metrics (Prometheus),
        GET /api/builds, GET /api/builds/:id, GET /api/builds/:id/logs, GET /api/environments,
        POST /api/builds/:id/cancel, POST /api/builds/:id/rerun,
        POST /api/services/:service/environments/:environment/deploy|approve|rollback,
        GET /api/services/:service/environments/:environment/releases,
        GET /queues (Bull Board, read-only; same guard as /api),
        dashboard at /, /environments, /services/:service/environments/:environment/releases
        (GitHub sign-in at /auth/github/login when configured)

Exit codes: 0 ok, 1 runtime failure (or nothing to roll back to), 2 invalid usage or configuration
(an unknown service or environment included).
`;
