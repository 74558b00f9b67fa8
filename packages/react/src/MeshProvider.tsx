import { MeshClient, type MeshClientOptions, type MeshUrls } from "@meshwork/client";
import { type ReactNode, useEffect, useLayoutEffect, useState } from "react";
import { type AnyMeshClient, MeshContext } from "./meshContext";

/**
 * Connects before the tree's own effects run, so hooks that send on mount (e.g. `useRoom`) find the client
 * connecting rather than offline; on the server, where layout effects do not run, a plain effect avoids React's
 * warning about them.
 */
const useConnectBeforeChildren = typeof document === "undefined" ? useEffect : useLayoutEffect;

/**
 * Props of {@link MeshProvider}: an existing client, or a URL or list of URLs (and options) for one the provider
 * owns; with a list, reconnects move through it as `new MeshClient(urls)` does.
 */
export type MeshProviderProps =
  | { client: AnyMeshClient; url?: never; options?: never; children?: ReactNode }
  | { client?: never; url: MeshUrls; options?: MeshClientOptions; children?: ReactNode };

/**
 * Gives its tree a meshwork client. Pass `client` to share one you manage, or `url` (and `options`) to have
 * the provider create one, connect it on mount and close it on unmount. Safe under StrictMode: the owned
 * client is created once per provider and its connection follows the mount (connected before the
 * children's effects run).
 */
export function MeshProvider(props: MeshProviderProps): ReactNode {
  const { url, options } = props;
  const [owned] = useState<AnyMeshClient | null>(() =>
    props.client ? null : new MeshClient(url as MeshUrls, options),
  );
  useConnectBeforeChildren(() => {
    if (!owned) return;
    owned.connect().catch(() => {
      // The status hooks show the failure; an unhandled rejection would only add noise.
    });
    return () => {
      void owned.close();
    };
  }, [owned]);
  return <MeshContext.Provider value={props.client ?? owned}>{props.children}</MeshContext.Provider>;
}
