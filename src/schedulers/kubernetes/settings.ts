import { z } from 'zod';

/** A DNS-1123 label: what Kubernetes allows as a namespace or container name. */
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS-1123 subdomain: what it allows as a Deployment name. */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The `kubernetes:` block of a deploy target. The Deployment must already exist: Slipway patches
 * only its container's image to the pushed digest and lets the Deployment controller roll it out.
 * The connection is kubectl's: KUBECONFIG (or ~/.kube/config) and its current context, or the
 * in-cluster service account.
 */
export const KubernetesSettingsSchema = z.strictObject({
  /** default: the current context's namespace, else `default` */
  namespace: z.string().max(63).regex(LABEL, 'must be a namespace name: lower-case letters, digits and dashes').optional(),
  deployment: z.string().max(253).regex(SUBDOMAIN, 'must be a Deployment name: lower-case letters, digits, dashes and dots'),
  /** the container whose image is set; required when the pod template has several */
  container: z.string().max(63).regex(LABEL, 'must be a container name: lower-case letters, digits and dashes').optional(),
});

/** A validated `kubernetes:` block. */
export type KubernetesSettings = z.output<typeof KubernetesSettingsSchema>;
