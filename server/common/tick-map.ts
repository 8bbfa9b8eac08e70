// Imported first by main.ts, so it runs before any other module's code. Node's process.nextTick makes each
// tick an object literal whose first key is computed; V8 starts such a literal from a map it keeps in a
// cache that holds it weakly. On Node 20 (V8 11.3) here, when a garbage collection during start-up found no
// tick alive, the map went, the next tick started a second chain of maps, and from then on nextTick's
// literal went through V8's runtime (Runtime_DefineKeyedOwnPropertyInLiteral under nextTick in the
// profile) for the life of the process: about seven ticks per HTTP request, a quarter more CPU per session
// check in the processes it struck (docs/performance.md, "A start-up lottery"). One tick kept alive for
// good keeps the first chain. Elsewhere it costs one small object.
import { createHook } from 'node:async_hooks';

let kept: object | undefined;
const hook = createHook({
  init(_id, type, _trigger, resource) {
    if (type === 'TickObject') kept ??= resource as object;
  },
});
hook.enable();
process.nextTick(() => undefined);
hook.disable();

/** The tick kept alive (its callback does nothing, it holds nothing else). */
export const keptTick = kept;
