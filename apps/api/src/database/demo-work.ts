import { planTransition, type Category, type Priority } from '@handoff/contracts';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { DisputesRepository } from '../disputes/disputes.repository.js';
import { claimInput, systemMove, userMove, type UserAction } from '../tasks/moves.js';
import type { Task } from '../tasks/task.entity.js';
import { TasksRepository, type TransitionInput } from '../tasks/tasks.repository.js';
import { DEMO_ASSISTANTS, DEMO_ORGANIZATIONS } from './seed.js';

// A few weeks of work for the demo organizations, so a newcomer's first look
// has something in every state: queued (one escalated), claimed, in progress
// (one overdue), returned, disputed, accepted (one after a revision, one
// returned late and not billed, one accepted by the review timer) and cancelled.
//
// Each step goes through the API's own statements (SUBMIT_SQL for the price
// from the rate card, the transition statement with its event and, on the
// first on-time return, its charge and payout), run at the step's moment in
// the past instead of now. Steps run in time order across all tasks, so a
// claim meets the assistant's capacity as it stood then.

/** Every demo task's title starts with this, so nobody takes it for real work. */
export const DEMO_TITLE_PREFIX = 'Demo: ';

type AssistantKey = 'ana' | 'ben' | 'chloe' | 'dev';
type OrgKey = 'acme' | 'bloom';
type StepAction = Exclude<UserAction, 'release'> | 'claim' | 'expire' | 'auto_accept' | 'overdue' | 'escalate' | 'dispute';

interface Step {
  do: StepAction;
  /** Hours from the moment of seeding; negative is the past. */
  at: number;
  /** Who claims, when not the task's assistant (a claim that expired before another took it). */
  by?: AssistantKey;
  /** The revision's feedback, or the dispute's reason. */
  text?: string;
}

interface DemoTask {
  org: OrgKey;
  title: string;
  category: Category;
  priority: Priority;
  instructions: string;
  submitted: number;
  deadline: number;
  assistant?: AssistantKey;
  result?: string;
  steps: Step[];
}

const H = 1;
const D = 24;

/** claim → start → return → accept, the common path, at the given hours. */
function done(claim: number, start: number, ret: number, accept: number): Step[] {
  return [
    { do: 'claim', at: claim },
    { do: 'start', at: start },
    { do: 'return', at: ret },
    { do: 'accept', at: accept },
  ];
}

