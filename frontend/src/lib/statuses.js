// Report statuses in the order screens list them, with their map colours (base.css repeats
// them as --st-* for legends and badges).
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

export const STATUSES = Object.keys(STATUS_COLORS);

export const OPEN_STATUSES = ["pending_review", "assigned", "in_progress", "returned"];

export function statusColor(status) {
  return STATUS_COLORS[status] || "#cccccc";
}
