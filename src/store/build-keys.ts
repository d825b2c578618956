/**
 * Where build records live in Redis, under `<prefix>:`: the one statement of the layout, shared by
 * the store, retention and the delivery ledger (whose script writes records too).
 */
export function buildKeys(prefix: string) {
  return {
    seq: `${prefix}:build:seq`,
    deploySeq: `${prefix}:deploy:seq`,
    /** builds and deploys not yet final: `build:<id>` / `deploy:<buildId>:<deployId>`, scored by creation time */
    unsettled: `${prefix}:unsettled`,
    index: `${prefix}:builds`,
    serviceIndex: (service: string) => `${prefix}:service:${service}:builds`,
    build: (id: string) => `${prefix}:build:${id}`,
    deploys: (id: string) => `${prefix}:build:${id}:deploys`,
    log: (id: string) => `${prefix}:build:${id}:log`,
    release: (service: string, env: string) => `${prefix}:release:${service}:${env}`,
    history: (service: string, env: string) => `${prefix}:releases:${service}:${env}`,
  };
}
