/**
 * When each preview's pull request last closed. A deploy to a preview of a build made before its
 * pull request closed is skipped (its build may finish after the preview was removed); a build of
 * the pull request reopened deploys again.
 */
export interface PreviewClosings {
  /** records that the pull request of (service, environment) closed at `at` (epoch ms); a later close keeps the later time */
  close(service: string, environment: string, at: number): Promise<void>;
  /** when it last closed, if it did */
  closedAt(service: string, environment: string): Promise<number | undefined>;
}
