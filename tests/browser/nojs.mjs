// The full submission of procedure 1.010041 with JavaScript disabled in Chromium (a context
// with javaScriptEnabled: false), through clicks and typing, in vi and in en: search from the
// home page, sign in as the demo citizen, the steps (find the agency; the applicant posted with
// errors: focus on the error summary, values kept, autofocus needs no script; delivery), a PDF, submit, the
// dossier page with its code, and the dossier in "my dossiers".
//
// Prints each check and ends with "nojs: N passed, M failed"; exit status 1 when M > 0.

import {
  AGENCY, DOSSIER_CODE, LANGS, PDF, PROCEDURE, Tally, WIDE, clickAndWait, currentStep, launch, message, settings, settleAutofocus,
} from './common.mjs';

const { base: BASE, citizen: CITIZEN } = settings();
const tally = new Tally('nojs');

const NEXT = 'button[name=go][value=next]';

const path = (page) => new URL(page.url()).pathname;

async function submission(browser, lng) {
  const ctx = await browser.newContext({ viewport: WIDE, javaScriptEnabled: false });
  const page = await ctx.newPage();

  // Scripts really are off in this context: an inline script must not run.
  await page.setContent('<!doctype html><title>before</title><script>document.title = "script ran"</script>');
  tally.check((await page.title()) === 'before', `[${lng}] JavaScript is disabled in the context`, `title "${await page.title()}"`);

  await page.goto(`${BASE}/?lang=${lng}`);
  await page.fill('#q', PROCEDURE);
  await clickAndWait(page, 'main form[action="/procedures"] button[type=submit]');
  await clickAndWait(page, `main a[href="/procedures/${PROCEDURE}"]`);
  await clickAndWait(page, 'main a[href^="/login?next="]');
  await page.fill('#login', CITIZEN.user);
  await page.fill('#password', CITIZEN.password);
  await clickAndWait(page, 'main form[action="/login"] button[type=submit]');
  tally.check(
    path(page) === `/procedures/${PROCEDURE}` && (await page.locator('form[action="/logout"]').count()) === 1,
    `[${lng}] signed in, back on the procedure page`,
    `at ${page.url()}`,
  );

  // The submission in steps (a half-done one left by an earlier run is discarded first).
  await clickAndWait(page, '#apply-start');
  if ((await currentStep(page)) !== '1') {
    await clickAndWait(page, '#apply-discard');
    await clickAndWait(page, '#apply-start');
  }
  tally.check((await currentStep(page)) === '1', `[${lng}] step 1 of the submission`, `at ${page.url()}`);
  await page.fill('#agency_q', 'Ba Dinh');
  await clickAndWait(page, '#agency-search');
  await page.check(`input[name=agency_code][value="${AGENCY}"]`);
  await clickAndWait(page, NEXT);
  await page.fill('#full_name', 'Nguyễn Thị Không Script');
  await page.fill('#id_number', '0010900');
  await page.fill('#phone', '0912345678');
  await clickAndWait(page, NEXT);

  // Errors without JavaScript: the summary has focus (autofocus), values are kept.
  await settleAutofocus(page, 'error-summary');
  const state = await page.evaluate(() => ({
    focused: document.activeElement?.id,
    title: document.querySelector('#error-summary h2')?.textContent,
    name: document.getElementById('full_name')?.value,
    id: document.getElementById('id_number')?.value,
    phone: document.getElementById('phone')?.value,
  }));
  tally.check(
    state.focused === 'error-summary' && state.title === message(lng, 'error-summary-title'),
    `[${lng}] step 2 with errors: focus on the error summary without JavaScript`,
    JSON.stringify(state),
  );
  tally.check(
    state.name === 'Nguyễn Thị Không Script' && state.id === '0010900' && state.phone === '0912345678',
    `[${lng}] step 2 with errors: everything typed is kept`,
    JSON.stringify(state),
  );

  await page.fill('#id_number', '001090012345');
  await page.fill('#address', 'Số 1 Phố Đội Cấn, Phường Ba Đình, Hà Nội');
  await clickAndWait(page, NEXT);
  await page.check('input[name=delivery][value=in_person]');
  await clickAndWait(page, NEXT);
  const m = path(page).match(/^\/dossiers\/([^/]+)$/);
  if (!m) throw new Error(`draft not created; at ${page.url()}`);
  const id = m[1];

  await page.setInputFiles('#file', { name: 'to-khai.pdf', mimeType: 'application/pdf', buffer: PDF });
  await page.fill('#doc-name', 'Tờ khai');
  await clickAndWait(page, 'form.upload button[type=submit]');
  tally.check(page.url().includes('done=uploaded'), `[${lng}] the PDF is uploaded`, `at ${page.url()}`);

  await clickAndWait(page, `form[action="/dossiers/${id}/submit"] button[type=submit]`);
  const h1 = await page.locator('h1').innerText();
  const code = (h1.match(DOSSIER_CODE) || [])[0];
  tally.check(
    page.url().includes('done=submitted') && Boolean(code) && (await page.evaluate(() => document.documentElement.lang)) === lng,
    `[${lng}] submitted; the dossier page shows its code`,
    `at ${page.url()}, heading "${h1}"`,
  );

  await clickAndWait(page, 'header nav a[href="/dossiers"]');
  const listed = await page.locator(`main a[href="/dossiers/${id}"]`).innerText().catch(() => '');
  tally.check(Boolean(code) && listed === code, `[${lng}] the dossier is in "my dossiers" under its code`, `listed "${listed}", code ${code}`);
  await ctx.close();
}

const browser = await launch();
let crashed = false;
try {
  for (const lng of LANGS) await submission(browser, lng);
} catch (e) {
  console.error(`nojs.mjs: ${e.stack || e}`);
  crashed = true;
} finally {
  await browser.close();
}
process.exit(tally.summary(crashed));
