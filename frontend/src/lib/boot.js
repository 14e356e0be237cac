// Settings the server wrote into the page (ioc/templates/page.html): the signed-in user, the
// optional online map style, the time zone.
const element = document.getElementById("ioc-boot");

export const boot = element ? JSON.parse(element.textContent) : {};

export const user = boot.user || null;
