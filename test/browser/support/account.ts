// Creating an account and signing in through the web app's own forms, as a person does.
import type { Page } from 'playwright-core';

export const PASSWORD = 'correct horse battery staple';

/** The chat page's heading once someone is signed in. */
const signedIn = (page: Page) => page.getByRole('heading', { name: 'What should we look at?' }).waitFor();

export async function register(page: Page, who: { name: string; email: string; org: string }): Promise<void> {
  await page.goto('/');
  await page.getByRole('tab', { name: 'Create account' }).click();
  await page.getByLabel('Your name').fill(who.name);
  await page.getByLabel('Organization').fill(who.org);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account', exact: true }).last().click();
  await signedIn(page);
}

export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).last().click();
  await signedIn(page);
}
