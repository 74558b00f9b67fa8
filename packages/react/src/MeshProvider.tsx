import { MeshClient, type MeshClientOptions, type MeshUrls } from "@meshwork/client";
import { type ReactNode, useEffect, useLayoutEffect, useRef, useState } from "react";
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
 * client is created once per provider, connected before the children's effects run, and closed one microtask
 * after the provider unmounts, so StrictMode's unmount-and-remount keeps it (and every listener the children
 * registered) instead of closing it, which would end their subscriptions.
 */
export function MeshProvider(props: MeshProviderProps): ReactNode {
  const { url, options } = props;
  const [owned] = useState<AnyMeshClient | null>(() =>
    props.client ? null : new MeshClient(url as MeshUrls, options),
  );
  const life = useRef({ mounted: 0, open: false });
  useConnectBeforeChildren(() => {
    if (!owned) return;
    const state = life.current;
    state.mounted += 1;
    if (!state.open) {
      state.open = true;
      owned.connect().catch(() => {
        // The status hooks show the failure; an unhandled rejection would only add noise.
      });
    }
    return () => {
      state.mounted -= 1;
      queueMicrotask(() => {
        if (state.mounted > 0 || !state.open) return;
        state.open = false;
        void owned.close();
      });
    };
  }, [owned]);
  return <MeshContext.Provider value={props.client ?? owned}>{props.children}</MeshContext.Provider>;
}
