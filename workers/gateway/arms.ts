// Deterministic assignment: a request's place in [0, 1) from a hash of (policy, rule, purpose, request id),
// so the control arm and a rule's route share are random across requests yet reproducible for each.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export function unitHash(text: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  // A final avalanche (murmur3 fmix32) so nearby ids spread evenly.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

export type Arm = 'treated' | 'control';

export function armOf(policyId: string, ruleId: string, requestId: string, controlShare: number): Arm {
  return unitHash(`${policyId}\u0000${ruleId}\u0000control\u0000${requestId}`) < controlShare ? 'control' : 'treated';
}

export function routed(policyId: string, ruleId: string, requestId: string, share: number): boolean {
  return share >= 1 || unitHash(`${policyId}\u0000${ruleId}\u0000route\u0000${requestId}`) < share;
}
