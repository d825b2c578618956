// Local emulator of a Kubernetes API server's Deployments, ReplicaSets, Pods and Events (reference:
// shared/reference/apis.md §11). Pods run for real: images are resolved in the registry their
// reference names and run as containers in the test Docker engine. The pieces live in ./kubernetes/.
export { kubeconfig, startKubernetesEmulator, type KubernetesEmulator, type KubernetesEmulatorOptions, type PolicyRule, type RecordedRequest } from './kubernetes/server.ts';
export { EMULATOR_LABEL } from './kubernetes/pod-runner.ts';
