import { channelNameSchema } from "@meshwork/protocol";
import type { MeshState } from "@meshwork/redis-state";
import { type AccessGuard, AccessRules } from "../access/accessRules";
import type { ClusterNode } from "../cluster/clusterNode";
import type { CommandRouter } from "../commandRouter";
import type { ConnectionRegistry } from "../connectionRegistry";
import { registerChannelCommands } from "./channelCommands";
import { ChannelSubscriptions } from "./channelSubscriptions";

/** What a channel feature needs from the server it belongs to. */
export interface ChannelsDeps {
  readonly router: CommandRouter;
  readonly state: MeshState;
  readonly node: ClusterNode;
  readonly registry: ConnectionRegistry;
  readonly instanceId: string;
  readonly reportError: (error: unknown) => void;
}

/** Client-subscribable pub/sub channels on one instance: exposure rules, local subscribers, publishing. */
export class Channels {
  private readonly exposure: AccessRules;
  private readonly subscriptions: ChannelSubscriptions;

  constructor(private readonly deps: ChannelsDeps) {
    this.exposure = new AccessRules("channel", deps.reportError);
    this.subscriptions = new ChannelSubscriptions(deps.registry, deps.node, deps.reportError);
    registerChannelCommands(deps.router, deps.state, this.exposure, this.subscriptions);
  }

  expose(channel: string | RegExp, guard?: AccessGuard): void {
    this.exposure.expose(channel, guard);
  }

  /**
   * @throws TypeError (synchronously) for an invalid channel name or history, or a message that is not
   * JSON-serialisable.
   */
  publish(channel: string, message: unknown, history: number): Promise<void> {
    if (!channelNameSchema.safeParse(channel).success) {
      throw new TypeError(`meshwork: invalid channel name ${JSON.stringify(channel)}`);
    }
    if (!Number.isSafeInteger(history) || history < 0) {
      throw new TypeError(`meshwork: history must be a whole number >= 0, got ${String(history)}`);
    }
    const json = JSON.stringify(message);
    if (json === undefined) throw new TypeError("meshwork: a channel message must be JSON-serialisable");
    return this.deps.state.channels.publish(channel, json, history, this.deps.instanceId).then(() => undefined);
  }

  /** Drops a connection's subscriptions (it disconnected). */
  removeConnection(connectionId: string): Promise<void> {
    return this.subscriptions.removeConnection(connectionId);
  }
}
