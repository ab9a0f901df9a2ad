import { mentionHandles, mentionTokens } from '@handoff/contracts';

/** The readers a body mentions by `@handle` (the author aside), in the readers' order. */
export function resolveMentions(body: string, readers: readonly { id: string; name: string; email?: string }[], authorId: string): string[] {
  const tokens = new Set(mentionTokens(body));
  if (!tokens.size) return [];
  return readers.filter((r) => r.id !== authorId && mentionHandles(r).some((h) => tokens.has(h))).map((r) => r.id);
}
