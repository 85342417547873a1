// Installs npm dependencies when node_modules is missing or older than package-lock.json.
// Plain JS on purpose: it runs before tsx is installed.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  console.log('installing npm dependencies…');
  execSync('npm install --prefer-offline --no-audit --no-fund', { stdio: 'inherit' });
}
