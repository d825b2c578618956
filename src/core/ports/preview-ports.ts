import type { PortRange } from '../preview.ts';

/**
 * Host ports held by previews (the docker scheduler's `ports` range). A holder (`<service>:<environment>`)
 * keeps its port from its first `take` until `free`, so every redeploy of a preview answers where
 * the one before did; no port is held by two holders, whichever service's range names it. Both
 * calls are atomic and may be repeated: taking again returns the same port, freeing again does nothing.
 */
export interface PreviewPorts {
  /**
   * The port `holder` holds when it lies in `range`; else (one outside it is given back) the
   * lowest port of `range` nobody holds, now held by `holder`. Undefined when others hold them all.
   */
  take(holder: string, range: PortRange): Promise<number | undefined>;
  /** gives back the port `holder` holds, if any */
  free(holder: string): Promise<void>;
  /** the port `holder` holds, if any */
  held(holder: string): Promise<number | undefined>;
}
