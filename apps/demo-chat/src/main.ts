// Stand-in page with the contract's test ids, to develop the runner against; the real React app replaces it.
import { MeshClient } from "@meshwork/client";

const ROOM = "general";
const app = document.getElementById("app")!;
const name = new URLSearchParams(location.search).get("name") ?? "";
app.innerHTML = `<input data-testid="name-input" value="${name}"><button data-testid="name-submit">Join</button>`;

function el<T extends HTMLElement = HTMLElement>(id: string): T {
  return app.querySelector(`[data-testid="${id}"]`) as T;
}

el("name-submit").addEventListener("click", () => start(el<HTMLInputElement>("name-input").value.trim()));

async function start(me: string): Promise<void> {
  app.innerHTML = `
    <header><span data-testid="instance-badge">Instance ?</span> <span data-testid="connection-status">connecting</span>
    <span data-testid="latency">–</span></header>
    <ul data-testid="message-list"></ul>
    <input data-testid="message-input"><button data-testid="message-send">Send</button>
    <ul data-testid="member-list"></ul><div data-testid="typing-indicator"></div>
    <input data-testid="record-topic"><button data-testid="record-topic-save">Save</button>
    <span data-testid="record-version">v0</span>
    <button data-testid="command-button">Roll</button><span data-testid="command-answer"></span>`;
  const client = new MeshClient(`ws://${location.host}/?name=${encodeURIComponent(me)}`, { reconnectInterval: 500 });
  const statusText = (s: string) => (s === "online" ? "connected" : s);
  client.on("status", (s) => (el("connection-status").textContent = statusText(s)));
  client.on("latency", (ms) => (el("latency").textContent = `${ms} ms`));
  await client.connect();
  el("connection-status").textContent = statusText(client.status);
  el("instance-badge").textContent = `Instance ${await client.command("demo/instance", null)}`;

  const addMessage = (m: { author: string; text: string }) => {
    const li = document.createElement("li");
    li.dataset.testid = "message";
    li.dataset.author = m.author;
    li.textContent = `${m.author}: ${m.text}`;
    el("message-list").append(li);
  };
  const { history } = await client.subscribe(`chat:${ROOM}`, (m) => addMessage(m as never), { historyLimit: 50 });
  for (const m of [...history].reverse()) addMessage(m as never);
  const send = () => {
    const input = el<HTMLInputElement>("message-input");
    void client.command("chat/send", { room: ROOM, text: input.value });
    input.value = "";
  };
  el("message-send").addEventListener("click", send);
  el("message-input").addEventListener("keydown", (e) => {
    if (e.key === "Enter") send();
    else void client.publishPresenceState(ROOM, { state: { typing: true }, expireAfter: 3_000 });
  });

  await client.joinRoom(ROOM);
  const presence = client.presenceStore(ROOM);
  const renderPresence = () => {
    const { members, states } = presence.getSnapshot();
    el("member-list").innerHTML = "";
    for (const m of members) {
      const li = document.createElement("li");
      li.dataset.testid = "member";
      li.dataset.name = m.connectionId;
      li.textContent = m.connectionId;
      el("member-list").append(li);
    }
    const typing = Object.entries(states).filter(([who, s]) => who !== me && (s as { typing?: boolean })?.typing);
    el("typing-indicator").textContent = typing.map(([who]) => `${who} is typing…`).join(" ");
  };
  presence.subscribe(renderPresence);
  renderPresence();

  let version = 0;
  const showRecord = (value: unknown, v: number) => {
    version = v;
    el<HTMLInputElement>("record-topic").value = (value as { topic?: string } | null)?.topic ?? "";
    el("record-version").textContent = `v${v}`;
  };
  const sub = await client.subscribeRecord(`room:${ROOM}`, (u) => showRecord(u.full, u.version), { mode: "full" });
  showRecord(sub.record, sub.version);
  el("record-topic-save").addEventListener("click", () => {
    const topic = el<HTMLInputElement>("record-topic").value;
    void client.publishRecordUpdate(`room:${ROOM}`, { topic }, { expectedVersion: version });
  });
  el("command-button").addEventListener("click", async () => {
    el("command-answer").textContent = String(await client.command("demo/roll", null));
  });
}
