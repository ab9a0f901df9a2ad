import type { FormErrors } from '@mantine/form';
import { isApiError } from '../api/http';

/** The part of a zod schema the resolver needs; structural, so the dashboard needs no zod of its own. */
interface RequestSchema {
  safeParse(input: unknown): { success: true } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

export interface ResolverOptions<Values> {
  /** The request body the schema checks, built from the form's values (numbers, ISO instants, role-specific fields). */
  toBody: (values: Values) => unknown;
  /** What to say under a field left empty, in place of the contract's wording. */
  required?: Partial<Record<keyof NoInfer<Values> & string, string>>;
  /** The form field a body field is typed into, where their names differ. */
  fields?: Record<string, keyof NoInfer<Values> & string>;
}

/** "must not be empty" → "Must not be empty": a contract message as the sentence under its field. */
export const sentence = (message: string) => message.charAt(0).toUpperCase() + message.slice(1);

const isEmpty = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && !v.trim()) || (Array.isArray(v) && v.length === 0);

/**
 * A @mantine/form validator from a contract's request schema: the same rules the API applies, every
 * field's first problem at once, each under the field it belongs to.
 */
export function contractResolver<Values extends object>(schema: RequestSchema, { toBody, required = {}, fields = {} }: ResolverOptions<Values>) {
  return (values: Values): FormErrors => {
    const parsed = schema.safeParse(toBody(values));
    if (parsed.success) return {};
    const errors: FormErrors = {};
    for (const issue of parsed.error.issues) {
      const head = issue.path[0];
      if (head === undefined) continue;
      const field = fields[String(head)] ?? String(head);
      if (field in errors) continue;
      const requiredMessage = (required as Record<string, string | undefined>)[field];
      errors[field] = requiredMessage && isEmpty((values as Record<string, unknown>)[field]) ? requiredMessage : sentence(issue.message);
    }
    return errors;
  };
}

/**
 * The form field a refusal from the API is about: `field` in the body, or the field its message starts
 * with ("amountCents must be positive"), with the message that belongs under it. Null for anything else.
 */
export function serverFieldError(error: unknown, formFields: readonly string[], fields: Record<string, string> = {}): { field: string; message: string } | null {
  if (!isApiError(error) || (error.status !== 400 && error.status !== 422)) return null;
  const message = error.message;
  const named = error.body?.field ?? /^([\w.]+)/.exec(message)?.[1] ?? '';
  const head = named.split('.')[0]!;
  const field = fields[head] ?? head;
  if (!formFields.includes(field)) return null;
  const rest = message.startsWith(named) ? message.slice(named.length).replace(/^[\s:.]+/, '') : message;
  return { field, message: sentence(rest || message) };
}

/** The error for the form as a whole: none when it belongs under one of the form's fields. */
export function formLevelError<E>(error: E | null, formFields: readonly string[]): E | null {
  return error && !serverFieldError(error, formFields) ? error : null;
}

/** Puts a refusal that names a field under that field; false when it names none, for the form to show it as a whole. */
export function showServerFieldError(
  form: { setFieldError: (field: string, message: string) => void },
  error: unknown,
  formFields: readonly string[],
  fields?: Record<string, string>,
): boolean {
  const found = serverFieldError(error, formFields, fields);
  if (found) form.setFieldError(found.field, found.message);
  return !!found;
}

/** For `form.onSubmit(submit, focusFirstError)`: focus lands on the first field showing an error, for keyboard and screen-reader users. */
export function focusFirstError(_errors: unknown, _values: unknown, event?: { target: EventTarget | null }): void {
  const form = event?.target instanceof HTMLFormElement ? event.target : null;
  // After React has rendered the errors, so the fields carry aria-invalid.
  setTimeout(() => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
}
