/** The shapes `startLocalServices` takes and returns, and the log sink every module shares. */

/** What `startLocalServices` hands back: addresses to give Slipway, and a way to stop it all. */
export interface LocalServices {
  redisUrl: string; // redis://127.0.0.1:<port>
  dockerHost: string; // unix:///<root>/docker.sock  (DOCKER_HOST form)
  registry: string; // "127.0.0.1:<port>" plain registry, no auth
  authRegistry?: AuthRegistry; // htpasswd-protected registry, only when opts.authRegistry
  stop(): Promise<void>; // stops only what this call started (SIGTERM, wait, then SIGKILL), unmounts leftovers
}

/** Address and credentials of the htpasswd-protected registry. */
export interface AuthRegistry {
  host: string;
  username: string;
  password: string;
}

/** Options of `startLocalServices`. */
export interface StartLocalServicesOptions {
  root: string; // folder for data/sockets/logs; keep it SHORT (unix socket paths ≤ 107 chars)
  redisPort?: number;
  registryPort?: number; // default: pick free ports
  authRegistry?: boolean;
  durableRedis?: boolean; // Redis with an append-only file (everysec), as Slipway should run; tests skip it for speed
  reuse?: boolean; // if a service already answers at the given/env address, use it instead of starting one
  log?: (line: string) => void;
}

/** A sink for one line of the start-up / shut-down log. */
export type Log = (line: string) => void;