export const DEMO_TASKS: DemoTask[] = [
  // Acme Dental
  {
    org: 'acme',
    title: 'Call back patients who missed their cleaning',
    category: 'telemarketing',
    priority: 'normal',
    instructions: 'Use the missed-appointments list in the practice calendar. Offer the next three free slots; note who declined.',
    submitted: -3 * H,
    deadline: 45 * H,
    steps: [],
  },
  {
    org: 'acme',
    title: "Answer the weekend's website enquiries",
    category: 'customer_support',
    priority: 'normal',
    instructions: 'Reply to every enquiry in the website inbox with the standard templates; forward anything clinical to Dr. Acme.',
    submitted: -30 * H,
    deadline: 18 * H,
    steps: [{ do: 'escalate', at: -6 * H }],
  },
  {
    org: 'acme',
    title: "Book next week's new-patient consultations",
    category: 'scheduling',
    priority: 'high',
    assistant: 'ana',
    instructions: 'Call each name on the waiting list and book a 30-minute consultation; mornings first.',
    submitted: -1.5 * H,
    deadline: 22 * H,
    steps: [{ do: 'claim', at: -1 / 60 }],
  },
  {
    org: 'acme',
    title: "Enter last month's lab invoices",
    category: 'data_entry',
    priority: 'normal',
    assistant: 'ben',
    instructions: 'Enter each lab invoice from the scanned folder into the accounts spreadsheet: date, lab, patient reference, amount.',
    submitted: -52 * H,
    deadline: -4 * H,
    steps: [
      { do: 'claim', at: -50 * H },
      { do: 'start', at: -49 * H },
      { do: 'overdue', at: -4 * H },
    ],
  },
  {
    org: 'acme',
    title: 'Fix the front-desk printer and Wi-Fi',
    category: 'it_support',
    priority: 'urgent',
    assistant: 'dev',
    instructions: 'The receipt printer drops off the network after every restart. Remote access details are in the IT folder.',
    submitted: -6 * H,
    deadline: 18 * H,
    steps: [
      { do: 'claim', at: -5.5 * H },
      { do: 'start', at: -5 * H },
    ],
  },
  {
    org: 'acme',
    title: 'Sort the insurance-claim inbox',
    category: 'email_management',
    priority: 'normal',
    assistant: 'ana',
    result: 'All 42 messages filed by insurer; 5 need a reply from the practice, flagged in red.',
    instructions: 'File each message under its insurer, flag the ones that need an answer from us, archive the rest.',
    submitted: -28 * H,
    deadline: 20 * H,
    steps: [
      { do: 'claim', at: -27 * H },
      { do: 'start', at: -26 * H },
      { do: 'return', at: -3 * H },
    ],
  },
  {
    org: 'acme',
    title: "Reconcile last month's bank statement",
    category: 'bookkeeping',
    priority: 'high',
    assistant: 'ben',
    result: 'Every bank line is matched to an invoice or receipt; the two card payments are now included.',
    instructions: 'Match every bank line to an invoice or receipt in the accounts folder; list anything unmatched.',
    submitted: -10 * D,
    deadline: -7 * D,
    steps: [
      { do: 'claim', at: -10 * D + 1 * H },
      { do: 'start', at: -10 * D + 2 * H },
      { do: 'return', at: -8.5 * D },
      { do: 'revise', at: -8.3 * D, text: 'Two card payments from the 14th are missing; please add them.' },
      { do: 'return', at: -8 * D },
      { do: 'accept', at: -7.8 * D },
    ],
  },
  {
    org: 'acme',
    title: 'Scan and file the signed consent forms',
    category: 'document_management',
    priority: 'normal',
    assistant: 'dev',
    result: 'All forms scanned and filed under each patient; originals boxed for shredding.',
    instructions: 'Scan the forms in the blue tray, name each file by patient number and date, and file it in the records drive.',
    submitted: -16 * D,
    deadline: -15 * D,
    steps: [
      { do: 'claim', at: -16 * D + 2 * H },
      { do: 'start', at: -16 * D + 3 * H },
      { do: 'overdue', at: -15 * D },
      { do: 'return', at: -14.6 * D },
      { do: 'accept', at: -14.4 * D },
    ],
  },
  {
    org: 'acme',
    title: 'Run the fortnightly payroll',
    category: 'payroll',
    priority: 'high',
    assistant: 'ben',
    instructions: 'Use the approved timesheets; send the payslips and the summary to the practice manager.',
    submitted: -20 * D,
    deadline: -18 * D,
    steps: done(-20 * D + 1 * H, -20 * D + 2 * H, -19 * D, -18.8 * D),
  },
  {
    org: 'acme',
    title: 'Reply to new patient reviews',
    category: 'customer_support',
    priority: 'normal',
    assistant: 'chloe',
    instructions: 'Thank every reviewer by name; for anything below four stars, apologise and invite them to call the practice.',
    submitted: -25 * D,
    deadline: -23 * D,
    steps: done(-25 * D + 2 * H, -25 * D + 3 * H, -24 * D, -23.5 * D),
  },
  {
    org: 'acme',
    title: "Move Thursday's appointments for the staff training",
    category: 'scheduling',
    priority: 'low',
    assistant: 'ana',
    instructions: 'Offer each patient booked on Thursday the same time on another day this week.',
    submitted: -5 * D,
    deadline: -3 * D,
    steps: done(-5 * D + 1 * H, -5 * D + 2 * H, -4.5 * D, -4.2 * D),
  },
  {
    org: 'acme',
    title: 'Clear the shared front-desk inbox',
    category: 'email_management',
    priority: 'normal',
    assistant: 'ana',
    instructions: 'Answer what the templates cover, forward the rest to the right person, archive newsletters.',
    submitted: -6.5 * D,
    deadline: -5 * D,
    // Nobody reviewed it, so the review window accepted it.
    steps: [
      { do: 'claim', at: -6.5 * D + 1 * H },
      { do: 'start', at: -6.5 * D + 2 * H },
      { do: 'return', at: -6 * D },
      { do: 'auto_accept', at: -3 * D },
    ],
  },
  {
    org: 'acme',
    title: 'Compare three dental-software quotes',
    category: 'research',
    priority: 'normal',
    assistant: 'chloe',
    instructions: 'Put the three quotes side by side: price per seat, support hours, data export, contract length.',
    submitted: -13 * D,
    deadline: -10 * D,
    steps: done(-13 * D + 3 * H, -13 * D + 4 * H, -11.5 * D, -11 * D),
  },
  {
    org: 'acme',
    title: 'Reminder calls for the closed Friday',
    category: 'telemarketing',
    priority: 'normal',
    instructions: 'Tell every patient booked for Friday that the practice is closed and offer a new slot.',
    submitted: -2 * D,
    deadline: 1 * D,
    steps: [{ do: 'cancel', at: -1.8 * D }],
  },

  {
    org: 'acme',
    title: 'Update the recall list from the practice software',
    category: 'research',
    priority: 'normal',
    assistant: 'chloe',
    result: 'Recall list exported and cleaned: 212 patients due, duplicates removed.',
    instructions: 'Export everyone due a six-month recall from the practice software, remove duplicates and moved-away patients, and share the list.',
    submitted: -4 * D,
    deadline: -2 * D,
    steps: [
      { do: 'claim', at: -4 * D + 2 * H },
      { do: 'start', at: -4 * D + 3 * H },
      { do: 'return', at: -2.5 * D },
      { do: 'dispute', at: -2 * D, text: 'Moved-away patients are still on the list, and the count does not match the software.' },
    ],
  },

  // Bloom Florists
  {
    org: 'bloom',
    title: 'Find three wholesale tulip suppliers',
    category: 'research',
    priority: 'low',
    instructions: 'Within a day’s delivery of the shop; compare price per stem, minimum order and delivery days.',
    submitted: -5 * H,
    deadline: 67 * H,
    steps: [],
  },
  {
    org: 'bloom',
    title: 'Update the spring price list',
    category: 'data_entry',
    priority: 'normal',
    instructions: 'Copy the new wholesale prices into the price-list sheet and apply the usual markup column.',
    submitted: -2 * H,
    deadline: 46 * H,
    steps: [],
  },
  {
    org: 'bloom',
    title: 'Answer the gift-order questions',
    category: 'customer_support',
    priority: 'high',
    assistant: 'chloe',
    instructions: 'Reply to the questions on open gift orders: delivery times, card messages, substitutions.',
    submitted: -0.8 * H,
    deadline: 12 * H,
    steps: [{ do: 'claim', at: -2 / 60 }],
  },
  {
    org: 'bloom',
    title: 'Run payroll for the shop staff',
    category: 'payroll',
    priority: 'high',
    assistant: 'ben',
    instructions: 'Hours are in the rota sheet; include the weekend market shifts at the weekend rate.',
    submitted: -10 * H,
    deadline: 14 * H,
    steps: [
      { do: 'claim', at: -9 * H },
      { do: 'start', at: -8.5 * H },
    ],
  },
  {
    org: 'bloom',
    title: "Call last month's corporate customers",
    category: 'telemarketing',
    priority: 'normal',
    assistant: 'chloe',
    result: 'Reached 14 of 18; 6 want a standing weekly order, details in the call sheet.',
    instructions: 'Ask each corporate customer how the arrangements went and whether they want a standing order.',
    submitted: -40 * H,
    deadline: 8 * H,
    steps: [
      { do: 'claim', at: -39 * H },
      { do: 'start', at: -36 * H },
      { do: 'return', at: -10 * H },
    ],
  },
  {
    org: 'bloom',
    title: 'Tidy the wholesale-orders inbox',
    category: 'email_management',
    priority: 'normal',
    assistant: 'ana',
    result: 'Inbox at zero: orders filed by supplier, two invoices forwarded to the books.',
    instructions: 'File each supplier confirmation under its supplier; forward invoices to the bookkeeping folder.',
    submitted: -6 * H,
    deadline: 30 * H,
    steps: [
      { do: 'claim', at: -5 * H },
      { do: 'start', at: -4 * H },
      { do: 'return', at: -0.5 * H },
    ],
  },
  {
    org: 'bloom',
    title: 'Categorise the card expenses',
    category: 'bookkeeping',
    priority: 'normal',
    assistant: 'ben',
    instructions: 'Give each card transaction a category from the chart of accounts; attach the receipt where there is one.',
    submitted: -22 * D,
    deadline: -20 * D,
    steps: done(-22 * D + 2 * H, -22 * D + 3 * H, -21 * D, -20.5 * D),
  },
  {
    org: 'bloom',
    title: 'Digitise the supplier contracts',
    category: 'document_management',
    priority: 'normal',
    assistant: 'dev',
    instructions: 'Scan each contract, name it by supplier and end date, and add the end date to the renewals calendar.',
    submitted: -18 * D,
    deadline: -16 * D,
    steps: done(-18 * D + 1 * H, -18 * D + 2 * H, -17 * D, -16.6 * D),
  },
  {
    org: 'bloom',
    title: 'Follow up on the delivery complaints',
    category: 'customer_support',
    priority: 'normal',
    assistant: 'ana',
    instructions: 'Apologise, offer the standard voucher, and log each complaint with its delivery route.',
    submitted: -9 * D,
    deadline: -7 * D,
    steps: done(-9 * D + 1 * H, -9 * D + 2 * H, -8.4 * D, -8 * D),
  },
  {
    org: 'bloom',
    title: 'Plan the wedding-season delivery rota',
    category: 'scheduling',
    priority: 'high',
    assistant: 'ana',
    instructions: 'Two drivers, Saturdays first; no driver on more than three weddings a day.',
    submitted: -6 * D,
    deadline: -4.5 * D,
    steps: done(-6 * D + 2 * H, -6 * D + 3 * H, -5.5 * D, -5.2 * D),
  },
  {
    org: 'bloom',
    title: 'Set up the new card reader',
    category: 'it_support',
    priority: 'normal',
    assistant: 'dev',
    instructions: 'Pair the reader with the till tablet and run a one-cent test payment.',
    submitted: -3 * D,
    deadline: -2 * D,
    steps: done(-3 * D + 1 * H, -3 * D + 2 * H, -2.6 * D, -2.4 * D),
  },
  {
    org: 'bloom',
    title: 'Enter the market-stall sales',
    category: 'data_entry',
    priority: 'low',
    assistant: 'dev',
    instructions: 'Enter each day’s takings from the market notebook photos into the sales sheet.',
    submitted: -15 * D,
    deadline: -13 * D,
    // Ben claimed it and never started; the claim window gave it back and Dev took it.
    steps: [
      { do: 'claim', at: -15 * D + 1 * H, by: 'ben' },
      { do: 'expire', at: -15 * D + 1.25 * H },
      { do: 'claim', at: -15 * D + 3 * H },
      { do: 'start', at: -15 * D + 4 * H },
      { do: 'return', at: -14.5 * D },
      { do: 'accept', at: -14 * D },
    ],
  },
  {
    org: 'bloom',
    title: 'Research eco-friendly packaging',
    category: 'research',
    priority: 'normal',
    assistant: 'chloe',
    instructions: 'Three options for compostable wrap and ribbon: price per hundred, look, and lead time.',
    submitted: -27 * D,
    deadline: -24 * D,
    steps: done(-27 * D + 2 * H, -27 * D + 3 * H, -26 * D, -25.5 * D),
  },
  {
    org: 'bloom',
    title: 'Print the loyalty-card flyers',
    category: 'document_management',
    priority: 'normal',
    assistant: 'dev',
    instructions: 'Lay out the flyer from the brand template and send it to the print shop.',
    submitted: -1.5 * D,
    deadline: 1 * D,
    // The shop changed its mind after Dev had claimed it.
    steps: [
      { do: 'claim', at: -1.4 * D },
      { do: 'cancel', at: -1.3 * D },
    ],
  },
  {
    org: 'bloom',
    title: "Check the March payroll hours against the timesheets",
    category: 'payroll',
    priority: 'high',
    assistant: 'ben',
    result: 'Hours checked for all 9 staff; the payroll export matches the timesheets.',
    instructions: 'Compare each person’s hours in the payroll export with their signed timesheet and list every difference.',
    submitted: -3 * D,
    deadline: -1.5 * D,
    steps: [
      { do: 'claim', at: -3 * D + 1 * H },
      { do: 'start', at: -3 * D + 2 * H },
      { do: 'return', at: -2 * D },
      { do: 'dispute', at: -1.5 * D, text: 'Two Saturday shifts are missing from the check.' },
    ],
  },
];

