// Logging in through the admin's login form, as a person does.

/** Logs `login` in on `page` (a user of admin.mjs's USERS) and waits for the dashboard. */
export async function login(page, t, who) {
  const u = t.users[who];
  await page.goto(`${t.base}/admin/login`);
  await page.fill('#login', u.login);
  await page.fill('#password', u.password);
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/admin/login')), page.click('main form button[type="submit"]')]);
}
