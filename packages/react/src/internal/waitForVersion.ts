import type { RecordStore } from "@meshwork/client";

/**
 * Resolves once `store` shows `version` or a later one, or once it can no longer get there (its subscription
 * ended, or `within` milliseconds passed), so a caller never waits forever on a record that stopped updating.
 */
export function waitForVersion(store: RecordStore, version: number, within: number): Promise<void> {
  return new Promise((resolve) => {
    const reached = () => {
      const { version: shown, status } = store.getSnapshot();
      return shown >= version || status === "error" || status === "idle";
    };
    if (reached()) return resolve();
    let stop = () => {};
    const done = () => {
      clearTimeout(timer);
      stop();
      resolve();
    };
    const timer = setTimeout(done, within);
    stop = store.subscribe(() => {
      if (reached()) done();
    });
  });
}
