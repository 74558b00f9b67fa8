// Follows a page's connection status across a server restart: every value it showed, and whether the page is
// still the same document (it was not reloaded).
import type { Page } from "playwright-core";

interface StatusWindow {
  __demoStatuses?: string[];
}

/** Starts recording the page's `connection-status` texts; marks the document so a reload would show. */
export async function watchStatus(page: Page): Promise<{ seen(): Promise<string[]>; samePage(): Promise<boolean> }> {
  await page.evaluate(() => {
    const target = window as StatusWindow;
    const statuses: string[] = [];
    target.__demoStatuses = statuses;
    const read = () => document.querySelector('[data-testid="connection-status"]')?.textContent ?? "";
    new MutationObserver(() => {
      const status = read();
      if (status !== statuses[statuses.length - 1]) statuses.push(status);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  return {
    seen: () => page.evaluate(() => (window as StatusWindow).__demoStatuses ?? []),
    samePage: () => page.evaluate(() => Array.isArray((window as StatusWindow).__demoStatuses)),
  };
}
