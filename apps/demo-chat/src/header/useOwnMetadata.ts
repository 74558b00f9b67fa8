import { useConnectionStatus, useMesh } from "@meshwork/react";
import { useEffect, useState } from "react";
import type { DemoConnectionMetadata } from "../demoShared";

/**
 * This tab's connection metadata as the server set it (`{ name, instance }`), read again after every reconnect:
 * the instance letter comes from the server, not from the page address.
 */
export function useOwnMetadata(): DemoConnectionMetadata | undefined {
  const client = useMesh();
  const online = useConnectionStatus() === "online";
  const [metadata, setMetadata] = useState<DemoConnectionMetadata | undefined>(undefined);
  useEffect(() => {
    if (!online) return;
    let current = true;
    client.getConnectionMetadata<DemoConnectionMetadata>().then(
      (answer) => {
        if (current && answer) setMetadata(answer);
      },
      () => {
        // The connection dropped while asking; the next `online` asks again.
      },
    );
    return () => {
      current = false;
    };
  }, [client, online]);
  return metadata;
}
