// k-way merge of time-ordered call streams into one stream in the profile's order (timestamp, request id).
import { byTimeThenId } from '../profile/derive.js';
import type { LlmCall } from '../telemetry/record.js';
import { MinHeap } from './heap.js';

export function* mergeByTime(streams: Iterable<LlmCall>[]): Generator<LlmCall> {
  const heap = new MinHeap<{ call: LlmCall; rest: Iterator<LlmCall> }>((a, b) => byTimeThenId(a.call, b.call) < 0);
  for (const s of streams) {
    const rest = s[Symbol.iterator]();
    const first = rest.next();
    if (!first.done) heap.push({ call: first.value, rest });
  }
  for (let top = heap.pop(); top; top = heap.pop()) {
    yield top.call;
    const next = top.rest.next();
    if (!next.done) heap.push({ call: next.value, rest: top.rest });
  }
}
