// Settings the server wrote into the page (ioc/templates/page.html): the signed-in user, the
// optional online map style, the time zone, and the domain's vocabulary (statuses with their
// Vietnamese names, named groups, tiers) declared once in ioc/feedback/states.py.
const element = document.getElementById("ioc-boot");

export const boot = element ? JSON.parse(element.textContent) : {};

export const user = boot.user || null;

export const vocabulary = {
  // Everything the server sends (roles, agency kinds, attribute datatypes…), with defaults for
  // the lists every page reads.
  ...(boot.vocabulary || {}),
  statuses: boot.vocabulary?.statuses || [],
  groups: boot.vocabulary?.groups || {},
  tiers: boot.vocabulary?.tiers || [],
};
