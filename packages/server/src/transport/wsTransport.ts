import {
  type IncomingMessage,
  STATUS_CODES,
  type Server as HttpServer,
  type ServerResponse,
  createServer,
} from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { CLOSE_CODES, PROTOCOL_VERSION, subprotocolFor } from "@meshwork/protocol";
import type { ConnectionMetadata } from "@meshwork/redis-state";
import { type WebSocket, WebSocketServer } from "ws";
import { UpgradeAdmission } from "../limits/upgradeAdmission";
import type { ResolvedServerOptions } from "../options";

/** What the transport hands over and reports. */
export interface TransportHandlers {
  /** An upgraded socket whose client speaks our protocol version, with its initial metadata. */
  accept(socket: WebSocket, request: IncomingMessage, metadata: ConnectionMetadata | null): void;
  /** A failure of the listener or of the `authenticateConnection` hook. */
  reportError(error: unknown): void;
  /**
   * Plain HTTP requests to an owned listener, before the default 426 answer; returns whether it answered
   * (the health path does).
   */
  httpRequest?(request: IncomingMessage, response: ServerResponse): boolean;
  /** Connections this instance serves now, for `maxConnections`. */
  connectionCount(): number;
}

const OUR_SUBPROTOCOL = subprotocolFor(PROTOCOL_VERSION);

function ignore(): void {}

