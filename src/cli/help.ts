export const HELP = `slipway — git push → tested image → registry → your scheduler

Usage:
  slipway all        run the HTTP server and a worker in one process (what \`npm start\` runs)
  slipway server     run only the HTTP server: webhooks, API, dashboard
  slipway worker     run only a worker: builds and deploys (run as many as you like)
  slipway check      validate the configuration and pipelines, print what would run, and exit
  slipway help       show this help

Configuration comes from environment variables (see README.md):
  GITHUB_WEBHOOK_SECRET   required; the secret set on the GitHub webhook
  SLIPWAY_REGISTRY        required; host[:port][/namespace] images are pushed to
  REDIS_URL               default redis://127.0.0.1:6379
  PORT                    default 3000
  GITHUB_TOKEN, GITHUB_API_URL, SLACK_WEBHOOK_URL, DOCKER_HOST, SLIPWAY_PIPELINES_DIR,
  SLIPWAY_PUBLIC_URL, SLIPWAY_DATA_DIR, SLIPWAY_REGISTRY_USERNAME/PASSWORD, LOG_LEVEL

Routes: POST /webhooks/github, GET /healthz, GET /api/builds, GET /api/builds/:id,
        GET /api/builds/:id/logs, dashboard at /

Exit codes: 0 ok, 1 runtime failure, 2 invalid usage or configuration.
`;
