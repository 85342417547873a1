-- Token breakdowns providers bill apart (engine/telemetry/record.ts USAGE_DETAIL_FIELDS) and the service tier
-- the call was billed at. Each breakdown is a part of the total column it refines (0 = not reported):
-- cache_write_1h_tokens of cache_write_tokens; input_/cached_ audio and image tokens of input_tokens
-- (cached_* of cached_input_tokens); output_audio/image tokens of output_tokens.
ALTER TABLE llm_calls
    ADD COLUMN IF NOT EXISTS cache_write_1h_tokens UInt32 DEFAULT 0 AFTER reasoning_tokens,
    ADD COLUMN IF NOT EXISTS input_audio_tokens UInt32 DEFAULT 0 AFTER cache_write_1h_tokens,
    ADD COLUMN IF NOT EXISTS cached_audio_tokens UInt32 DEFAULT 0 AFTER input_audio_tokens,
    ADD COLUMN IF NOT EXISTS input_image_tokens UInt32 DEFAULT 0 AFTER cached_audio_tokens,
    ADD COLUMN IF NOT EXISTS cached_image_tokens UInt32 DEFAULT 0 AFTER input_image_tokens,
    ADD COLUMN IF NOT EXISTS output_audio_tokens UInt32 DEFAULT 0 AFTER cached_image_tokens,
    ADD COLUMN IF NOT EXISTS output_image_tokens UInt32 DEFAULT 0 AFTER output_audio_tokens,
    ADD COLUMN IF NOT EXISTS web_searches UInt32 DEFAULT 0 AFTER output_image_tokens,
    ADD COLUMN IF NOT EXISTS service_tier LowCardinality(String) DEFAULT '' AFTER web_searches;
