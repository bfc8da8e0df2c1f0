/** Narrowing of parsed YAML and JSON: what a manifest holds is unknown until looked at. */
export type Json = Record<string, unknown>;

/** The value as an object, or `{}` when it is not one (a missing or mistyped section reads as empty). */
export const asObject = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
export const asStrings = (value: unknown): string[] => asArray(value).map(String);
