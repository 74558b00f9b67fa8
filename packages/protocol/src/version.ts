/**
 * The wire protocol version. Bump it on any change that an older peer could misread.
 * Clients announce it as the WebSocket subprotocol `meshwork.v<version>`; a server that speaks
 * another version closes the socket with {@link CloseCodes.PROTOCOL_MISMATCH}.
 */
export const PROTOCOL_VERSION = 1;

const SUBPROTOCOL_PREFIX = "meshwork.v";

/** The subprotocol string a client offers for a protocol version, e.g. `meshwork.v1`. */
export function subprotocolFor(version: number = PROTOCOL_VERSION): string {
  return `${SUBPROTOCOL_PREFIX}${version}`;
}

/**
 * Reads the protocol versions a client offered in `Sec-WebSocket-Protocol`.
 * Returns the versions in the order offered; entries that are not meshwork subprotocols are ignored.
 */
export function offeredProtocolVersions(offered: Iterable<string>): number[] {
  const versions: number[] = [];
  for (const entry of offered) {
    const name = entry.trim();
    if (!name.startsWith(SUBPROTOCOL_PREFIX)) continue;
    const version = Number(name.slice(SUBPROTOCOL_PREFIX.length));
    if (Number.isInteger(version) && version > 0) versions.push(version);
  }
  return versions;
}
