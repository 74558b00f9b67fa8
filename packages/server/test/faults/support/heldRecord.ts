import { type MeshClient, applyPatch } from "@meshwork/client";
import type { RecordMode } from "@meshwork/protocol";

/** A record's value and version as one subscriber holds them, built from its updates alone. */
export interface HeldRecord {
  version: number;
  value: unknown;
}

interface Update {
  version: number;
  full?: unknown;
  patch?: Parameters<typeof applyPatch>[1];
}

/**
 * Subscribes a client to a record in one mode and keeps what it holds under `held[mode]`: a full value replaces it, a
 * patch is applied to it. So a patch applied to a value the store no longer has shows in the end value.
 */
export async function holdRecord(
  client: MeshClient,
  recordId: string,
  mode: RecordMode,
  held: Map<string, HeldRecord>,
): Promise<void> {
  await client.subscribeRecord(
    recordId,
    (update: Update) => {
      const value = update.patch ? applyPatch(held.get(mode)?.value, update.patch) : update.full;
      held.set(mode, { version: update.version, value });
    },
    { mode },
  );
}
