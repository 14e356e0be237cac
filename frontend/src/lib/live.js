// Live events for one Socket.IO namespace, resumed exactly as docs/realtime.md describes:
// load the snapshot, connect with its seq as last_seq, skip any seq already seen, send the
// newest seq on every reconnect, and reload the snapshot when the server says `resync`.
import { io } from "socket.io-client";
import { api } from "./api.js";

export const LIVE_STATUSES = ["connecting", "online", "catching_up", "offline"];

/**
 * Start following `namespace` ("/ops", "/agency", "/public"…).
 * onSnapshot(snapshot) draws the full state ({seq, reports}); onEvent(event) applies one event.
 * Returns { status, lastSeq, onStatus(listener), close() }.
 */
export function connectLive({ namespace, snapshotUrl, onSnapshot, onEvent, token = null }) {
  const statusListeners = new Set();
  let status = "connecting";
  let lastSeq = null;
  let reloading = null; // the snapshot load in flight, while events wait behind it
  let held = [];
  let socket = null;
  let closed = false;

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

  async function loadSnapshot() {
    const snapshot = await api(snapshotUrl);
    onSnapshot(snapshot);
    // Events that came in while the snapshot loaded: keep those it does not include.
    const waiting = held.filter((event) => event.seq > snapshot.seq);
    held = [];
    lastSeq = snapshot.seq;
    for (const event of waiting) apply(event);
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
    socket = io(namespace, {
      transports: ["websocket"],
      // A function, so every reconnection attempt sends the newest seq seen.
      auth: (send) => send(token ? { token, last_seq: lastSeq } : { last_seq: lastSeq }),
    });
    socket.on("connect", () => setStatus(reloading ? "catching_up" : "online"));
    socket.on("disconnect", () => !closed && setStatus("offline"));
    socket.on("connect_error", (error) => {
      setStatus("offline");
      console.warn("live connection refused or failed:", error.data?.message || error.message);
    });
    socket.on("event", (event) => (reloading ? held.push(event) : apply(event)));
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
      socket?.close();
    },
  };
}
