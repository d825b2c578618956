import { ApiException } from '@kubernetes/client-node';
import { SlipwayError } from '../../core/errors.ts';

/** The API server's `Status` body, as much of it as errors use. */
interface Status {
  readonly message?: string;
  readonly reason?: string;
  readonly details?: { readonly causes?: readonly { readonly field?: string; readonly message?: string }[] };
}

/**
 * A refusal by the API server, with its HTTP code and `Status` reason kept for callers that act on
 * them (409 Conflict: read again and retry). Still a SlipwayError with the catalog's code.
 */
export class KubernetesRefusal extends SlipwayError {
  constructor(readonly status: number, readonly reason: string, message: string, cause: unknown) {
    super(status === 429 || status >= 500 ? 'SCHEDULER_UNREACHABLE' : 'SCHEDULER_REJECTED', message, { cause });
    this.name = 'KubernetesRefusal';
  }
}

/** What failed, for the message: `patch deployment "web" in namespace "prod"`. */
export interface Attempt {
  readonly verb: string;
  readonly what: string;
  readonly namespace: string;
  /** the API server's address and the kubeconfig context, for connection errors */
  readonly server: string;
  readonly context: string;
}

/**
 * Any error of a client-node call as a SlipwayError: no answer is SCHEDULER_UNREACHABLE (retried);
 * an answer is a KubernetesRefusal whose message is the `Status` message plus what to do about it.
 */
export function kubernetesError(err: unknown, a: Attempt): SlipwayError {
  if (err instanceof ApiException) {
    const status = parseStatus(err.body);
    return new KubernetesRefusal(err.code, status.reason ?? String(err.code), refusalMessage(err.code, status, a), err);
  }
  const code = (err as { code?: unknown }).code;
  const why = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
  return new SlipwayError('SCHEDULER_UNREACHABLE', `cannot reach the Kubernetes API at ${a.server} (context ${a.context}) to ${a.verb} ${a.what}: ${why}`, { cause: err });
}

function refusalMessage(code: number, s: Status, a: Attempt): string {
  const said = s.message ?? `HTTP ${code}`;
  switch (code) {
    case 401:
      return `the Kubernetes API at ${a.server} refused the credentials of context ${a.context} (401 Unauthorized): check the token or certificate in KUBECONFIG, or the service account`;
    case 403:
      return `${said} (403 Forbidden): grant the Role in Slipway's README (get and patch deployments, list replicasets, pods and events in namespace ${a.namespace})`;
    case 404:
      return `${said} in namespace ${a.namespace} (404): Slipway updates an existing Deployment; create it first (kubectl apply)`;
    case 422: {
      const causes = (s.details?.causes ?? []).map((c) => `${c.field}: ${c.message}`).join('; ');
      return `Kubernetes refused to ${a.verb} ${a.what} (422 Invalid): ${said}${causes && !said.includes(causes) ? ` (${causes})` : ''}`;
    }
    default:
      return `Kubernetes answered ${code} ${s.reason ?? ''} to ${a.verb} ${a.what}: ${said}`.replace(/ {2}/g, ' ');
  }
}

/** client-node's ApiException keeps the raw response text (undefined on 401). */
function parseStatus(body: unknown): Status {
  if (typeof body === 'object' && body !== null) return body as Status;
  if (typeof body !== 'string') return {};
  try {
    const parsed = JSON.parse(body) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Status) : {};
  } catch {
    return { message: body.trim().slice(0, 300) || undefined };
  }
}