const ASSISTANT_EMAILS: Record<AssistantKey, string> = {
  ana: 'ana@assistants.test',
  ben: 'ben@assistants.test',
  chloe: 'chloe@assistants.test',
  dev: 'dev@assistants.test',
};
const ORG_CLIENT_EMAILS: Record<OrgKey, string> = {
  acme: DEMO_ORGANIZATIONS[0].client.email,
  bloom: DEMO_ORGANIZATIONS[1].client.email,
};

interface Person {
  id: string;
  organizationId: string | null;
  skills: Category[];
}

interface Live {
  plan: DemoTask;
  id: string | null;
  row: Pick<Task, 'status' | 'assigneeId' | 'organizationId' | 'priority' | 'version'> | null;
}

export interface DemoWorkResult {
  tasks: number;
  ledgerEntries: number;
}

/**
 * Writes the demo's work once: nothing if the demo organizations already have
 * any task (a second start, or a demo someone has been using). Needs the demo
 * people (`seedDemo`) first. One transaction under an advisory lock, so two
 * starts at once still write it once, and a failure leaves nothing half done.
 */
export async function seedDemoWork(ds: DataSource, config: AppConfig, now = new Date()): Promise<DemoWorkResult | null> {
  // The repository's statements, run on this transaction's manager.
  const tasks = new TasksRepository(ds);
  const disputes = new DisputesRepository(ds);
  return ds.transaction(async (m) => {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('handoff:demo-work'))`);
    const people = await loadPeople(m);
    const orgIds = Object.values(ORG_CLIENT_EMAILS).map((e) => people.get(e)!.organizationId);
    const [{ n }] = (await m.query(`SELECT count(*)::int AS n FROM tasks WHERE organization_id = ANY($1::uuid[])`, [orgIds])) as [{ n: number }];
    if (n > 0) return null;

    const live: Live[] = DEMO_TASKS.map((plan) => ({ plan, id: null, row: null }));
    for (const { title, submitted, steps } of DEMO_TASKS) {
      const times = [submitted, ...steps.map((s) => s.at)];
      if (times.some((t, i) => t >= 0 || (i > 0 && t <= times[i - 1]!))) throw new Error(`demo task "${title}": its steps must follow each other, in the past`);
    }
    const moves = live.flatMap((task) => [
      { task, step: null as Step | null, at: task.plan.submitted },
      ...task.plan.steps.map((step) => ({ task, step: step as Step | null, at: step.at })),
    ]);
    // Stable: a task's own steps keep their order when two fall at the same hour.
    moves.sort((a, b) => a.at - b.at);
    const moment = (hours: number) => new Date(now.getTime() + hours * 3_600_000);

    for (const { task, step, at } of moves) {
      if (!step) await submit(m, tasks, task, people, moment(at), moment(task.plan.deadline));
      else await move(m, tasks, disputes, task, step, people, moment(at), config);
    }

    const ids = live.map((t) => t.id!);
    // The history is settled: nothing of it is news to relay. Timers the current states call for come from the sweep.
    await m.query(
      `DELETE FROM outbox WHERE payload->>'taskId' = ANY($1::text[])
          OR (topic = 'ledger.recorded' AND payload->>'entryId' IN (SELECT id::text FROM ledger_entries WHERE task_id = ANY($1::uuid[])))`,
      [ids],
    );
    const [{ entries }] = (await m.query(`SELECT count(*)::int AS entries FROM ledger_entries WHERE task_id = ANY($1::uuid[])`, [ids])) as [{ entries: number }];
    return { tasks: ids.length, ledgerEntries: entries };
  });
}

async function loadPeople(m: EntityManager): Promise<Map<string, Person>> {
  const emails = [...Object.values(ORG_CLIENT_EMAILS), ...DEMO_ASSISTANTS.map((a) => a.email)];
  const rows: { email: string; id: string; organization_id: string | null; skills: Category[] | null }[] = await m.query(
    `SELECT lower(email) AS email, id, organization_id, skills::text[] AS skills FROM users WHERE lower(email) = ANY($1::text[])`,
    [emails],
  );
  const people = new Map(rows.map((r) => [r.email, { id: r.id, organizationId: r.organization_id, skills: r.skills ?? [] }]));
  const missing = emails.filter((e) => !people.has(e));
  if (missing.length) throw new Error(`the demo people are missing (${missing.join(', ')}): seed them first`);
  return people;
}

async function submit(m: EntityManager, tasks: TasksRepository, task: Live, people: Map<string, Person>, at: Date, deadline: Date): Promise<void> {
  const client = people.get(ORG_CLIENT_EMAILS[task.plan.org])!;
  const { plan } = task;
  const sub = {
    id: randomUUID(),
    organizationId: client.organizationId!,
    createdBy: client.id,
    body: { title: DEMO_TITLE_PREFIX + plan.title, instructions: plan.instructions, category: plan.category, priority: plan.priority, deadline: deadline.toISOString() },
  };
  const [row] = await tasks.submit([sub], m);
  if (!row) throw new Error(`demo task "${plan.title}": there is no rate for ${plan.category}`);
  // The submit statement stamps the time of the insert; the demo's submission happened earlier.
  await m.query(`UPDATE tasks SET created_at = $2, updated_at = $2 WHERE id = $1`, [row.id, at]);
  await m.query(`UPDATE task_events SET created_at = $2 WHERE task_id = $1`, [row.id, at]);
  task.id = row.id;
  task.row = row;
}

async function move(m: EntityManager, tasks: TasksRepository, disputes: DisputesRepository, task: Live, step: Step, people: Map<string, Person>, at: Date, config: AppConfig): Promise<void> {
  const { plan } = task;
  const current = task.row!;
  const taskId = task.id!;
  const fail = (why: string): never => {
    throw new Error(`demo task "${plan.title}": ${step.do} at ${step.at} h ${why}`);
  };
  let next: Task | null;

  if (step.do === 'claim') {
    const key = step.by ?? plan.assistant ?? fail('has no assistant');
    const assistant = people.get(ASSISTANT_EMAILS[key])!;
    if (!assistant.skills.includes(plan.category)) fail(`by ${key}, who lacks the skill`);
    const outcome = await tasks.claim({ ...claimInput(assistant.id, taskId), at }, assistant.id, m);
    next = outcome?.row ?? null;
  } else if (step.do === 'dispute') {
    // As DisputesService.open does it: the move and the dispute's row in one transaction.
    const client = people.get(ORG_CLIENT_EMAILS[plan.org])!;
    const actor = { id: client.id, role: 'client' as const };
    next = await tasks.transition({ taskId, move: { action: 'dispute' }, from: 'returned', to: 'disputed', actor, note: step.text ?? null, previousAssigneeId: current.assigneeId, at }, m);
    const opened = await disputes.open(m, { taskId, organizationId: current.organizationId, assigneeId: current.assigneeId!, openedBy: client.id, reason: step.text ?? 'Not what we asked for.' });
    await m.query(`UPDATE disputes SET created_at = $2 WHERE id = $1`, [opened.id, at]);
  } else if (step.do === 'expire' || step.do === 'auto_accept' || step.do === 'overdue' || step.do === 'escalate') {
    const { move, from, to, note } = systemMove(step.do, current);
    next = await tasks.transition({ taskId, move, from, to, note, actor: { id: null, role: 'system' }, previousAssigneeId: current.assigneeId, at }, m);
  } else {
    const client = people.get(ORG_CLIENT_EMAILS[plan.org])!;
    const assistantId = current.assigneeId;
    const byAssignee = step.do === 'start' || step.do === 'return';
    const actor = byAssignee ? { role: 'assistant' as const, id: assistantId! } : { role: 'client' as const, id: client.id };
    const decision = planTransition(step.do, { role: actor.role, userId: actor.id, organizationId: byAssignee ? null : client.organizationId }, {
      status: current.status,
      organizationId: current.organizationId,
      assigneeId: current.assigneeId,
    });
    if (!decision.ok) return fail(`is refused: ${decision.message}`);
    const input = step.do === 'return' ? { result: plan.result ?? 'Done as the instructions describe; notes are in the shared folder.' } : { feedback: step.text };
    const spec: TransitionInput = {
      taskId,
      move: userMove(step.do, input, config.platformFeeBps),
      from: decision.from,
      to: decision.to,
      actor,
      note: step.do === 'revise' ? step.text : null,
      previousAssigneeId: current.assigneeId,
      at,
    };
    if (byAssignee) spec.assigneeId = actor.id;
    next = await tasks.transition(spec, m);
  }
  if (!next) fail(`found the task ${current.status}`);
  task.row = next;
}
