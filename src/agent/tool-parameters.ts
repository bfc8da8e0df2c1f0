import { z } from 'zod';

/**
 * A tool's zod schema as the JSON Schema the model sees. The input side: a field with a default
 * is optional to the caller (LangChain's own conversion uses the output side and marks it
 * required). zod's bounds of a plain integer (±2^53-1) and the `$schema` header are noise to a
 * model, so they are left out.
 */
export function toolParameters(schema: z.ZodObject): Record<string, unknown> {
  const { $schema: _schema, ...parameters } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return withoutSafeIntegerBounds(parameters) as Record<string, unknown>;
}

function withoutSafeIntegerBounds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSafeIntegerBounds);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value)
    .filter(([key, item]) => !((key === 'maximum' || key === 'minimum') && Math.abs(Number(item)) === Number.MAX_SAFE_INTEGER))
    .map(([key, item]) => [key, withoutSafeIntegerBounds(item)]);
  return Object.fromEntries(entries);
}
