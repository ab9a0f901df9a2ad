import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Accounts1764000000000 implements MigrationInterface {
  name = 'Accounts1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`CREATE TYPE user_role AS ENUM ('client', 'assistant', 'admin')`);
    await q.query(`CREATE TYPE task_category AS ENUM (
      'customer_support', 'email_management', 'telemarketing', 'scheduling',
      'data_entry', 'bookkeeping', 'payroll', 'document_management', 'it_support', 'research')`);
    await q.query(`CREATE TABLE organizations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL CHECK (email = lower(email)),
      password_hash text NOT NULL,
      name text NOT NULL,
      role user_role NOT NULL,
      organization_id uuid REFERENCES organizations(id) ON DELETE RESTRICT,
      skills task_category[] NOT NULL DEFAULT '{}',
      max_concurrent_tasks int NOT NULL DEFAULT 3 CHECK (max_concurrent_tasks > 0),
      online boolean NOT NULL DEFAULT false,
      suspended boolean NOT NULL DEFAULT false,
      token_version int NOT NULL DEFAULT 0,
      last_seen_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT users_client_has_org CHECK (role <> 'client' OR organization_id IS NOT NULL))`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`);
    await q.query(`CREATE INDEX users_organization_idx ON users (organization_id) WHERE organization_id IS NOT NULL`);
    await q.query(`CREATE INDEX users_role_idx ON users (role, created_at)`);
    await q.query(`CREATE TABLE rate_card (
      category task_category PRIMARY KEY,
      base_price_cents int NOT NULL CHECK (base_price_cents > 0),
      currency char(3) NOT NULL,
      updated_by uuid REFERENCES users(id),
      updated_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_card`);
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE organizations`);
    await q.query(`DROP TYPE task_category`);
    await q.query(`DROP TYPE user_role`);
  }
}
