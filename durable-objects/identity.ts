// Headers the Worker sets on the upgrade request it forwards to a ThreadAgent, after verifying the
// caller's token, their current membership of the org and that the thread is the org's. The DO trusts only
// these, never a raw token. Any member of the thread's org may follow it and post in it.
export const IDENTITY_HEADERS = {
  user: 'x-netra-user-id',
  org: 'x-netra-org-id',
  thread: 'x-netra-thread-id',
  tier: 'x-netra-tier',
} as const;

export interface VerifiedCaller {
  user_id: string;
  org_id: string;
  thread_id: string;
  tier: string;
}

export function callerFromHeaders(headers: Headers): VerifiedCaller | null {
  const user_id = headers.get(IDENTITY_HEADERS.user);
  const org_id = headers.get(IDENTITY_HEADERS.org);
  const thread_id = headers.get(IDENTITY_HEADERS.thread);
  const tier = headers.get(IDENTITY_HEADERS.tier) ?? 'free';
  return user_id && org_id && thread_id ? { user_id, org_id, thread_id, tier } : null;
}

/** A thread is its org's: a caller of another org is refused even with otherwise valid headers. */
export function sameOrg(threadOrgId: string | undefined, caller: VerifiedCaller): boolean {
  return threadOrgId === undefined || threadOrgId === caller.org_id;
}

/** Close code of the sockets of a user whose membership of the org ended (removed, left, moved). */
export const MEMBERSHIP_ENDED = { code: 4403, reason: 'membership ended' } as const;
