import { TextInput } from '@mantine/core';

/** The six digits from an authenticator app, or a recovery code: what phones offer to fill in. */
export function CodeField({ recovery, value, onChange, error, autoFocus }: { recovery?: boolean; value: string; onChange: (v: string) => void; error?: string; autoFocus?: boolean }) {
  return recovery ? (
    <TextInput label="Recovery code" placeholder="XXXX-XXXX-XXXX-XXXX" autoComplete="off" spellCheck={false} required value={value} onChange={(e) => onChange(e.currentTarget.value)} error={error} autoFocus={autoFocus} />
  ) : (
    <TextInput
      label="Authentication code"
      description="The 6-digit code from your authenticator app"
      inputMode="numeric"
      autoComplete="one-time-code"
      maxLength={9}
      required
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      error={error}
      autoFocus={autoFocus}
    />
  );
}
