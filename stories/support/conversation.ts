import type ApiRtcNamespace from '@apirtc/apirtc';
import { useEffect, useState } from 'react';

type Conversation = ApiRtcNamespace.Conversation;

/** The other members of an SDK conversation, sorted, kept current from its contactJoined / contactLeft events. */
export function useConversationMembers(conversation: Conversation | undefined): string[] {
  const [members, setMembers] = useState<string[]>([]);
  useEffect(() => {
    if (!conversation) return;
    const update = () => setMembers(Object.keys(conversation.getContacts()).sort());
    update();
    conversation.on('contactJoined', update).on('contactLeft', update);
    return () => void conversation.removeListener('contactJoined', update).removeListener('contactLeft', update);
  }, [conversation]);
  return members;
}
