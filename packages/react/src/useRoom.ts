import { MeshError, type RoomMember, isMeshError } from "@meshwork/client";
import { useEffect, useState } from "react";
import { useConnectionStatus } from "./useConnectionStatus";
import { useMesh } from "./useMesh";

/** What {@link useRoom} returns. */
export interface UseRoomResult {
  /** Whether the server accepted the join and the component is still mounted in the room. */
  readonly joined: boolean;
  /**
   * The room's members when the server accepted the join, this client included (a snapshot of that moment; use
   * {@link usePresence} to follow joins and leaves live).
   */
  readonly members: readonly RoomMember[];
  /** Why the join failed: refused by the server (`FORBIDDEN`), or the request failed. */
  readonly error: MeshError | undefined;
}

const NOT_JOINED: UseRoomResult = { joined: false, members: [], error: undefined };

/**
 * Joins a room while the component is mounted: on mount (once the client is connecting or online), again when
 * `room` changes, and leaves on unmount. The client sends one room's joins and leaves in order, so StrictMode's
 * mount, unmount and mount ends joined. While the client is offline nothing is sent; a client that connects again
 * joins again.
 */
export function useRoom(room: string): UseRoomResult {
  const client = useMesh();
  const offline = useConnectionStatus() === "offline";
  // Keyed by room, so a render after `room` changed never shows the previous room's answer.
  const [answered, setAnswered] = useState<{ room: string; result: UseRoomResult } | undefined>(undefined);
  useEffect(() => {
    if (offline) return;
    let current = true;
    client.joinRoom(room).then(
      (answer) => {
        if (!current) return;
        if (answer.success) setAnswered({ room, result: { joined: true, members: answer.present, error: undefined } });
        else {
          const message = `The server refused to join room "${room}": ${answer.reason}`;
          const error = new MeshError("FORBIDDEN", message, { details: { roomName: room, reason: answer.reason } });
          setAnswered({ room, result: { joined: false, members: [], error } });
        }
      },
      (thrown: unknown) => {
        if (!current) return;
        const error = isMeshError(thrown) ? thrown : new MeshError("INTERNAL_ERROR", String(thrown), { cause: thrown });
        setAnswered({ room, result: { joined: false, members: [], error } });
      },
    );
    return () => {
      current = false;
      setAnswered(undefined);
      client.leaveRoom(room).catch(() => {
        // Leaving fails only when the connection drops, and a dropped connection is in no room.
      });
    };
  }, [client, room, offline]);
  return answered?.room === room && !offline ? answered.result : NOT_JOINED;
}
