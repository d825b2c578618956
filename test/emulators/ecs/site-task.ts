// The task definition the ECS tests seed their services with (test-only helper).

/**
 * One essential container `app` running `image` on the host network, whose health check (run by
 * Docker inside the container, like the ECS agent does) GETs /index.html on $PORT — the port the
 * emulator gives each task. Durations are ECS seconds; the emulator's `timeScale` shrinks them.
 */
export function siteTaskDefinition(family: string, image: string): Record<string, any> {
  return {
    family,
    networkMode: 'host',
    requiresCompatibilities: ['EC2'],
    containerDefinitions: [{
      name: 'app',
      image,
      essential: true,
      memory: 64,
      environment: [{ name: 'GREETING', value: 'hello from the task definition' }],
      healthCheck: {
        command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:$PORT/index.html || exit 1'],
        interval: 5, timeout: 5, retries: 1, startPeriod: 10,
      },
    }],
    tags: [{ key: 'team', value: 'web' }],
  };
}
