// Headers the Worker sets on the upgrade request it forwards to a ThreadAgent, after verifying the
// caller's token and the thread's ownership. The DO trusts only these, never a raw token.
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
