import type { IncomingMessage, ServerResponse } from 'node:http';
import { formText, readForm, sendError, sendJson } from './http.js';
import type { Route, RestContext } from './rest.js';

/** What ApiRTC's checkAccess answers for a public conversation: `join()` needs `type: 'public'` and GRANTED. */
const PUBLIC_ACCESS = { access: 'GRANTED', role: 'guest', type: 'public' } as const;

/** The form and its apiKey, if that is one of the cloud's; otherwise a 401 has been sent. */
async function formOfKnownApiKey(req: IncomingMessage, res: ServerResponse, context: RestContext): Promise<{ form: FormData; apiKey: string } | undefined> {
  const form = await readForm(req);
  const apiKey = formText(form, 'apiKey');
  if (apiKey === undefined || !context.apiKeys.has(apiKey)) {
    sendError(res, 401, 'unknown apiKey');
    return undefined;
  }
  return { form, apiKey };
}

/**
 * The REST side of conversations (read from the SDK's cloud API client): `POST /api/v2/conversation` (its
 * getOrCreateConversation, the first step of `join()`), `POST /api/v2/conferences/{name}/checkAccess` (the
 * access check) and `POST /api/v2/groupChatMessages` (the SDK saves each message it sent; not kept here).
 */
export const conversationRoutes: readonly Route[] = [
    {
      method: 'POST',
      pattern: /^\/api\/v2\/conversation$/,
      handle: async (req, res, _url, context) => {
        const known = await formOfKnownApiKey(req, res, context);
        if (!known) return;
        const { form, apiKey } = known;
        const name = formText(form, 'name');
        if (name === undefined || name === '') return sendError(res, 400, 'name is required');
        sendJson(res, 200, { id: context.conversations.bind(apiKey, name), name, type: formText(form, 'type') ?? 'conversation' });
      },
    },
    {
      method: 'POST',
      // {roomname}: the conversation's name, which the SDK does not encode.
      pattern: /^\/api\/v2\/conferences\/([^/]+)\/checkAccess$/,
      handle: async (req, res, _url, context, [roomName = '']) => {
        const known = await formOfKnownApiKey(req, res, context);
        if (!known) return;
        const { form, apiKey } = known;
        const id = context.conversations.idOf(apiKey, roomName);
        const asked = formText(form, 'conv_id');
        if (id === undefined || (asked !== undefined && asked !== id)) return sendError(res, 404, 'unknown conversation');
        sendJson(res, 200, PUBLIC_ACCESS);
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/v2\/groupChatMessages$/,
      handle: async (req, res, _url, context) => {
        if (!(await formOfKnownApiKey(req, res, context))) return;
        sendJson(res, 200, { saved: true });
      },
    },
];
