/** What the demos' pages share to talk to the demo server and to show a failure (no virtual module: frames use it too). */

/** POSTs `body` as JSON and reads a JSON answer; a non-2xx answer is an error naming the route and its message. */
export async function postJson<T>(url: string, body: object = {}, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  const answer = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${answer.error ?? ''}`);
  return answer;
}

/** A failure's message: the SDK rejects some calls with `{ error: Error }` rather than an Error. */
export function errorMessage(error: unknown): string {
  const inner = (error as { error?: unknown } | null)?.error;
  if (inner instanceof Error) return inner.message;
  return error instanceof Error ? error.message : String(error);
}
