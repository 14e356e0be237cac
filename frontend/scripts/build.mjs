// Copies the third-party browser assets IOC serves itself (no CDN at run time) into dist/.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const dist = join(root, "dist");

const swaggerDir = dirname(require.resolve("swagger-ui-dist/package.json"));
const swaggerOut = join(dist, "vendor", "swagger-ui");
rmSync(swaggerOut, { recursive: true, force: true });
mkdirSync(swaggerOut, { recursive: true });
for (const file of ["swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"]) {
  cpSync(join(swaggerDir, file), join(swaggerOut, file));
}
writeFileSync(join(dist, "BUILT"), new Date().toISOString() + "\n");
console.log(`assets written to ${dist}`);
