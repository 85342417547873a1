// Synthetic workloads with planted inefficiencies of known size (the synthetic data agent and the ground
// truth of bench/quality.ts). See README.md for the plants and how their savings are computed.
export { generateWorkload, streamWorkload, type WorkloadStream } from './generate.js';
export { PLANT_IDS, PLANT_TOOL, type GroundTruth, type GroundTruthItem, type PlantId, type Workload, type WorkloadOptions } from './types.js';
