import { z } from 'zod';
import { localDateString } from './calendar/business-hours.js';
import { plainString } from './schemas/common.js';
import type { InputField } from './schemas/templates.js';

/** A submitter's value as stored on a task: text, dates (YYYY-MM-DD) and choices as strings, numbers as numbers. */
export type InputValue = string | number;
export type InputValues = Record<string, InputValue>;

export interface InputIssue {
  /** The field's key; empty when the inputs as a whole are wrong. */
  key: string;
  message: string;
}

export type InputCheck = { ok: true; values: InputValues } | { ok: false; issues: InputIssue[] };

// A CSV cell or a form field is text, so a number may come as its decimal spelling.
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function valueSchema(field: InputField): z.ZodType<InputValue> {
  switch (field.type) {
    case 'text': {
      let s = plainString().trim().max(field.maxLength, { message: `must be at most ${field.maxLength} characters` });
      if (field.minLength) s = s.min(field.minLength, { message: `must be at least ${field.minLength} characters` });
      return s;
    }
    case 'number': {
      // z.number refuses NaN and the infinities too (1e400 in text reads as Infinity).
      let n: z.ZodType<number> = z.number({ message: 'must be a number' });
      if (field.integer) n = n.refine(Number.isInteger, { message: 'must be a whole number' });
      if (field.min !== undefined) n = n.refine((v) => v >= field.min!, { message: `must be at least ${field.min}` });
      if (field.max !== undefined) n = n.refine((v) => v <= field.max!, { message: `must be at most ${field.max}` });
      return z.preprocess((v) => (typeof v === 'string' && DECIMAL.test(v.trim()) ? Number(v.trim()) : v), n);
    }
    case 'date': {
      let d: z.ZodType<string> = plainString().trim().pipe(localDateString);
      if (field.min !== undefined) d = d.refine((v) => v >= field.min!, { message: `must be on or after ${field.min}` });
      if (field.max !== undefined) d = d.refine((v) => v <= field.max!, { message: `must be on or before ${field.max}` });
      return d;
    }
    case 'choice':
      return plainString()
        .trim()
        .refine((v) => field.options.includes(v), { message: `must be one of ${field.options.join(', ')}` });
  }
}

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/**
 * Checks a submitter's inputs against a template version's fields, reporting
 * every problem at once (a bulk import shows them per row). A blank value
 * (missing, null, empty text) is an absent one: refused when the field is
 * required, left out of the values otherwise. Keys that name no field are refused.
 */
export function validateTemplateInputs(fields: readonly InputField[], inputs: unknown): InputCheck {
  if (inputs === undefined || inputs === null) inputs = {};
  if (typeof inputs !== 'object' || Array.isArray(inputs)) return { ok: false, issues: [{ key: '', message: 'must be an object of values by field key' }] };
  const given = inputs as Record<string, unknown>;
  const issues: InputIssue[] = [];
  const values: InputValues = {};
  const known = new Set(fields.map((f) => f.key));
  for (const key of Object.keys(given)) {
    if (!known.has(key)) issues.push({ key, message: 'is not a field of this template' });
  }
  for (const field of fields) {
    const raw = Object.hasOwn(given, field.key) ? given[field.key] : undefined;
    if (isBlank(raw)) {
      if (field.required) issues.push({ key: field.key, message: 'is required' });
      continue;
    }
    const parsed = valueSchema(field).safeParse(raw);
    if (parsed.success) values[field.key] = parsed.data;
    else issues.push({ key: field.key, message: parsed.error.issues[0]?.message ?? 'is invalid' });
  }
  return issues.length ? { ok: false, issues } : { ok: true, values };
}

/** "inputs.amount must be at most 100": the field first, as every 400 of the API names it. */
export function describeInputIssue(issue: InputIssue, prefix = 'inputs'): string {
  return `${issue.key ? `${prefix}.${issue.key}` : prefix} ${issue.message}`;
}
