// Server rendering of a component that reads a hook inside MeshProvider, from the packed react package: it must
// render the idle snapshot, print it, and exit without opening a socket.
import { MeshProvider, useConnectionStatus, useRecord } from "@meshwork/react";
import { renderToString } from "react-dom/server";

function Profile() {
  const status = useConnectionStatus();
  const { data, version } = useRecord<{ name: string }>("user:1");
  return (
    <p>
      {status}: {data?.name ?? "nobody"} at version {version}
    </p>
  );
}

console.log(
  renderToString(
    <MeshProvider url="ws://127.0.0.1:9">
      <Profile />
    </MeshProvider>,
  ),
);
