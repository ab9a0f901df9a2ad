import { CATEGORIES, createTemplateBody, type Category, type CreateTemplateBody } from '@handoff/contracts';
import type { DataSource } from 'typeorm';
import { advisoryXactLock } from '../database/sql.js';
import { TemplateVersionsRepository } from './template-versions.repository.js';
import { TemplatesRepository } from './templates.repository.js';
import { writeNewTemplate } from './templates.service.js';

type Starter = Omit<CreateTemplateBody, 'defaultPriority' | 'checklist' | 'inputs'> & {
  defaultPriority?: CreateTemplateBody['defaultPriority'];
  checklist: { title: string; detail?: string; required?: boolean }[];
  inputs?: Record<string, unknown>[];
};

const step = (title: string, detail?: string, required = true) => ({ title, detail, required });

/** One shared starter per category, so a new organization has a process library to copy from on day one. */
export const STARTER_TEMPLATES: Record<Category, Starter> = {
  customer_support: {
    name: 'Support inbox: morning sweep',
    category: 'customer_support',
    instructions: '# Morning sweep\n\nAnswer every ticket that came in overnight, oldest first. Use the saved replies where they fit; escalate refunds over the limit below.',
    checklist: [step('Sort new tickets oldest first'), step('Answer or escalate each one', 'Escalate anything about refunds above the limit.'), step('Tag every ticket by topic', undefined, false), step('Post the summary', 'Counts answered, escalated and waiting.')],
    inputs: [{ key: 'helpdesk_url', label: 'Helpdesk link', type: 'text', required: true, maxLength: 500 }, { key: 'refund_limit', label: 'Refund limit', type: 'number', min: 0, help: 'In the store’s currency' }],
    deadlineRule: { kind: 'by_time', time: '12:00', day: 'same_or_next_business_day' },
  },
  email_management: {
    name: 'Inbox zero',
    category: 'email_management',
    instructions: '# Inbox zero\n\nFile, answer or flag every message in the inbox. Never delete anything.',
    checklist: [step('Archive newsletters and notifications'), step('Answer what has a known answer'), step('Flag what needs the owner', 'With a one-line note each.'), step('Report what was flagged')],
    deadlineRule: { kind: 'business_hours', hours: 4 },
  },
  telemarketing: {
    name: 'Call list follow-up',
    category: 'telemarketing',
    instructions: '# Call list\n\nCall each lead on the list, follow the script and record the outcome in the sheet.',
    checklist: [step('Read the script'), step('Call every lead', 'Two attempts each, an hour apart.'), step('Record outcomes in the sheet'), step('List the callbacks promised')],
    inputs: [{ key: 'list_url', label: 'Lead list link', type: 'text', required: true, maxLength: 500 }, { key: 'leads', label: 'Number of leads', type: 'number', integer: true, min: 1, max: 500 }],
    deadlineRule: { kind: 'business_hours', hours: 8 },
  },
  scheduling: {
    name: 'Book appointments for next week',
    category: 'scheduling',
    instructions: '# Next week’s bookings\n\nConfirm every appointment for next week and fill the open slots from the waiting list.',
    checklist: [step('Confirm booked appointments'), step('Fill cancellations from the waiting list'), step('Send reminders', undefined, false)],
    inputs: [{ key: 'week_of', label: 'Week starting', type: 'date', required: true }],
    deadlineRule: { kind: 'by_time', time: '17:00', day: 'next_business_day' },
  },
  data_entry: {
    name: 'Invoice data entry',
    category: 'data_entry',
    instructions: '# Invoice entry\n\nKey each invoice into the accounting system: supplier, number, date, net, tax and total. Attach the scan.',
    checklist: [step('Check the invoice is complete and legible'), step('Enter supplier, number, date and amounts'), step('Attach the scan'), step('Flag duplicates', undefined, false)],
    inputs: [
      { key: 'invoice_number', label: 'Invoice number', type: 'text', required: true, maxLength: 64 },
      { key: 'supplier', label: 'Supplier', type: 'text', required: true, maxLength: 200 },
      { key: 'amount', label: 'Total amount', type: 'number', min: 0 },
      { key: 'invoice_date', label: 'Invoice date', type: 'date' },
    ],
    deadlineRule: { kind: 'business_hours', hours: 8 },
  },
  bookkeeping: {
    name: 'Month-end bookkeeping',
    category: 'bookkeeping',
    defaultPriority: 'high',
    instructions:
      '# Month-end close\n\nClose the books for the month in the ledger below.\n\n1. Reconcile every bank and card account to its statement.\n2. Categorise what is uncategorised.\n3. Post accruals and prepayments.\n4. Send the owner the profit and loss and the balance sheet.\n\nDo not file anything with the tax office.',
    checklist: [
      step('Reconcile bank accounts', 'Every account, to the statement’s closing balance.'),
      step('Reconcile card accounts'),
      step('Categorise uncategorised transactions'),
      step('Post accruals and prepayments'),
      step('Review receivables and payables ageing', undefined, false),
      step('Send the P&L and the balance sheet to the owner'),
    ],
    inputs: [
      { key: 'period_end', label: 'Month ending', type: 'date', required: true },
      { key: 'ledger', label: 'Accounting system', type: 'choice', required: true, options: ['QuickBooks', 'Xero', 'FreshBooks', 'Other'] },
      { key: 'accounts', label: 'Bank and card accounts', type: 'number', integer: true, min: 1, max: 50 },
      { key: 'notes', label: 'Notes for this month', type: 'text', maxLength: 2000 },
    ],
    deadlineRule: { kind: 'business_hours', hours: 16 },
  },
  payroll: {
    name: 'Payroll run',
    category: 'payroll',
    defaultPriority: 'high',
    instructions: '# Payroll\n\nPrepare the payroll for the period from the timesheets; the owner approves before anything is paid.',
    checklist: [step('Collect approved timesheets'), step('Enter hours, leave and overtime'), step('Check totals against last period', 'Explain any change over 10 %.'), step('Send the summary for approval')],
    inputs: [{ key: 'pay_date', label: 'Pay date', type: 'date', required: true }, { key: 'employees', label: 'Employees', type: 'number', integer: true, min: 1, max: 1000 }],
    deadlineRule: { kind: 'by_time', time: '15:00', day: 'next_business_day' },
  },
  document_management: {
    name: 'File and name scanned documents',
    category: 'document_management',
    instructions: '# Filing\n\nName each scan `YYYY-MM-DD supplier what` and file it in the folder of its kind.',
    checklist: [step('Rename every scan'), step('File by kind'), step('List unreadable scans', undefined, false)],
    inputs: [{ key: 'folder_url', label: 'Folder link', type: 'text', required: true, maxLength: 500 }],
    deadlineRule: { kind: 'business_hours', hours: 8 },
  },
  it_support: {
    name: 'New starter laptop setup',
    category: 'it_support',
    instructions: '# New starter\n\nSet up accounts and the laptop for a new member of staff before their first day.',
    checklist: [step('Create the e-mail account'), step('Install the standard software'), step('Turn on disk encryption'), step('Send the welcome sheet')],
    inputs: [{ key: 'start_date', label: 'First day', type: 'date', required: true }, { key: 'os', label: 'Laptop', type: 'choice', required: true, options: ['macOS', 'Windows', 'Linux'] }],
    deadlineRule: { kind: 'business_hours', hours: 16 },
  },
  research: {
    name: 'Competitor price check',
    category: 'research',
    instructions: '# Price check\n\nFind the current prices of the listed products at the named competitors; cite a link for each.',
    checklist: [step('Find each product at each competitor'), step('Record price and link'), step('Note promotions', undefined, false)],
    inputs: [{ key: 'competitors', label: 'Competitors', type: 'text', required: true, maxLength: 2000 }],
    deadlineRule: { kind: 'calendar_hours', hours: 48 },
  },
};

/**
 * Publishes each category's starter unless that category has one (active or
 * archived: an admin's archive is kept). Safe to run again and from two
 * processes at once (an advisory lock).
 */
export async function seedStarterTemplates(ds: DataSource): Promise<number> {
  const repos = { templates: new TemplatesRepository(ds), versions: new TemplateVersionsRepository(ds) };
  return ds.transaction(async (m) => {
    await advisoryXactLock(m, 'handoff:starter-templates');
    let added = 0;
    for (const category of CATEGORIES) {
      if (await repos.templates.hasStarter(m, category)) continue;
      await writeNewTemplate(m, repos, { organizationId: null, createdBy: null, body: createTemplateBody.parse(STARTER_TEMPLATES[category]) });
      added++;
    }
    return added;
  });
}
