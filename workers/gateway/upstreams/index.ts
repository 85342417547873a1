// The adapter of each upstream wire format.
import type { UpstreamApi } from '../config';
import { anthropicAdapter } from './anthropic';
import { geminiAdapter } from './gemini';
import { openAiAdapter } from './openai';
import type { Adapter } from './types';

export const ADAPTERS: Record<UpstreamApi, Adapter> = { openai: openAiAdapter, anthropic: anthropicAdapter, gemini: geminiAdapter };
