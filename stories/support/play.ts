/** Shared assertions of the play functions. Generous timeouts (a loaded 2-core machine), never a sleep. */
import { expect, waitFor, type within } from 'storybook/test';
import type { SessionStatus } from '../../src/index.js';

export type Canvas = ReturnType<typeof within>;

/** Long enough for the SDK's first load and registration on a busy machine. */
export const REGISTER_TIMEOUT_MS = 30_000;

/** Waits until the status badge shows exactly `status`. */
export async function expectStatus(canvas: Canvas, status: SessionStatus, timeout = REGISTER_TIMEOUT_MS): Promise<void> {
  await waitFor(() => expect(canvas.getByTestId('status')).toHaveTextContent(new RegExp(`^${status}$`)), { timeout });
}

/** Waits until the event log shows a line containing `text`. */
export async function expectLogged(canvas: Canvas, text: string | RegExp, timeout = REGISTER_TIMEOUT_MS): Promise<void> {
  await waitFor(() => expect(canvas.getByTestId('event-log')).toHaveTextContent(text), { timeout });
}

/** The session id the panel shows now. */
export function shownSessionId(canvas: Canvas): string {
  return canvas.getByTestId('session-id').textContent ?? '';
}

/** How many lines of the event log match `pattern` now. */
export function countLogged(canvas: Canvas, pattern: RegExp): number {
  return [...canvas.getByTestId('event-log').querySelectorAll('li')].filter((line) => pattern.test(line.textContent ?? '')).length;
}
