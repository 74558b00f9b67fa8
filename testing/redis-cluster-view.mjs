// What one Redis Cluster node believes about the cluster (its CLUSTER NODES, CLUSTER INFO and INFO replication),
// and the checks the cluster harness (redis-cluster.mjs) waits on: every running node answers `cluster_state:ok`,
// sees the same master for every slot, and sees every other running node without a failure flag.
import { redisText } from "./redis-command.mjs";

/** Slots in a Redis Cluster. */
export const SLOT_COUNT = 16_384;

/**
 * One line of CLUSTER NODES: `<id> <ip:port@busport[,hostname]> <flags> <master id|-> <ping> <pong> <epoch>
 * <link> <slot ranges…>`. Slots in brackets (being imported or migrated) are skipped: they still belong to the
 * node listed with their range.
 */
function parseNodeLine(line) {
  const [id, address, flags, masterId, , , , , ...slots] = line.trim().split(" ");
  const port = Number(address.split("@")[0].split(":").pop());
  const ranges = slots
    .filter((slot) => !slot.startsWith("["))
    .map((slot) => {
      const [from, to = from] = slot.split("-").map(Number);
      return { from, to };
    });
  return { id, port, flags: flags.split(","), masterId: masterId === "-" ? undefined : masterId, ranges };
}

/** A flag that says the node is not usable in the viewer's eyes (or not yet known to it). */
const UNHEALTHY_FLAGS = ["fail", "fail?", "handshake", "noaddr"];

/** Whether a node of a view has none of the flags that say it is down or not yet part of the cluster. */
export function isHealthy(node) {
  return !node.flags.some((flag) => UNHEALTHY_FLAGS.includes(flag));
}

/** Reads `port`'s view: its CLUSTER NODES parsed, its own entry, its `cluster_state` and replication link. */
export async function readView(port) {
  const [nodesText, infoText, replicationText] = await Promise.all([
    redisText(port, ["CLUSTER", "NODES"]),
    redisText(port, ["CLUSTER", "INFO"]),
    redisText(port, ["INFO", "replication"]),
  ]);
  const nodes = nodesText
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map(parseNodeLine);
  const field = (text, name) => new RegExp(`^${name}:(.*?)\r?$`, "m").exec(text)?.[1];
  return {
    port,
    nodes,
    myself: nodes.find((node) => node.flags.includes("myself")),
    state: field(infoText, "cluster_state"),
    masterLinkStatus: field(replicationText, "master_link_status"),
  };
}

/** The port of the master that owns `slot` in `view`, or undefined when no node of the view lists it. */
export function ownerOfSlot(view, slot) {
  return view.nodes.find((node) => node.ranges.some((range) => range.from <= slot && slot <= range.to))?.port;
}

/** `view`'s slot owners as a comparable text: `from-to:port` per range, in slot order. */
function slotMap(view) {
  return view.nodes
    .flatMap((node) => node.ranges.map((range) => ({ ...range, port: node.port })))
    .sort((a, b) => a.from - b.from)
    .map((range) => `${range.from}-${range.to}:${range.port}`)
    .join(" ");
}

/**
 * What keeps the cluster of these views (one per running node) from being ready, in words; empty when every
 * running node answers `cluster_state:ok`, all of them see the same owner for every slot, every slot belongs to a
 * running master, every running node is known and healthy in every view, and every replica's link to its master
 * is up.
 */
export function readinessProblems(views, runningPorts) {
  const problems = [];
  for (const view of views) {
    if (view.state !== "ok") problems.push(`node ${view.port}: cluster_state:${view.state}`);
    for (const port of runningPorts) {
      const node = view.nodes.find((candidate) => candidate.port === port);
      if (!node) problems.push(`node ${view.port} does not know node ${port}`);
      else if (!isHealthy(node)) problems.push(`node ${view.port} sees node ${port} as ${node.flags.join(",")}`);
    }
    if (view.myself?.flags.includes("slave") && view.masterLinkStatus !== "up") {
      problems.push(`replica ${view.port}: master_link_status:${view.masterLinkStatus}`);
    }
    let covered = 0;
    for (const node of view.nodes) {
      if (node.ranges.length === 0) continue;
      if (!runningPorts.includes(node.port)) problems.push(`node ${view.port} sees slots on stopped node ${node.port}`);
      for (const range of node.ranges) covered += range.to - range.from + 1;
    }
    if (covered !== SLOT_COUNT) problems.push(`node ${view.port} sees ${covered} of ${SLOT_COUNT} slots assigned`);
  }
  const maps = new Set(views.map(slotMap));
  if (maps.size > 1) problems.push(`the nodes disagree on slot owners (${maps.size} different maps)`);
  return problems;
}
