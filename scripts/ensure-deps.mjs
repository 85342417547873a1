// Installs npm dependencies when node_modules is missing or older than package-lock.json, and Debian's
// Chromium (the browser tests drive it) when it is missing and apt can install it.
// Plain JS on purpose: it runs before tsx is installed.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  console.log('installing npm dependencies…');
  execSync('npm install --prefer-offline --no-audit --no-fund', { stdio: 'inherit' });
}

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  const root = process.getuid?.() === 0;
  if (root && existsSync('/usr/bin/apt-get')) {
    console.log('installing chromium (Debian package) for the browser tests…');
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit', shell: '/bin/bash' });
  } else {
    console.warn(`${CHROMIUM} is missing: the browser tests need it (as root: apt-get install chromium).`);
  }
}
