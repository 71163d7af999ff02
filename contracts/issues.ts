// zod issues as one readable line each: `path: message`, used by startup checks and DLQ copies.
import type { z } from 'zod';

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}
