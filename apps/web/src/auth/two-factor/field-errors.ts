/** What a contracts schema says is wrong with a form's values, by field: the same rules the API applies. */
export function fieldErrors(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } }, values: unknown): Record<string, string> {
  const parsed = schema.safeParse(values);
  if (parsed.success || !parsed.error) return {};
  const out: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    out[field] ??= issue.message;
  }
  return out;
}
