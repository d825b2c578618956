// A Deployment manifest for the test sites (test/support/images.ts): busybox httpd answering on
// $PORT, gated by a readiness probe on /index.html every second. What a team would `kubectl apply`.

export interface SiteDeploymentOptions {
  readonly replicas?: number;
  readonly progressDeadlineSeconds?: number;
  /** more containers in the pod, each `{name, image}` */
  readonly sidecars?: readonly { readonly name: string; readonly image: string }[];
  readonly containerPort?: number;
}

export function siteDeployment(name: string, image: string, options: SiteDeploymentOptions = {}): Record<string, any> {
  const port = options.containerPort ?? 8080;
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: options.replicas ?? 1,
      ...(options.progressDeadlineSeconds ? { progressDeadlineSeconds: options.progressDeadlineSeconds } : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'app', image, ports: [{ name: 'http', containerPort: port }], env: [{ name: 'PORT', value: String(port) }],
              readinessProbe: { httpGet: { path: '/index.html', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
            },
            ...(options.sidecars ?? []).map((s) => ({ name: s.name, image: s.image, command: ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'] })),
          ],
        },
      },
    },
  };
}
