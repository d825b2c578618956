// The ECS emulator's service scheduler: every tick it reads back the Docker state of running
// tasks, moves each service's PRIMARY deployment along (COMPLETED at steady state, FAILED when
// the circuit breaker trips, then rollback), launches the tasks it is short of, and stops the
// containers of tasks that were told to stop.
import { freePort } from '../../support/free-port.ts';
import { addEvent, completeDeployment, failDeployment, failureThreshold, stopTask, tasksOf } from './deployments.ts';
import { isHealthyRunning } from './tasks.ts';
import type { ClusterRecord, ContainerRecord, DeploymentRecord, EcsState, Json, ServiceRecord, TaskRecord } from './state.ts';
import type { TaskRunner } from './task-runner.ts';

export class Controller {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  /** task ids whose containers are being started or stopped right now */
  private readonly working = new Set<string>();
  private readonly inflight = new Set<Promise<unknown>>();
  /** scheduler runs completed so far, for tests that must see it look again */
  ticks = 0;

  constructor(
    private readonly state: EcsState,
    private readonly runner: TaskRunner,
    private readonly options: { readonly tickMs: number; readonly labels: Record<string, string> },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.tickMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    while (this.busy || this.inflight.size > 0) await Promise.all([...this.inflight, new Promise((r) => setTimeout(r, 10))]);
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const cluster of this.state.clusters.values()) {
        for (const service of cluster.services.values()) await this.reconcile(cluster, service);
        this.reap(cluster);
      }
      this.ticks++;
    } finally {
      this.busy = false;
    }
  }

  private async reconcile(cluster: ClusterRecord, service: ServiceRecord): Promise<void> {
    await this.observe(cluster, service);
    const primary = service.deployments[0];
    if (service.status !== 'ACTIVE' || !primary) return;
    if (primary.rolloutState === 'IN_PROGRESS') {
      if (tasksOf(cluster, primary).filter(isHealthyRunning).length >= primary.desiredCount) completeDeployment(cluster, service, primary);
      else if (primary.circuitBreaker.enable && primary.failedTasks >= failureThreshold(primary.desiredCount)) {
        failDeployment(cluster, service, primary, this.state.newDeploymentId());
      }
    }
    const current = service.deployments[0]!;
    if (current.rolloutState !== 'FAILED') this.launchMissing(cluster, service, current);
  }

  /** Reads exit and health of every running task's containers; failures stop the task. */
  private async observe(cluster: ClusterRecord, service: ServiceRecord): Promise<void> {
    const running = [...cluster.tasks.values()].filter((t) => t.service === service.name && t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING' && !this.working.has(t.id));
    await Promise.all(running.map(async (task) => {
      const wasHealthy = isHealthyRunning(task);
      for (const c of task.containers) await this.observeContainer(c);
      const exited = task.containers.find((c) => c.essential && c.lastStatus === 'STOPPED');
      if (exited) return this.taskFailed(service, task, 'EssentialContainerExited', 'Essential container in task exited');
      if (task.containers.some((c) => c.essential && c.healthStatus === 'UNHEALTHY')) {
        addEvent(service, `(service ${service.name}) (task ${task.id}) failed container health checks.`);
        return this.taskFailed(service, task, 'ServiceSchedulerInitiated', 'Task failed container health checks');
      }
      const deployment = service.deployments.find((d) => d.id === task.deploymentId);
      if (!wasHealthy && isHealthyRunning(task) && deployment) deployment.failedTasks = 0; // resetOnHealthyTask
    }));
  }

  private async observeContainer(c: ContainerRecord): Promise<void> {
    if (!c.dockerId || c.lastStatus !== 'RUNNING') return;
    const now = await this.runner.state(c.dockerId).catch(() => ({ running: false, exitCode: 137, health: undefined }));
    if (!now.running) {
      c.lastStatus = 'STOPPED';
      c.exitCode = now.exitCode;
    }
    if (c.hasHealthCheck) c.healthStatus = now.health === 'healthy' ? 'HEALTHY' : now.health === 'unhealthy' ? 'UNHEALTHY' : 'UNKNOWN';
  }

  /** A task of an IN_PROGRESS deployment that fails counts toward the circuit breaker. */
  private taskFailed(service: ServiceRecord, task: TaskRecord, stopCode: string, reason: string): void {
    if (!stopTask(task, stopCode, reason)) return;
    const deployment = service.deployments.find((d) => d.id === task.deploymentId);
    if (deployment?.rolloutState === 'IN_PROGRESS') {
      deployment.failedTasks += 1;
      deployment.updatedAt = Date.now();
    }
    if (!task.containers.some((c) => c.dockerId)) this.markStopped(task);
  }

  private launchMissing(cluster: ClusterRecord, service: ServiceRecord, deployment: DeploymentRecord): void {
    const definition = this.state.findTaskDefinition(deployment.taskDefinition);
    if (!definition) return;
    for (let n = tasksOf(cluster, deployment).length; n < deployment.desiredCount; n++) {
      const task = newTask(this.state, cluster, service, deployment, definition.body);
      cluster.tasks.set(task.id, task);
      addEvent(service, `(service ${service.name}) has started 1 tasks: (task ${task.id}).`);
      this.track(task, this.launch(cluster, service, task, definition.family, definition.revision));
    }
  }

  private async launch(cluster: ClusterRecord, service: ServiceRecord, task: TaskRecord, family: string, revision: number): Promise<void> {
    task.lastStatus = 'PENDING';
    for (const c of task.containers) {
      const reason = await this.runner.resolve(c.image);
      if (reason) {
        c.reason = reason;
        return this.taskFailed(service, task, 'TaskFailedToStart', reason);
      }
    }
    task.port = await freePort();
    const definitions = this.state.findTaskDefinition(task.taskDefinitionArn)!.body.containerDefinitions as Json[];
    for (const c of task.containers) {
      const definition = definitions.find((d) => d.name === c.name)!;
      const labels = { ...this.options.labels, 'ecs.task-arn': task.arn, 'ecs.container-name': c.name };
      try {
        c.dockerId = await this.runner.start({ name: `ecs-${family}-${revision}-${c.name}-${task.id.slice(0, 12)}`, definition, port: task.port, labels });
        c.lastStatus = 'RUNNING';
      } catch (err) {
        c.reason = `CannotStartContainerError: ${(err as { json?: { message?: string } }).json?.message ?? String(err)}`;
        return this.taskFailed(service, task, 'TaskFailedToStart', c.reason);
      }
    }
    task.lastStatus = 'RUNNING';
    task.startedAt = Date.now();
  }

  /** Stops the containers of tasks told to stop, then marks them STOPPED. */
  private reap(cluster: ClusterRecord): void {
    for (const task of cluster.tasks.values()) {
      if (task.desiredStatus !== 'STOPPED' || task.lastStatus === 'STOPPED' || this.working.has(task.id)) continue;
      this.track(task, (async () => {
        for (const c of task.containers) {
          if (c.dockerId) c.exitCode ??= await this.runner.stop(c.dockerId);
        }
        this.markStopped(task);
      })());
    }
  }

  private markStopped(task: TaskRecord): void {
    task.lastStatus = 'STOPPED';
    task.stoppedAt = Date.now();
    for (const c of task.containers) c.lastStatus = 'STOPPED';
  }

  private track(task: TaskRecord, work: Promise<void>): void {
    this.working.add(task.id);
    const done = work.catch(() => undefined).finally(() => {
      this.working.delete(task.id);
      this.inflight.delete(done);
    });
    this.inflight.add(done);
  }
}

function newTask(state: EcsState, cluster: ClusterRecord, service: ServiceRecord, deployment: DeploymentRecord, body: Json): TaskRecord {
  const id = state.newTaskId();
  const containers: ContainerRecord[] = (body.containerDefinitions as Json[]).map((c) => ({
    name: c.name, image: c.image, essential: c.essential !== false, hasHealthCheck: Boolean(c.healthCheck) && c.healthCheck.command?.[0] !== 'NONE',
    lastStatus: 'PENDING', healthStatus: 'UNKNOWN',
  }));
  return {
    arn: state.arn(`task/${cluster.name}/${id}`), id, cluster: cluster.name, service: service.name, deploymentId: deployment.id,
    taskDefinitionArn: deployment.taskDefinition, port: 0, lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING', containers, createdAt: Date.now(),
  };
}
