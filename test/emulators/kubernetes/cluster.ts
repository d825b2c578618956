// The emulated cluster: its stored objects and the controllers that act on them, one pass every
// `tickMs` (the deployment controller first, then the ReplicaSets and their pods). Until a pass
// sees a new generation, `status.observedGeneration` lags behind it, as on a real cluster.
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { syncDeployment } from './deployment-controller.ts';
import { Objects } from './objects.ts';
import type { KubeletDeps, PodRun } from './pod-runner.ts';
import { syncReplicaSet } from './replicaset-controller.ts';

type Json = any;

export interface ClusterOptions {
  readonly docker: Docker;
  readonly emulatorId: string;
  readonly tickMs: number;
  readonly backoffMs: number;
  /** the deployment controller acts on a new generation only this long after it was written */
  readonly observeLagMs: number;
}

export class Cluster {
  readonly objects = new Objects();
  readonly runs = new Map<string, PodRun>();
  private readonly written = new WeakMap<object, number>();
  private readonly kubelet: KubeletDeps;
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly options: ClusterOptions) {
    this.kubelet = { docker: options.docker, objects: this.objects, emulatorId: options.emulatorId, backoffMs: options.backoffMs };
    this.loop = this.run();
  }

  /** Notes that a deployment's spec was just written (for the observation lag). */
  wrote(d: Json): void {
    this.written.set(d, Date.now());
  }

  private async run(): Promise<void> {
    while (this.running) {
      await this.pass().catch((err: unknown) => console.error(`kubernetes emulator: controller pass failed: ${String(err)}`));
      await sleep(this.options.tickMs);
    }
  }

  private async pass(): Promise<void> {
    const now = Date.now();
    for (const d of this.objects.deployments.values()) {
      if (now - (this.written.get(d) ?? 0) >= this.options.observeLagMs) syncDeployment(this.objects, d, now);
    }
    for (const rs of [...this.objects.replicaSets.values()]) {
      if (!this.running) return;
      await syncReplicaSet(this.kubelet, this.runs, rs);
    }
    // pods of deleted ReplicaSets go with them (the garbage collector)
    for (const [key, pod] of this.objects.pods) {
      const owner = pod.metadata.ownerReferences?.[0];
      if (owner && ![...this.objects.replicaSets.values()].some((rs) => rs.metadata.uid === owner.uid)) {
        this.objects.pods.delete(key);
        await this.runs.get(pod.metadata.uid)?.stop();
        this.runs.delete(pod.metadata.uid);
      }
    }
  }

  async close(): Promise<void> {
    this.running = false;
    await this.loop;
    await Promise.all([...this.runs.values()].map((r) => r.stop()));
    this.runs.clear();
  }
}
