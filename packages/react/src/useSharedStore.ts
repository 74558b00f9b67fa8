import type { ExternalStore } from "@meshwork/client";
import { useCallback, useSyncExternalStore } from "react";

/**
 * Observes a client store through `useSyncExternalStore`, releasing it one microtask after the component stops
 * observing. StrictMode unmounts and remounts every effect synchronously; the deferred release lets the remount
 * take over the store before it is let go, so the double mount creates no second server-side subscription.
 * `store` must keep its identity while the component observes the same thing (memoise it on its key).
 */
export function useSharedStore<TSnapshot>(store: ExternalStore<TSnapshot>, serverSnapshot: TSnapshot): TSnapshot {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const stop = store.subscribe(onChange);
      return () => queueMicrotask(stop);
    },
    [store],
  );
  const getServerSnapshot = useCallback(() => serverSnapshot, [serverSnapshot]);
  return useSyncExternalStore(subscribe, store.getSnapshot, getServerSnapshot);
}
