// Copy DKFDS's compiled build into the gateway's static files (src/gateway/static/dkfds/):
// the stylesheet, the script, and exactly the fonts and icons the stylesheet refers to, so
// the portal serves everything itself and fetches nothing at run time. Run by `npm run build`
// after `npm ci` (make portal-assets, and the Dockerfile's asset stage).
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "node_modules", "dkfds", "dist");
const target = join(here, "..", "src", "gateway", "static", "dkfds");
const version = JSON.parse(readFileSync(join(dist, "..", "package.json"), "utf8")).version;

rmSync(target, { recursive: true, force: true });

function copy(relative) {
  const to = join(target, relative);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(join(dist, relative), to);
}

const css = readFileSync(join(dist, "css", "dkfds.min.css"), "utf8");
const referenced = new Set();
for (const match of css.matchAll(/url\(\s*["']?([^"')]+?)["']?\s*\)/g)) {
  const ref = match[1].split(/[?#]/)[0];
  if (ref.startsWith("data:") || /^[a-z]+:/i.test(ref)) continue;
  referenced.add(normalize(join("css", ref)));
}
copy("css/dkfds.min.css");
copy("js/dkfds.min.js");
copy("img/all-svg-icons.svg"); // the icon sprite the pages' <use href="...#icon"> point at
copy("LICENSE.md");
for (const file of referenced) copy(file);
writeFileSync(join(target, "VERSION"), `${version}\n`);
console.log(`dkfds ${version}: copied ${referenced.size + 4} files into ${target}`);
