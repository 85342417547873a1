// Refits engine/synthetic/fitted-params.json from the two real traces in ../shared/data (relative to the repo root).
// Rerun after a trace changes:  npx tsx bench/lib/fit-traces.ts   (from the repo root)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { fitTrace, type FittedParams, type TraceRow } from '../../engine/synthetic/fit.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = resolve(repoRoot, '../shared/data');
const outFile = resolve(repoRoot, 'engine/synthetic/fitted-params.json');

/** "2023-11-16 18:17:03.9799600" (UTC) → epoch ms with the sub-millisecond part kept. */
function azureTimestampMs(text: string): number {
  const [whole, fraction = '0'] = text.trim().split('.');
  const seconds = Date.parse(`${(whole ?? '').replace(' ', 'T')}Z`);
  if (Number.isNaN(seconds)) throw new Error(`bad Azure timestamp: ${text}`);
  return seconds + Number(`0.${fraction}`) * 1000;
}

export function readAzureCsv(path: string): TraceRow[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  if (header?.trim() !== 'TIMESTAMP,ContextTokens,GeneratedTokens') throw new Error(`unexpected Azure header: ${header}`);
  return lines.map((line) => {
    const [ts = '', input = '', output = ''] = line.split(',');
    return { timestamp_ms: azureTimestampMs(ts), input_tokens: Number(input), output_tokens: Number(output) };
  });
}

export function readMooncakeJsonl(path: string): TraceRow[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const r = JSON.parse(line) as { timestamp: number; input_length: number; output_length: number; hash_ids: number[] };
      return { timestamp_ms: r.timestamp, input_tokens: r.input_length, output_tokens: r.output_length, hash_ids: r.hash_ids };
    });
}

export const TRACE_FILES = {
  azure_code: resolve(dataDir, 'azure_llm_inference_2023_code.csv'),
  mooncake: resolve(dataDir, 'mooncake_synthetic_trace.jsonl'),
};

function main(): void {
  const params: FittedParams = {
    generated_by: 'bench/lib/fit-traces.ts from ../shared/data (azure_llm_inference_2023_code.csv, mooncake_synthetic_trace.jsonl)',
    traces: {
      azure_code: fitTrace(readAzureCsv(TRACE_FILES.azure_code)),
      mooncake: fitTrace(readMooncakeJsonl(TRACE_FILES.mooncake)),
    },
  };
  // Number arrays on one line each: the file stays small enough to review in a diff.
  const json = JSON.stringify(params, null, 1).replace(/\[[\d.,\s-]+\]/g, (list) => list.replace(/\s+/g, ''));
  writeFileSync(outFile, `${json}\n`);
  const { azure_code: a, mooncake: m } = params.traces;
  console.log(`azure_code: ${a.rows} rows, median in/out ${a.input.median}/${a.output.median}, gap cv ${a.arrivals.gap_cv}`);
  console.log(`mooncake:   ${m.rows} rows, median in/out ${m.input.median}/${m.output.median}, gap cv ${m.arrivals.gap_cv}, prefix reuse ${m.prefix?.reuse_share}`);
  console.log(`wrote ${outFile}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
