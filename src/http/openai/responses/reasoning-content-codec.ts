// A reasoning item's `encrypted_content`: the signed or redacted reasoning blocks a provider family
// returned, with that family, so the next turn can send them back to it and to no other (see
// core/reasoning-family.ts). The blocks are the provider's own opaque, signed data; the gateway adds
// no secrecy of its own, only a versioned envelope it can recognise.
import { z } from 'zod';
import type { ReasoningBlock } from '../../../core/types.ts';

const prefix = 'mg1.';

const blockSchema = z.union([
  z.object({ type: z.literal('thinking'), text: z.string(), signature: z.string().optional(), family: z.string().optional() }),
  z.object({ type: z.literal('redacted'), data: z.string(), family: z.string().optional() }),
]);
const envelopeSchema = z.array(blockSchema);

/** Only blocks a provider can verify or decrypt are worth sending back: signed thinking or redacted data. */
export function replayableBlocks(blocks: readonly ReasoningBlock[]): ReasoningBlock[] {
  return blocks.filter((block) => block.type === 'redacted' || block.signature !== undefined || block.family !== undefined);
}

export function encodeReasoningContent(blocks: readonly ReasoningBlock[]): string | null {
  const kept = replayableBlocks(blocks);
  if (kept.length === 0) return null;
  return prefix + Buffer.from(JSON.stringify(kept)).toString('base64url');
}

/** The blocks of content this gateway encoded; anything else (another service's ciphertext) is none. */
export function decodeReasoningContent(content: string): ReasoningBlock[] {
  if (!content.startsWith(prefix)) return [];
  try {
    const parsed = envelopeSchema.safeParse(JSON.parse(Buffer.from(content.slice(prefix.length), 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

