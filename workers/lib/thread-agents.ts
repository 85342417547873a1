// The ThreadAgent Durable Object of a thread, and the index of the threads a user has a WebSocket open on:
// written at every upgrade, read when the user's membership of the org ends (removed, left, moved to another
// org) to close those sockets at once. Redis set per user, kept SOCKET_INDEX_TTL_S after the last upgrade.
import { log } from '../../common/logger';
import type { Services } from './services';

export const SOCKET_INDEX_TTL_S = 30 * 24 * 3600;

const socketIndexKey = (userId: string) => `ws:threads:${userId}`;

export function threadAgent(env: Env, threadId: string) {
  return env.THREAD_AGENT.get(env.THREAD_AGENT.idFromName(threadId));
}

/** Records that `userId` opens a socket on `threadId`; throws when Redis cannot (the upgrade is then refused). */
export async function noteThreadSocket(services: Services, userId: string, threadId: string): Promise<void> {
  const key = socketIndexKey(userId);
  await services.redis().pipeline().sadd(key, threadId).expire(key, SOCKET_INDEX_TTL_S).exec();
}

/** Closes every socket `userId` has open on a thread (their membership ended); REST access ends with their sessions. */
export async function closeThreadSockets(env: Env, services: Services, userId: string): Promise<void> {
  const key = socketIndexKey(userId);
  try {
    const threadIds = await services.redis().smembers(key);
    await Promise.all(threadIds.map((id) => threadAgent(env, id).endAccess(userId)));
    await services.redis().del(key);
  } catch (err) {
    log('error', 'could not close the thread sockets of a user whose membership ended', { user_id: userId, error: err instanceof Error ? err.message : String(err) });
  }
}
