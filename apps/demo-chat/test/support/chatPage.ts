// One person's page of the demo, read and driven only through the data-testids the app promises.
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { expect } from "vitest";

/** How long a change may take to show on a page (across instances, through Redis). */
export const SHOW_TIMEOUT = 15_000;

export class ChatPage {
  /** Errors the page threw, shown when a check fails. */
  readonly errors: string[] = [];

  private constructor(
    readonly name: string,
    readonly page: Page,
    private readonly context: BrowserContext,
  ) {
    page.on("pageerror", (error) => this.errors.push(error.message));
  }

  /**
   * Opens `url` in a context of its own (no shared storage), joins as `name` and waits until the page is in:
   * connected, and listing `name` among the room's members.
   */
  static async open(browser: Browser, url: string, name: string): Promise<ChatPage> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    const chat = new ChatPage(name, await context.newPage(), context);
    await chat.page.goto(`${url}/?name=${encodeURIComponent(name)}`);
    await chat.byTestId("name-input").fill(name);
    await chat.byTestId("name-submit").click();
    await chat.expectStatus("connected");
    await chat.expectMembers(name);
    return chat;
  }

  byTestId(testId: string): Locator {
    return this.page.getByTestId(testId);
  }

  async text(testId: string): Promise<string> {
    return (await this.byTestId(testId).first().textContent({ timeout: SHOW_TIMEOUT })) ?? "";
  }

  async expectText(testId: string, pattern: RegExp, timeout = SHOW_TIMEOUT): Promise<void> {
    await expect
      .poll(() => this.text(testId), { timeout, message: this.describe(`${testId} matching ${pattern}`) })
      .toMatch(pattern);
  }

  async expectStatus(status: string, timeout = SHOW_TIMEOUT): Promise<void> {
    await expect
      .poll(() => this.text("connection-status"), { timeout, message: this.describe(`status "${status}"`) })
      .toBe(status);
  }

  async send(text: string): Promise<void> {
    await this.byTestId("message-input").fill(text);
    await this.byTestId("message-send").click();
  }

  /** Texts of the messages by `author` in the message list. */
  async messagesBy(author: string): Promise<string[]> {
    return this.byTestId("message-list").locator(`[data-testid="message"][data-author="${author}"]`).allTextContents();
  }

  async expectMessage(author: string, text: string): Promise<void> {
    await expect
      .poll(async () => (await this.messagesBy(author)).some((shown) => shown.includes(text)), {
        timeout: SHOW_TIMEOUT,
        message: this.describe(`a message from ${author}: "${text}"`),
      })
      .toBe(true);
  }

  /** Names in the member list. */
  async members(): Promise<string[]> {
    const items = this.byTestId("member-list").locator('[data-testid="member"]');
    return (await items.evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-name") ?? ""))).sort();
  }

  async expectMembers(...names: string[]): Promise<void> {
    await expect
      .poll(() => this.members(), { timeout: SHOW_TIMEOUT, message: this.describe(`members ${names.join(", ")}`) })
      .toEqual(expect.arrayContaining(names));
  }

  /** The record version the page shows (`record-version` holds e.g. "v3"). */
  async recordVersion(): Promise<number> {
    const match = /(\d+)/.exec(await this.text("record-version"));
    if (!match) throw new Error(`no version in record-version: ${await this.text("record-version")}`);
    return Number(match[1]);
  }

  async saveTopic(topic: string): Promise<void> {
    await this.byTestId("record-topic").fill(topic);
    await this.byTestId("record-topic-save").click();
  }

  async expectRecord(topic: string, version: number): Promise<void> {
    await expect
      .poll(
        async () => ({ topic: await this.byTestId("record-topic").inputValue(), version: await this.recordVersion() }),
        {
          timeout: SHOW_TIMEOUT,
          message: this.describe(`record topic "${topic}" at version ${version}`),
        },
      )
      .toEqual({ topic, version });
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path, fullPage: true });
  }

  async close(): Promise<void> {
    await this.context.close();
  }

  private describe(what: string): string {
    const errors = this.errors.length > 0 ? ` (page errors: ${this.errors.join("; ")})` : "";
    return `${this.name}'s page should show ${what}${errors}`;
  }
}
