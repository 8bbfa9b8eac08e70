// Forms check what they send with the same schemas the core and the server use
// (shared/ipc.ts, shared/api.ts), so a rule and its words live in one place.
import type { z } from 'zod';
import { issueLimit } from '../../shared/api.js';
import { fieldSaid } from '../../shared/messages.js';

/** A schema's refusal in the reader's language: its message is the rule's key (shared/api.ts `rule`). */
export const issueSaid = (issue: z.core.$ZodIssue): string => fieldSaid({ message: issue.message, limit: issueLimit(issue) });

/** The first message for each top-level field the schema refuses; empty when the value passes. */
export function fieldErrors<K extends string>(schema: z.ZodType, value: Record<K, unknown>): Partial<Record<K, string>> {
  const result = schema.safeParse(value);
  const errors: Partial<Record<K, string>> = {};
  if (result.success) return errors;
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? '') as K;
    errors[key] ??= issueSaid(issue);
  }
  return errors;
}

/** After a refused submit, the first field marked invalid takes the focus, so its error is read out. */
export function focusFirstInvalid(form: HTMLFormElement | null): void {
  requestAnimationFrame(() => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}
