import { MeshProvider } from "@meshwork/react";
import { useState } from "react";
import { ChatShell } from "./ChatShell";
import { JoinScreen } from "./JoinScreen";
import { CLIENT_OPTIONS, socketUrl } from "./connection";

/** The demo: a name first, then the chat on the instance that served this page. */
export function App() {
  const [name, setName] = useState<string | undefined>(undefined);
  if (name === undefined) return <JoinScreen onJoin={setName} />;
  return (
    <MeshProvider url={socketUrl(name)} options={CLIENT_OPTIONS}>
      <ChatShell name={name} />
    </MeshProvider>
  );
}
