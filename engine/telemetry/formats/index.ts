// The import formats, in detection order: the most specific signatures first, our own format last.
import { azureTrace } from './azure-trace';
import { burstgpt } from './burstgpt';
import { helicone } from './helicone';
import { litellm } from './litellm';
import { mooncake } from './mooncake';
import { native } from './native';
import { openaiUsage } from './openai-usage';
import { otlp } from './otlp';
import type { FormatName, FormatSpec } from './types';

export type { FormatName, FormatSpec, MapItem, MapOptions, Syntax } from './types';

export const FORMATS: readonly FormatSpec[] = [otlp, openaiUsage, litellm, helicone, burstgpt, azureTrace, mooncake, native];

export const FORMAT_NAMES: readonly FormatName[] = FORMATS.map((f) => f.name);

export function formatByName(name: string): FormatSpec | undefined {
  return FORMATS.find((f) => f.name === name);
}
