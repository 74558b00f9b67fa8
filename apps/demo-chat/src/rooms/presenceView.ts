import type { PresenceMemberInfo } from "@meshwork/client";

/**
 * The display name of a presence member. The server groups members by name, so the member id is the name; the
 * metadata says the same where it is readable.
 */
export function memberName(member: PresenceMemberInfo): string {
  const name = member.metadata?.name;
  return typeof name === "string" ? name : member.connectionId;
}

/** The instance letter a member joined through, when its metadata says so. */
export function memberInstance(member: PresenceMemberInfo): string | undefined {
  const instance = member.metadata?.instance;
  return typeof instance === "string" ? instance : undefined;
}

/** Whether a member's presence state says it is typing. */
export function isTyping(state: unknown): boolean {
  return typeof state === "object" && state !== null && (state as { typing?: unknown }).typing === true;
}

/** The names of the other members typing right now, in member order. */
export function othersTyping(
  members: readonly PresenceMemberInfo[],
  states: Record<string, unknown>,
  self: string,
): string[] {
  return members
    .filter((member) => isTyping(states[member.connectionId]))
    .map(memberName)
    .filter((name) => name !== self);
}
