// Screenshots of the main pages for the README (issue 6, item 7): a phone-sized and a desktop
// screen, in Vietnamese and English, in headless Chromium. Run by hand through
// `tests/browser/run.sh screenshots` (never by CI); writes JPEGs to docs/screenshots/.

import { mkdirSync } from 'node:fs';
import { launch, settings, assistedSubmission, PROCEDURE, LANGS, WIDE } from './common.mjs';

const { base: BASE, citizen: CITIZEN, official: OFFICIAL } = settings();
const OUT = process.argv[2] ?? new URL('../../docs/screenshots/', import.meta.url).pathname;
const PHONE = { width: 390, height: 844 };

async function signedIn(browser, who, viewport) {
  const ctx = await browser.newContext({ viewport });
  const page = await ctx.newPage();
  await page.goto(`${BASE}/login?lang=vi`);
  await page.fill('#login', who.user);
  await page.fill('#password', who.password);
  await Promise.all([page.waitForNavigation(), page.click('main form[action="/login"] button[type=submit]')]);
  if ((await page.locator('form[action="/logout"]').count()) === 0) throw new Error(`${who.user} could not sign in`);
  return page;
}

mkdirSync(OUT, { recursive: true });
const browser = await launch();
try {
  for (const [screen, viewport] of [['phone', PHONE], ['desktop', WIDE]]) {
    const anon = await (await browser.newContext({ viewport })).newPage();
    const citizen = await signedIn(browser, CITIZEN, viewport);
    const official = await signedIn(browser, OFFICIAL, viewport);
    // A dossier submitted at the desk, for its receipt.
    const { id: assisted } = await assistedSubmission(official, BASE, { idNumber: '001085067890' });
    for (const lang of LANGS) {
      const shots = [
        ['home', anon, '/'],
        ['procedure', anon, `/procedures/${PROCEDURE}`],
        ['apply', citizen, `/procedures/${PROCEDURE}/apply?agency_q=Ba+Dinh`],
        ['my-dossiers', citizen, '/dossiers'],
        ['desk', official, '/desk'],
        ['receipt', official, `/desk/dossiers/${assisted}/receipt`],
      ];
      for (const [name, page, path] of shots) {
        await page.goto(`${BASE}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
        const file = `${OUT}/${name}-${screen}-${lang}.jpg`;
        await page.screenshot({ path: file, type: 'jpeg', quality: 70 });
        console.log(`wrote ${file}`);
      }
    }
  }
} finally {
  await browser.close();
}