function offeredSubprotocols(request: IncomingMessage): string[] {
  const header = request.headers["sec-websocket-protocol"];
  if (header === undefined) return [];
  return header.split(",").map((entry) => entry.trim());
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
function refuseUpgrade(socket: Duplex, status: number): void {
  socket.on("error", ignore);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = STATUS_CODES[status] ?? "Error";
  socket.once("finish", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${body}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * The thin `ws` binding: owns an HTTP listener (`port`), attaches to one (`server`), or takes upgrades handed
 * over (`noServer`), and decides at upgrade time who gets in.
 *
 * Upgrade policy, in order: wrong `path` → HTTP 400; closing → HTTP 503; an `Origin` that `allowedOrigins` refuses
 * → HTTP 403; `maxConnections` reached → HTTP 503 (`limits/upgradeAdmission.ts`); a client not offering
 * `meshwork.v<PROTOCOL_VERSION>` → handshake completed (echoing a subprotocol it offered, as the WebSocket
 * spec requires) and closed at once with 4002 (`PROTOCOL_MISMATCH`) naming the server's version, without
 * running `authenticateConnection`; `authenticateConnection` returning `null` or throwing → HTTP 401.
 */
export class WsTransport {
  private readonly wss: WebSocketServer;
  private readonly admission: UpgradeAdmission;
  private readonly httpServer: HttpServer | HttpsServer | null;
  private readonly ownsHttpServer: boolean;
  private listening: Promise<void> | null = null;
  private accepting = true;
  // Sockets whose authentication is still running: close() refuses them instead of waiting for a slow hook.
  private readonly authenticating = new Set<Duplex>();
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    try {
      this.handleUpgrade(request, socket, head, true);
    } catch (error) {
      this.handlers.reportError(error);
      socket.destroy();
    }
  };

  constructor(
    private readonly options: ResolvedServerOptions,
    private readonly handlers: TransportHandlers,
  ) {
    this.admission = new UpgradeAdmission(options, handlers.reportError);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayload,
      // LocalConnections tracks the connections; a second set inside ws would only cost memory.
      clientTracking: false,
      perMessageDeflate: false,
      // Every frame is decoded with a replacing TextDecoder and then parsed and schema-checked, so invalid
      // UTF-8 can only ever turn into a bad message, never into trusted data: the check would be paid twice.
      skipUTF8Validation: true,
      handleProtocols: (offered) =>
        offered.has(OUR_SUBPROTOCOL) ? OUR_SUBPROTOCOL : (offered.values().next().value ?? false),
    });
    if (options.server) {
      this.httpServer = options.server;
      this.ownsHttpServer = false;
    } else if (options.port !== undefined) {
      this.httpServer = createServer((request, response) => {
        if (this.handlers.httpRequest?.(request, response)) return;
        const body = STATUS_CODES[426] ?? "Upgrade Required";
        response.writeHead(426, { "Content-Type": "text/plain", "Content-Length": Buffer.byteLength(body) });
        response.end(body);
      });
      this.ownsHttpServer = true;
    } else {
      this.httpServer = null;
      this.ownsHttpServer = false;
    }
    this.httpServer?.on("upgrade", this.onUpgrade);
  }

  /** Starts the owned listener; resolves once it listens. Without an owned listener, resolves at once. */
  listen(): Promise<void> {
    const server = this.httpServer;
    if (!this.ownsHttpServer || !server) return Promise.resolve();
    this.listening ??= new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => {
        server.off("listening", onListening);
        reject(error);
      };
      const onListening = (): void => {
        server.off("error", onError);
        // Failures to listen reject `ready()`; later ones (none expected) are reported.
        server.on("error", (error) => this.handlers.reportError(error));
        resolve();
      };
      server.once("error", onError);
      server.once("listening", onListening);
      server.listen(this.options.port, this.options.host);
    });
    return this.listening;
  }

  /** The address the HTTP server (owned or attached) is bound to, or `null` when it is not listening. */
  address(): AddressInfo | string | null {
    return this.httpServer?.address() ?? null;
  }

  /** Whether upgrades are taken now: not closing, and the HTTP server (if any) listening. */
  get takingUpgrades(): boolean {
    return this.accepting && (this.httpServer?.listening ?? true);
  }

  /** Whether {@link stopAccepting} was called (the server is closing). */
  get stopped(): boolean {
    return !this.accepting;
  }

  /** The bound port, or `undefined` when not listening on a port. */
  get port(): number | undefined {
    const address = this.address();
    return typeof address === "object" && address !== null ? address.port : undefined;
  }

  /**
   * Runs the upgrade policy for one request and completes or refuses it.
   * @param fromListener set for requests from the HTTP server's own `upgrade` event
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, fromListener = false): void {
    if (!this.matchesPath(request)) {
      // On a shared server another `upgrade` listener may own this path: leave the request to it.
      const shared = fromListener && !this.ownsHttpServer && (this.httpServer?.listenerCount("upgrade") ?? 0) > 1;
      if (!shared) refuseUpgrade(socket, 400);
      return;
    }
    if (!this.accepting) {
      refuseUpgrade(socket, 503);
      return;
    }
    const refusal = this.admission.refusal(request, this.handlers.connectionCount() + this.authenticating.size);
    if (refusal !== null) {
      refuseUpgrade(socket, refusal);
      return;
    }
    const authenticate = this.options.authenticateConnection;
    if (!offeredSubprotocols(request).includes(OUR_SUBPROTOCOL)) {
      this.upgrade(request, socket, head, false, null);
      return;
    }
    if (!authenticate) {
      this.upgrade(request, socket, head, true, null);
      return;
    }
    // The peer may reset while the hook runs; ws installs its own error handling once the upgrade proceeds.
    socket.on("error", ignore);
    this.authenticating.add(socket);
    let outcome: unknown;
    try {
      outcome = authenticate(request);
    } catch (error) {
      this.denied(socket, error);
      return;
    }
    if (isPromiseLike(outcome)) {
      outcome.then(
        (metadata) => this.authenticated(request, socket, head, metadata),
        (error: unknown) => this.denied(socket, error),
      );
    } else {
      this.authenticated(request, socket, head, outcome);
    }
  }

  /** Refuses every further upgrade, and those still authenticating, with HTTP 503. */
  stopAccepting(): void {
    this.accepting = false;
    for (const socket of this.authenticating) refuseUpgrade(socket, 503);
    this.authenticating.clear();
  }

  /**
   * Stops taking upgrades. An owned listener is closed; an attached server only loses the upgrade listener
   * and otherwise stays as its owner left it. Call after the connections are closed.
   */
  async close(): Promise<void> {
    this.stopAccepting();
    this.httpServer?.off("upgrade", this.onUpgrade);
    this.wss.close();
    const server = this.httpServer;
    if (!this.ownsHttpServer || !server) return;
    await this.listening?.catch(ignore);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private matchesPath(request: IncomingMessage): boolean {
    const path = this.options.path;
    if (path === undefined) return true;
    const url = request.url ?? "/";
    const query = url.indexOf("?");
    return (query === -1 ? url : url.slice(0, query)) === path;
  }

  private authenticated(request: IncomingMessage, socket: Duplex, head: Buffer, metadata: unknown): void {
    // Gone from the set: already refused by close().
    if (!this.authenticating.delete(socket)) return;
    socket.off("error", ignore);
    if (socket.destroyed) return;
    if (metadata === null || metadata === undefined || metadata === false) {
      refuseUpgrade(socket, 401);
      return;
    }
    if (!this.accepting) {
      refuseUpgrade(socket, 503);
      return;
    }
    try {
      this.upgrade(request, socket, head, true, typeof metadata === "object" ? (metadata as ConnectionMetadata) : null);
    } catch (error) {
      this.handlers.reportError(error);
      socket.destroy();
    }
  }

  private denied(socket: Duplex, error: unknown): void {
    if (!this.authenticating.delete(socket)) return;
    this.handlers.reportError(
      new Error("meshwork: authenticateConnection threw; the upgrade was refused with 401", { cause: error }),
    );
    socket.off("error", ignore);
    refuseUpgrade(socket, 401);
  }

  private upgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    speaksOurs: boolean,
    metadata: ConnectionMetadata | null,
  ): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      if (speaksOurs) {
        this.handlers.accept(ws, request, metadata);
        return;
      }
      ws.on("error", ignore);
      ws.close(CLOSE_CODES.PROTOCOL_MISMATCH.code, `protocol version mismatch: server speaks ${OUR_SUBPROTOCOL}`);
      setTimeout(() => ws.terminate(), this.options.closeTimeout).unref();
    });
  }
}
