/**
 * The web dashboard's static files (`scripts/demo/public/`): plain HTML, CSS and a script that
 * draws on <canvas> itself — no libraries, no CDN, no build step. Read once at startup.
 */
import { readFileSync } from 'node:fs';

export interface StaticFile {
  type: string;
  body: string;
}

const read = (name: string) => readFileSync(new URL(`./public/${name}`, import.meta.url), 'utf8');

export const FILES: ReadonlyMap<string, StaticFile> = new Map([
  ['/', { type: 'text/html; charset=utf-8', body: read('index.html') }],
  ['/dashboard.css', { type: 'text/css; charset=utf-8', body: read('dashboard.css') }],
  ['/dashboard.js', { type: 'text/javascript; charset=utf-8', body: read('dashboard.js') }],
  ['/charts.js', { type: 'text/javascript; charset=utf-8', body: read('charts.js') }],
]);
