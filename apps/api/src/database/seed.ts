import { CURRENCY, type Category } from '@handoff/contracts';
import type { DataSource } from 'typeorm';
import { hashPassword } from '../common/auth/password.js';
import type { AppConfig } from '../config/config.js';
import { seedStarterTemplates } from '../templates/starter-templates.js';

export const DEFAULT_RATE_CARD: Record<Category, number> = {
  customer_support: 2500,
  email_management: 2000,
  telemarketing: 3000,
  scheduling: 1500,
  data_entry: 1800,
  bookkeeping: 4500,
  payroll: 5000,
  document_management: 2200,
  it_support: 4000,
  research: 3500,
};

export const DEMO_PASSWORD = 'handoff-demo-2026';

export const DEMO_ORGANIZATIONS = [
  { name: 'Acme Dental', timeZone: 'America/New_York', client: { email: 'owner@acme-dental.test', name: 'Dana Acme' } },
  { name: 'Bloom Florists', timeZone: 'Europe/Berlin', client: { email: 'owner@bloom-florists.test', name: 'Bo Bloom' } },
] as const;

export const DEMO_ASSISTANTS: { email: string; name: string; skills: Category[] }[] = [
  { email: 'ana@assistants.test', name: 'Ana Reyes', skills: ['customer_support', 'email_management', 'scheduling'] },
  { email: 'ben@assistants.test', name: 'Ben Okafor', skills: ['bookkeeping', 'payroll', 'data_entry'] },
  { email: 'chloe@assistants.test', name: 'Chloe Martin', skills: ['telemarketing', 'customer_support', 'research'] },
  { email: 'dev@assistants.test', name: 'Dev Patel', skills: ['it_support', 'document_management', 'data_entry', 'research'] },
];

/** What every installation needs: the first admin, a rate card and the starter templates. Safe to run again. */
export async function seedEssentials(ds: DataSource, config: Pick<AppConfig, 'admin'>): Promise<void> {
  const hash = await hashPassword(config.admin.password);
  await ds.query(
    `INSERT INTO users (email, password_hash, name, role, email_verified_at) VALUES ($1, $2, 'Handoff admin', 'admin', now())
     ON CONFLICT ((lower(email))) DO NOTHING`,
    [config.admin.email, hash],
  );
  for (const [category, cents] of Object.entries(DEFAULT_RATE_CARD)) {
    await ds.query(
      `INSERT INTO rate_card (category, base_price_cents, currency) VALUES ($1, $2, $3) ON CONFLICT (category) DO NOTHING`,
      [category, cents, CURRENCY],
    );
  }
  await seedStarterTemplates(ds);
}

/** Demo organizations and assistants so a newcomer sees a working platform. Safe to run again. */
export async function seedDemo(ds: DataSource): Promise<void> {
  const hash = await hashPassword(DEMO_PASSWORD);
  for (const org of DEMO_ORGANIZATIONS) {
    const existing: { id: string }[] = await ds.query(`SELECT id FROM users WHERE lower(email) = $1`, [org.client.email]);
    if (existing.length) continue;
    await ds.transaction(async (m) => {
      const [row]: { id: string }[] = await m.query(`INSERT INTO organizations (name, time_zone) VALUES ($1, $2) RETURNING id`, [org.name, org.timeZone]);
      await m.query(
        `INSERT INTO users (email, password_hash, name, role, organization_id, org_role, email_verified_at) VALUES ($1, $2, $3, 'client', $4, 'owner', now())`,
        [org.client.email, hash, org.client.name, row!.id],
      );
    });
  }
  for (const a of DEMO_ASSISTANTS) {
    await ds.query(
      `INSERT INTO users (email, password_hash, name, role, skills, online, email_verified_at) VALUES ($1, $2, $3, 'assistant', $4::task_category[], true, now())
       ON CONFLICT ((lower(email))) DO NOTHING`,
      [a.email, hash, a.name, a.skills],
    );
  }
}
