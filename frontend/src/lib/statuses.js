// Report statuses and their named groups come from the server (boot settings, declared once in
// ioc/feedback/states.py); only their map colours live here (base.css repeats them as --st-*
// for legends and badges).
import { vocabulary } from "./boot.js";

export const STATUS_COLORS = {
  pending_review: "#f4a261",
  assigned: "#4ea8de",
  in_progress: "#9b7bff",
  returned: "#ff6b9a",
  resolved: "#3ccf91",
  closed: "#8a9bb0",
  rejected: "#e05d5d",
  duplicate: "#b0a17a",
};

/** Status codes in the order screens list them. */
export const STATUSES = vocabulary.statuses.map((status) => status.code);

/** Deadline tiers in the order forms offer them. */
export const TIERS = vocabulary.tiers;

const groups = new Map(Object.entries(vocabulary.groups).map(([name, codes]) => [name, new Set(codes)]));

/**
 * Whether `status` belongs to the named group: triage (the IOC has it), handling (an agency
 * has it), open, published or dismissed.
 */
export function inGroup(status, group) {
  const members = groups.get(group);
  if (!members) throw new Error(`unknown status group: ${group}`);
  return members.has(status);
}

export function statusColor(status) {
  return STATUS_COLORS[status] || "#cccccc";
}
