import type { z } from 'zod';

/** `services.order-service.dependencies[1]: unknown service "x"` — the YAML path, then what was expected. */
export function formatZodIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path
    .map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? String(segment) : `.${String(segment)}`))
    .join('');
  return path ? `${path}: ${issue.message}` : issue.message;
}
