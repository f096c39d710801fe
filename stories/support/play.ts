/**
 * Shared assertions of the play functions. Generous timeouts (a loaded 2-core machine), never a sleep.
 *
 * A play waits on plain DOM reads, then asserts once with storybook/test's `expect`; it does not put `expect`
 * inside `waitFor`. Every storybook/test call is instrumented: inside a wait, each poll (20 a second) would be
 * recorded, its arguments and its failure serialized and posted to Storybook's manager, on the main thread the
 * demo needs. So a wait is one call, the check after it another, and a wait that times out fails with the
 * matcher's own message.
 */
import { expect, waitFor, within } from 'storybook/test';
import type { SessionStatus } from '../../src/index.js';

/** Long enough for the SDK's first load and registration on a busy machine. */
export const REGISTER_TIMEOUT_MS = 30_000;

/**
 * Waits until `ready()` (plain DOM reads, nothing of storybook/test) is true, or `timeout` ms have passed: the
 * assertion that follows it reports either way.
 */
export async function until(ready: () => boolean, timeout = REGISTER_TIMEOUT_MS): Promise<void> {
  await waitFor(
    () => {
      if (!ready()) throw new Error('not yet');
    },
    { timeout },
  ).catch(() => undefined);
}

const queryTestId = (root: ParentNode, testId: string) => root.querySelector<HTMLElement>(`[data-testid="${testId}"]`);

/** The element with this test id under `root`; a plain error naming it if there is none. */
export function byTestId(root: ParentNode, testId: string): HTMLElement {
  const element = queryTestId(root, testId);
  if (!element) throw new Error(`no element with data-testid="${testId}"`);
  return element;
}

/** The text of the element `testId` as `toHaveTextContent` reads it (whitespace collapsed), undefined if absent. */
export function textOf(root: ParentNode, testId: string): string | undefined {
  const text = queryTestId(root, testId)?.textContent;
  return text == null ? undefined : text.replace(/\s+/g, ' ').trim();
}

/** `toHaveTextContent`'s test: a string is looked for inside the text, a pattern tried on it. */
export function hasText(text: string | undefined, expected: string | RegExp): boolean {
  if (text === undefined) return false;
  return typeof expected === 'string' ? text.includes(expected) : expected.test(text);
}

/** Waits until the element `testId` under `root` shows `text` (a part of its text, or a pattern), then asserts it. */
export async function expectText(root: HTMLElement, testId: string, text: string | RegExp, timeout = REGISTER_TIMEOUT_MS): Promise<void> {
  await until(() => hasText(textOf(root, testId), text), timeout);
  await expect(within(root).getByTestId(testId)).toHaveTextContent(text);
}

/** Waits until the status badge under `root` shows exactly `status`. */
export async function expectStatus(root: HTMLElement, status: SessionStatus, timeout = REGISTER_TIMEOUT_MS): Promise<void> {
  await expectText(root, 'status', new RegExp(`^${status}$`), timeout);
}

/** Waits until the event log under `root` shows a line containing `text`. */
export async function expectLogged(root: HTMLElement, text: string | RegExp, timeout = REGISTER_TIMEOUT_MS): Promise<void> {
  await expectText(root, 'event-log', text, timeout);
}

/** Waits until `times` lines of the event log under `root` match `pattern`, then asserts it. */
export async function expectLoggedTimes(root: HTMLElement, pattern: RegExp, times: number, timeout = REGISTER_TIMEOUT_MS): Promise<void> {
  await until(() => countLogged(root, pattern) === times, timeout);
  await expect(countLogged(root, pattern)).toBe(times);
}

/** Waits until `button` can be clicked, then asserts it. */
export async function expectEnabled(button: HTMLButtonElement, timeout = REGISTER_TIMEOUT_MS): Promise<void> {
  await until(() => !button.disabled, timeout);
  await expect(button).toBeEnabled();
}

/** The session id the panel shows now. */
export function shownSessionId(root: ParentNode): string {
  return byTestId(root, 'session-id').textContent ?? '';
}

/** The texts of the list items of the element `testId`. */
export function listed(root: ParentNode, testId: string): string[] {
  return [...byTestId(root, testId).querySelectorAll('li')].map((item) => item.textContent ?? '');
}

/** How many lines of the event log match `pattern` now. */
export function countLogged(root: ParentNode, pattern: RegExp): number {
  return listed(root, 'event-log').filter((line) => pattern.test(line)).length;
}
