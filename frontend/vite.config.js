// Multi-page build: every frontend/src/pages/<name>/main.js is an entry, so a new page needs no
// edit here. Flask reads dist/.vite/manifest.json to write each page's script and style tags.
import { readdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = dirname(fileURLToPath(import.meta.url));
const pagesDir = join(root, "src", "pages");

function pageEntries() {
  const entries = {};
  for (const name of readdirSync(pagesDir)) {
    const main = join(pagesDir, name, "main.js");
    if (existsSync(main)) entries[name] = main;
  }
  return entries;
}

export default defineConfig({
  root,
  // Flask serves dist/ under /assets/ (ioc/web/pages.py); hashed files land in dist/app/.
  base: "/assets/",
  publicDir: false,
  build: {
    outDir: "dist",
    assetsDir: "app",
    // Empties dist/ first; scripts/build.mjs runs after and writes the vendor copies back.
    emptyOutDir: true,
    manifest: true,
    target: "es2022",
    chunkSizeWarningLimit: 1500,
    rollupOptions: { input: pageEntries() },
  },
});
