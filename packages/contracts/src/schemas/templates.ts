import { z } from 'zod';
import { LIMITS } from '../domain.js';
import { DEADLINE_DAYS, deadlineRule } from '../calendar/deadlines.js';
import { localDateString } from '../calendar/business-hours.js';
import { isoDate, listQuery, plainString, text, uuid } from './common.js';
import { budgetStanding } from './budgets.js';
import { priority } from './tasks.js';
import { category } from './users.js';

export const TEMPLATE_LIMITS = {
  nameMax: 200,
  stepsMax: 100,
  stepTitleMax: 200,
  stepDetailMax: 2_000,
  fieldsMax: 50,
  fieldLabelMax: 120,
  fieldHelpMax: 500,
  textMaxLength: LIMITS.instructionsMax,
  choiceOptionsMax: 100,
  choiceOptionMax: 200,
  /** Bounds of a number field's min and max: far inside what a double holds exactly. */
  numberBound: 1e12,
} as const;

export const INPUT_TYPES = ['text', 'number', 'date', 'choice'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

const FIELD_KEY = /^[a-z][a-z0-9_]{0,39}$/;
export const fieldKey = plainString().regex(FIELD_KEY, {
  message: 'must be 1 to 40 lowercase letters, digits or _, starting with a letter',
});

/** Refuses a list in which an item's key comes twice: `<list>.<i>[.<field>] repeats <key>`. */
function noRepeats<T>(keyOf: (item: T) => string | undefined, field?: string) {
  return (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const key = keyOf(item);
      if (key === undefined) return;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: field ? [i, field] : [i], message: `repeats ${key}` });
      seen.add(key);
    });
  };
}

const count = (max: number) =>
  z
    .number({ message: 'must be a number' })
    .min(0, { message: 'must be at least 0' })
    .max(max, { message: `must be at most ${max}` })
    .int({ message: 'must be an integer' });

const bound = z
  .number({ message: 'must be a number' })
  .min(-TEMPLATE_LIMITS.numberBound, { message: `must be at least -${TEMPLATE_LIMITS.numberBound}` })
  .max(TEMPLATE_LIMITS.numberBound, { message: `must be at most ${TEMPLATE_LIMITS.numberBound}` });

const fieldBase = {
  key: fieldKey,
  label: text(TEMPLATE_LIMITS.fieldLabelMax),
  required: z.boolean({ message: 'must be true or false' }).default(false),
  help: text(TEMPLATE_LIMITS.fieldHelpMax).optional(),
};

export const textInputField = z.strictObject({
  ...fieldBase,
  type: z.literal('text'),
  minLength: count(TEMPLATE_LIMITS.textMaxLength).optional(),
  maxLength: count(TEMPLATE_LIMITS.textMaxLength).min(1, { message: 'must be at least 1' }).default(2_000),
});
export const numberInputField = z.strictObject({
  ...fieldBase,
  type: z.literal('number'),
  min: bound.optional(),
  max: bound.optional(),
  integer: z.boolean({ message: 'must be true or false' }).default(false),
});
export const dateInputField = z.strictObject({
  ...fieldBase,
  type: z.literal('date'),
  min: localDateString.optional(),
  max: localDateString.optional(),
});
export const choiceInputField = z.strictObject({
  ...fieldBase,
  type: z.literal('choice'),
  options: z
    .array(text(TEMPLATE_LIMITS.choiceOptionMax), { message: 'must be a list of strings' })
    .min(1, { message: 'must list at least one option' })
    .max(TEMPLATE_LIMITS.choiceOptionsMax, { message: `must list at most ${TEMPLATE_LIMITS.choiceOptionsMax} options` })
    .superRefine(noRepeats((o) => o)),
});

