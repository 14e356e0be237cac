// Live events for one Socket.IO namespace of this page's server (see livefeed.js for how
// order, gaps and resuming are handled, and docs/realtime.md).
import { api } from "./api.js";
import { followLive } from "./livefeed.js";

export { GAP_GRACE_MS, LIVE_STATUSES } from "./livefeed.js";

/**
 * Start following `namespace` ("/ops", "/agency", "/public"…), drawing the state from
 * `snapshotUrl`. onSnapshot(snapshot) draws the full state ({seq, reports}); onEvent(event)
 * applies one event. Returns { status, lastSeq, onStatus(listener), close() }.
 */
export function connectLive({ namespace, snapshotUrl, onSnapshot, onEvent, token = null }) {
  return followLive({ namespace, fetchSnapshot: () => api(snapshotUrl), onSnapshot, onEvent, token });
}
