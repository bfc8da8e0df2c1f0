import type { z } from 'zod';

/** `services.order-service.dependencies[1]: unknown service "x"` — the YAML path, then what was expected. */
export function formatZodIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path
    .map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? String(segment) : `.${String(segment)}`))
    .join('');
  // A record key that fails its own schema reports only "Invalid key in record"; what was expected
  // lives in the nested issue.
  const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  return path ? `${path}: ${message}` : message;
}