/** A value the submitter fills per task: its key names it in `inputs`. */
export const inputField = z
  .discriminatedUnion('type', [textInputField, numberInputField, dateInputField, choiceInputField], {
    message: `must be one of ${INPUT_TYPES.join(', ')}`,
  })
  .superRefine((f, ctx) => {
    const lo = f.type === 'text' ? f.minLength : f.type === 'choice' ? undefined : f.min;
    const hi = f.type === 'text' ? f.maxLength : f.type === 'choice' ? undefined : f.max;
    if (lo !== undefined && hi !== undefined && lo > hi) {
      ctx.addIssue({ code: 'custom', path: [f.type === 'text' ? 'minLength' : 'min'], message: `must not be more than ${f.type === 'text' ? 'maxLength' : 'max'} (${hi})` });
    }
  });
export type InputField = z.infer<typeof inputField>;

export const inputFields = z
  .array(inputField, { message: 'must be a list of input fields' })
  .max(TEMPLATE_LIMITS.fieldsMax, { message: `must have at most ${TEMPLATE_LIMITS.fieldsMax} fields` })
  .superRefine(noRepeats((f) => f.key, 'key'));

/** A checklist step as written: without an id it is new; with one it keeps the id of that step in the current version. */
export const checklistStepInput = z.strictObject(
  {
    id: uuid.optional(),
    title: text(TEMPLATE_LIMITS.stepTitleMax),
    detail: text(TEMPLATE_LIMITS.stepDetailMax).nullable().optional(),
    required: z.boolean({ message: 'must be true or false' }).default(true),
  },
  { message: 'must be a step {title, detail?, required?}' },
);
export type ChecklistStepInput = z.infer<typeof checklistStepInput>;

export const checklistInput = z
  .array(checklistStepInput, { message: 'must be a list of steps' })
  .max(TEMPLATE_LIMITS.stepsMax, { message: `must have at most ${TEMPLATE_LIMITS.stepsMax} steps` })
  .superRefine(noRepeats((s) => s.id, 'id'));

export const checklistStep = z.object({
  id: z.string(),
  title: z.string(),
  detail: z.string().nullable(),
  required: z.boolean(),
});
export type ChecklistStep = z.infer<typeof checklistStep>;

const content = {
  name: text(TEMPLATE_LIMITS.nameMax),
  category,
  defaultPriority: priority,
  /** Markdown source, stored as given; whoever shows it renders it safely. */
  instructions: text(LIMITS.instructionsMax),
  checklist: checklistInput,
  inputs: inputFields,
  deadlineRule,
};

export const createTemplateBody = z.strictObject({
  ...content,
  defaultPriority: content.defaultPriority.default('normal'),
  checklist: content.checklist.default([]),
  inputs: content.inputs.default([]),
});
export type CreateTemplateBody = z.infer<typeof createTemplateBody>;

/** An edit: the fields given replace the current version's, the rest carry over, into a new version. */
export const updateTemplateBody = z
  .strictObject({
    name: content.name.optional(),
    category: content.category.optional(),
    defaultPriority: content.defaultPriority.optional(),
    instructions: content.instructions.optional(),
    checklist: content.checklist.optional(),
    inputs: content.inputs.optional(),
    deadlineRule: content.deadlineRule.optional(),
    /** The version the edit was made on; another edit in between is a 409. */
    baseVersion: z
      .number({ message: 'must be a number' })
      .min(1, { message: 'must be at least 1' })
      .max(1_000_000, { message: 'must be at most 1000000' })
      .int({ message: 'must be an integer' })
      .optional(),
  })
  .refine((b) => Object.keys(b).some((k) => k !== 'baseVersion'), { message: 'must change at least one field' });
export type UpdateTemplateBody = z.infer<typeof updateTemplateBody>;

export const TEMPLATE_SCOPES = ['all', 'organization', 'starter'] as const;
export const ARCHIVED_FILTERS = ['exclude', 'only', 'include'] as const;
export type TemplateScope = (typeof TEMPLATE_SCOPES)[number];
export type ArchivedFilter = (typeof ARCHIVED_FILTERS)[number];

