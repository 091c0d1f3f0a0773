// Shared by the browser checks (keyboard.mjs, nojs.mjs, weight.mjs): settings from the
// environment (run.sh sets them), Chromium's launch, a tally printed as "N passed, M failed",
// and a small valid PDF.

import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';

export function env(name, fallback) {
  const v = process.env[name] ?? fallback;
  if (v === undefined || v === '') {
    console.error(`set ${name}`);
    process.exit(2);
  }
  return v;
}

export const PROCEDURE = '1.010041';
export const AGENCY = 'CAX.00004';
export const LANGS = ['vi', 'en'];
export const WIDE = { width: 1280, height: 900 };
export const NARROW = { width: 320, height: 640 };
/** A dossier code of the demo agency in a page's text: `CAX.00004-yyMMdd-NNNN`. */
export const DOSSIER_CODE = /CAX\.00004-\d{6}-\d{4,}/;

// A minimal valid one-page PDF (the server checks the content, not the name).
export const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n' +
    '2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n' +
    'trailer<</Root 1 0 R>>\n%%EOF\n',
);

export function settings() {
  return {
    base: env('BASE_URL').replace(/\/$/, ''),
    citizen: { user: env('CITIZEN_USER'), password: env('CITIZEN_PASSWORD') },
    official: { user: env('OFFICIAL_USER'), password: env('OFFICIAL_PASSWORD') },
    admin: process.env.ADMIN_USER ? { user: process.env.ADMIN_USER, password: env('ADMIN_PASSWORD') } : null,
  };
}

/** Debian's Chromium, headless, as axe.mjs launches it (no browser download). */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The Fluent message `key` of `lang`, as the pages show it (for "errors in the user's language"). */
export function message(lang, key) {
  const ftl = readFileSync(new URL(`../../crates/server/locales/${lang}/main.ftl`, import.meta.url), 'utf8');
  const line = ftl.split('\n').find((l) => l.startsWith(`${key} =`));
  if (!line) throw new Error(`no message ${key} in ${lang}`);
  return line.slice(key.length + 2).trim();
}

/** Counts checks; `summary()` prints the closing line and gives the exit status. */
export class Tally {
  constructor(label) {
    this.label = label;
    this.passed = 0;
    this.failed = 0;
  }

  /** Records one check: `ok` true passes; otherwise `why` is printed. */
  check(ok, name, why = '') {
    if (ok) {
      this.passed++;
      console.log(`ok   ${name}`);
    } else {
      this.failed++;
      console.log(`FAIL ${name}${why ? `: ${why}` : ''}`);
    }
    return ok;
  }

  summary(crashed) {
    console.log(`${this.label}: ${this.passed} passed, ${this.failed} failed`);
    return crashed ? 2 : this.failed > 0 ? 1 : 0;
  }
}

/**
 * Waits up to a second for focus to reach the element `id`. Chromium applies `autofocus` at
 * the first rendering after the document is parsed, which can come just after the load event;
 * it never lands later for a reader. The caller then checks where focus is: this only waits.
 */
export async function settleAutofocus(page, id) {
  await page.waitForFunction((want) => document.activeElement?.id === want, id, { timeout: 1000 }).catch(() => {});
}

/** Clicks `selector` and waits for the page it leads to. */
export async function clickAndWait(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

/** The number of the current step of the submission on the page ('' when none). */
export function currentStep(page) {
  return page.locator('[aria-current=step] .n').innerText().catch(() => '');
}

/**
 * The submission's steps 1 to 3 for PROCEDURE at AGENCY (found by searching "Ba Dinh") with
 * clicks, as a signed-in citizen: starts afresh (a half-done submission left by an earlier run
 * is discarded). Ends on the new dossier draft's page; returns its id.
 */
export async function walkSteps(page, base, applicant, { lang = 'vi', delivery = 'online' } = {}) {
  await page.goto(`${base}/procedures/${PROCEDURE}/apply?lang=${lang}`);
  if ((await currentStep(page)) !== '1') {
    await clickAndWait(page, '#apply-discard');
    await page.goto(`${base}/procedures/${PROCEDURE}/apply?lang=${lang}`);
  }
  await page.fill('#agency_q', 'Ba Dinh');
  await clickAndWait(page, '#agency-search');
  const radio = page.locator(`input[name=agency_code][value="${AGENCY}"]`);
  if ((await radio.count()) === 0) throw new Error(`agency ${AGENCY} not offered for "Ba Dinh"`);
  await radio.check();
  await clickAndWait(page, 'button[name=go][value=next]');
  for (const [id, v] of Object.entries(applicant)) await page.fill(`#${id}`, v);
  await clickAndWait(page, 'button[name=go][value=next]');
  await page.check(`input[name=delivery][value=${delivery}]`);
  await clickAndWait(page, 'button[name=go][value=next]');
  const m = new URL(page.url()).pathname.match(/^\/dossiers\/([^/?#]+)$/);
  if (!m) throw new Error(`draft not created; at ${page.url()}: ${await page.locator('.error-summary').innerText().catch(() => '?')}`);
  return m[1];
}

/**
 * An assisted submission at the one-stop desk through the pages, as the signed-in official of
 * `page`: the procedure by its code, the applicant, one scanned PDF, then (unless `submit` is
 * false) "Submit and receive". Returns `{ id, code }` (`code` read from the receipt).
 */
export async function assistedSubmission(page, base, { submit = true, lang = 'vi', idNumber = '001085012345' } = {}) {
  const go = (sel) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(sel)]);
  await page.goto(`${base}/desk/assisted?lang=${lang}`);
  await page.fill('#procedure', PROCEDURE);
  await go('#procedure-find');
  await page.selectOption('#agency_code', AGENCY);
  await page.fill('#full_name', 'Trần Văn Tại Quầy');
  await page.fill('#id_number', idNumber);
  await page.fill('#phone', '0912345670');
  await page.fill('#address', 'Số 5 Phố Đội Cấn, Phường Ba Đình, Hà Nội');
  await go('#assisted-create');
  const m = new URL(page.url()).pathname.match(/^\/desk\/assisted\/([^/]+)$/);
  if (!m) throw new Error(`assisted draft not created; at ${page.url()}`);
  await page.setInputFiles('#file', { name: 'ban-quet.pdf', mimeType: 'application/pdf', buffer: PDF });
  await page.fill('#doc-name', 'Tờ khai CT01 (bản quét)');
  await go('form.upload button[type=submit]');
  if (!submit) return { id: m[1], code: null };
  await go('#submit-receive');
  const code = ((await page.locator('#receipt-code').innerText().catch(() => '')).match(DOSSIER_CODE) || [])[0];
  if (!code) throw new Error(`no receipt after "Submit and receive"; at ${page.url()}`);
  return { id: m[1], code };
}
