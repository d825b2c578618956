/**
 * Where the queue job that settles a build or deploy stands: still to be run (or running), ended, or
 * unknown to the queue. The queue adapter answers it; the reconciler decides from it what to requeue
 * or settle, without knowing the queue's vocabulary.
 */
export interface JobStanding {
  readonly state: 'pending' | 'completed' | 'failed' | 'missing';
  /** why it failed, as the worker said */
  readonly reason?: string;
}