export const listTemplatesQuery = listQuery.extend({
  category: category.optional(),
  scope: z.enum(TEMPLATE_SCOPES, { message: `must be one of ${TEMPLATE_SCOPES.join(', ')}` }).default('all'),
  archived: z.enum(ARCHIVED_FILTERS, { message: `must be one of ${ARCHIVED_FILTERS.join(', ')}` }).default('exclude'),
});
export type ListTemplatesQuery = z.infer<typeof listTemplatesQuery>;

/** A stored deadline rule as answered: the shape without the checks of a request, as every view here is. */
export const deadlineRuleView = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('business_hours'), hours: z.number() }),
  z.object({ kind: z.literal('calendar_hours'), hours: z.number() }),
  z.object({ kind: z.literal('by_time'), time: z.string(), day: z.enum(DEADLINE_DAYS) }),
]);

export const templateVersionParams = z.strictObject({ id: uuid, versionId: uuid });

export const templateVersionView = z.object({
  id: z.string(),
  templateId: z.string(),
  version: z.number().int(),
  name: z.string(),
  category,
  defaultPriority: priority,
  instructions: z.string(),
  checklist: z.array(checklistStep),
  inputs: z.array(inputField),
  deadlineRule: deadlineRuleView,
  createdBy: z.string().nullable(),
  createdAt: z.string(),
});
export type TemplateVersionView = z.infer<typeof templateVersionView>;

export const templateSummary = z.object({
  id: z.string(),
  /** null for a starter template, shared with every organization. */
  organizationId: z.string().nullable(),
  starter: z.boolean(),
  name: z.string(),
  category,
  defaultPriority: priority,
  version: z.number().int(),
  versionId: z.string(),
  stepCount: z.number().int(),
  inputCount: z.number().int(),
  deadlineRule: deadlineRuleView,
  archivedAt: z.string().nullable(),
  /** Its own monthly budget (PUT /api/templates/:id/budget); null: only the organization's applies. */
  monthlyBudgetCents: z.number().int().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TemplateSummary = z.infer<typeof templateSummary>;

export const templateView = templateSummary.extend({ current: templateVersionView });
export type TemplateView = z.infer<typeof templateView>;

export const templatePage = z.object({ items: z.array(templateSummary), nextCursor: z.string().nullable() });
export const templateVersionPage = z.object({ items: z.array(templateVersionView), nextCursor: z.string().nullable() });

const PREVIEW_WINDOW_MS = 366 * 86_400_000;

export const previewTemplateBody = z.strictObject({
  /** The submitter's values, by field key; checked against the version's fields. */
  inputs: z.record(z.string(), z.unknown(), { message: 'must be an object of values by field key' }).default({}),
  priority: priority.optional(),
  /** Preview an older version; the current one otherwise. */
  versionId: uuid.optional(),
  /** When the task would be submitted, within a year of now; now otherwise. */
  submittedAt: isoDate
    .refine((v) => Math.abs(Date.parse(v) - Date.now()) <= PREVIEW_WINDOW_MS, { message: 'must be within a year of now' })
    .optional(),
});
export type PreviewTemplateBody = z.infer<typeof previewTemplateBody>;

export const templatePreview = z.object({
  templateId: z.string(),
  versionId: z.string(),
  version: z.number().int(),
  category,
  priority,
  priceCents: z.number().int(),
  currency: z.string(),
  submittedAt: z.string(),
  deadline: z.string(),
  /** The organization's zone the deadline rule was read in. */
  timeZone: z.string(),
  inputs: z.record(z.string(), z.union([z.string(), z.number()])),
  /** The organization's monthly budget as it stands now; null without one. */
  budget: budgetStanding.nullable(),
  /** The template's own monthly budget as it stands now; null without one. */
  templateBudget: budgetStanding.nullable(),
});
export type TemplatePreview = z.infer<typeof templatePreview>;
