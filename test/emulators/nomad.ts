// Local emulator of Nomad's HTTP API (reference: shared/reference/apis.md §7). Allocations run for
// real: images are resolved in the registry their reference names and run as containers in the
// test Docker engine, gated by the job's HTTP service checks. The pieces live in ./nomad/.
export { startNomadEmulator, type AllocationView, type NomadEmulator, type NomadEmulatorOptions, type RecordedRequest } from './nomad/server.ts';
export { EMULATOR_LABEL } from './nomad/alloc-runner.ts';
export { defaultNodes, type EmulatedNode } from './nomad/placement.ts';
