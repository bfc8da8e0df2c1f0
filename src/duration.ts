const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_MILLISECONDS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30s`, `10m`, `2h`, `1d` in milliseconds; undefined for anything else (one unit, whole numbers). */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MILLISECONDS[match[2] as keyof typeof UNIT_MILLISECONDS];
}

/** The inverse of parseDuration: `2h` for two hours, `90m`, `1d`, `30s`; the largest unit that divides it. */
export function formatDuration(milliseconds: number): string {
  const units = Object.entries(UNIT_MILLISECONDS).reverse() as Array<[keyof typeof UNIT_MILLISECONDS, number]>;
  const [unit, size] = units.find(([, size]) => milliseconds % size === 0) ?? ['s', 1_000];
  return `${Math.round(milliseconds / size)}${unit}`;
}

/** A span for people: "12 min", "2 h 5 min" (at least 1 min: an incident never lasts "0 min"). */
export function describeDuration(milliseconds: number): string {
  const minutes = Math.max(1, Math.round(milliseconds / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}
