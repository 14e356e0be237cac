// Live events for one Socket.IO namespace, resumed exactly as docs/realtime.md describes:
// load the snapshot, connect with its seq as last_seq, skip any seq already seen, send the
// newest seq on every reconnect, and reload the snapshot when the server says `resync`.
// A live event names the room's previous seq (`prev`) and a heartbeat names its newest: a
// screen that finds it missed one holds what came after, and resumes by reconnecting.
import { io } from "socket.io-client";

export const LIVE_STATUSES = ["connecting", "online", "catching_up", "offline"];

/** How long a gap may last (events still in flight) before the screen resumes. */
export const GAP_GRACE_MS = 1000;

/**
 * Start following `namespace` ("/ops", "/agency", "/public"…) on the server at `url` ("" is
 * this page's). fetchSnapshot() resolves to the full state ({seq, …}); onSnapshot(snapshot)
 * draws it; onEvent(event) applies one event, each seq once and in order.
 * Returns { status, lastSeq, onStatus(listener), disconnect(), reconnect(), close() }.
 * Free of the page (no DOM), so the outage tests run this very code under Node.
 */
export function followLive({
  url = "",
  namespace,
  fetchSnapshot,
  onSnapshot,
  onEvent,
  token = null,
}) {
  const statusListeners = new Set();
  let status = "connecting";
  let lastSeq = null;
  let reloading = null; // the snapshot load in flight, while events wait behind it
  let held = [];
  let socket = null;
  let closed = false;
  let early = new Map(); // seq ► event that came before the one it follows
  let gapTimer = null;

  function setStatus(next) {
    if (next === status) return;
    status = next;
    for (const listener of statusListeners) listener(status);
  }

  function apply(event) {
    if (lastSeq !== null && event.seq <= lastSeq) return; // seen before a reconnect
    lastSeq = event.seq;
    onEvent(event);
  }

  // A live event whose predecessor this screen has not seen waits for it; replayed events
  // (no `prev`) come in order and always apply.
  function receive(event) {
    if (lastSeq !== null && event.seq <= lastSeq) return;
    if (lastSeq !== null && event.prev != null && event.prev > lastSeq) {
      early.set(event.seq, event);
      expectGap();
      return;
    }
    apply(event);
    drainEarly();
  }

  function drainEarly() {
    let progressed = true;
    while (progressed && early.size) {
      progressed = false;
      for (const seq of [...early.keys()].sort((a, b) => a - b)) {
        const event = early.get(seq);
        if (seq <= lastSeq) {
          early.delete(seq);
        } else if (event.prev == null || event.prev <= lastSeq) {
          early.delete(seq);
          apply(event);
          progressed = true;
        }
      }
    }
    if (!early.size && gapTimer) {
      clearTimeout(gapTimer);
      gapTimer = null;
    }
  }

  // Something was missed (or is still on its way): resume if it has not come within the grace.
  function expectGap(newest = null) {
    if (gapTimer || closed) return;
    gapTimer = setTimeout(() => {
      gapTimer = null;
      const stillMissing = early.size > 0 || (newest !== null && lastSeq !== null && newest > lastSeq);
      if (stillMissing) resume();
    }, GAP_GRACE_MS);
  }

  function resume() {
    if (closed || !socket) return;
    early = new Map(); // the server replays everything after lastSeq, these included
    socket.disconnect();
    socket.connect();
  }

  async function loadSnapshot() {
    const snapshot = await fetchSnapshot();
    onSnapshot(snapshot);
    // Events that came in while the snapshot loaded: keep those it does not include.
    const waiting = held.filter((event) => event.seq > snapshot.seq);
    held = [];
    lastSeq = snapshot.seq;
    for (const event of waiting) receive(event);
  }

  function reload() {
    if (!reloading) {
      setStatus("catching_up");
      reloading = loadSnapshot()
        .catch((error) => console.warn("snapshot reload failed", error.message))
        .finally(() => {
          reloading = null;
          if (!closed) setStatus(socket && socket.connected ? "online" : "offline");
        });
    }
    return reloading;
  }

  function connect() {
    socket = io(url + namespace, {
      transports: ["websocket"],
      // A function, so every reconnection attempt sends the newest seq seen.
      auth: (send) => send(token ? { token, last_seq: lastSeq } : { last_seq: lastSeq }),
    });
    socket.on("connect", () => setStatus(reloading ? "catching_up" : "online"));
    socket.on("disconnect", () => !closed && setStatus("offline"));
    socket.on("connect_error", (error) => {
      setStatus("offline");
      console.warn("live connection refused or failed:", error.data?.message || error.message);
      // A network failure is retried by the client itself; a refusal is not, unless the
      // server says it was only busy (then retry after a spread-out pause, not all at once).
      if (!socket.active && error.data?.retry && !closed) {
        setTimeout(() => !closed && socket.connect(), 500 + Math.random() * 1500);
      }
    });
    socket.on("event", (event) => (reloading ? held.push(event) : receive(event)));
    socket.on("heartbeat", ({ seq }) => {
      if (!reloading && lastSeq !== null && seq > lastSeq) expectGap(seq);
    });
    socket.on("resync", () => reload());
  }

  reloading = loadSnapshot()
    .catch((error) => console.warn("snapshot failed", error.message))
    .finally(() => {
      reloading = null;
      if (!closed) connect();
    });

  return {
    get status() {
      return status;
    },
    get lastSeq() {
      return lastSeq;
    },
    onStatus(listener) {
      statusListeners.add(listener);
      listener(status);
      return () => statusListeners.delete(listener);
    },
    /** Drop the connection now (tests and page unload); the page may call reconnect(). */
    disconnect() {
      socket?.disconnect();
    },
    reconnect() {
      socket?.connect();
    },
    close() {
      closed = true;
      if (gapTimer) clearTimeout(gapTimer);
      socket?.close();
    },
  };
}
