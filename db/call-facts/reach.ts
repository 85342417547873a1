// How far the profile's rules look for a call's neighbour (engine/profile/derive.ts): what a rebuild of the
// call facts must read around its hours, which hours a changed hour reaches, and which hours of a window
// have every flag as over all the org's calls (their rollups hold the window's figures).
import { CACHE_READ_WINDOW_MS, EXACT_DUP_WINDOW_MS, RETRY_WINDOW_MS, SESSION_GAP_MS } from '../../engine/profile/derive';
import { CACHE_TTLS_S } from '../../engine/profile/types';

/** The longest cache TTL (ms): how far a prefix block's neighbour may be and still count. */
export const MAX_TTL_MS = Math.max(...CACHE_TTLS_S) * 1000;

/** How far the rules other than the duplicates look for a neighbour, either way (ms). */
export const SHORT_REACH_MS = Math.max(MAX_TTL_MS, SESSION_GAP_MS, RETRY_WINDOW_MS, CACHE_READ_WINDOW_MS);
/** How far back the duplicate rules look. */
export const LONG_REACH_MS = EXACT_DUP_WINDOW_MS;
