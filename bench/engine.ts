// Engine throughput: buildProfile (engine/profile/reference.ts) + analyzeWorkload (all tools) in process on
// synthetic workloads of 100k and 1M calls. Generation is done first and excluded from the timings.
//
// Run: npm run bench -- engine      Last line: {"bench":"engine","ms_100k":…,"ms_1m":…,"calls_per_s":…}
import { analyzeWorkload } from '../engine/analyze.js';
import { buildProfile } from '../engine/profile/reference.js';
import { generateWorkload } from '../engine/synthetic/index.js';

const DAYS = 30;
const START = Date.UTC(2025, 0, 6);

/** Milliseconds to profile and analyze `calls` synthetic calls, and what the analysis found. */
function timeAnalysis(calls: number): { ms: number; generated: number; findings: number } {
  const genStart = performance.now();
  const workload = generateWorkload({ seed: 42, calls, days: DAYS, start: START });
  const genMs = performance.now() - genStart;
  const t0 = performance.now();
  const profile = buildProfile(workload.calls, { from: workload.manifest.window.from, to: workload.manifest.window.to });
  const t1 = performance.now();
  const { findings } = analyzeWorkload(profile);
  const t2 = performance.now();
  const heapMb = Math.round(process.memoryUsage().heapUsed / 1e6);
  console.log(
    `${workload.calls.length} calls: generate ${Math.round(genMs)} ms (excluded), profile ${Math.round(t1 - t0)} ms, tools ${Math.round(t2 - t1)} ms, ${findings.length} findings, heap ${heapMb} MB`,
  );
  return { ms: t2 - t0, generated: workload.calls.length, findings: findings.length };
}

export default function run(): void {
  const small = timeAnalysis(100_000);
  const large = timeAnalysis(1_000_000);
  console.log(
    JSON.stringify({
      bench: 'engine',
      ms_100k: Math.round(small.ms),
      ms_1m: Math.round(large.ms),
      calls_per_s: Math.round(large.generated / (large.ms / 1000)),
      calls_100k: small.generated,
      calls_1m: large.generated,
    }),
  );
}
