const DAY_MILLISECONDS = 86_400_000;

/** "19:05": what a model reads best, and what Slack answers quote. Always UTC. */
export function formatUtcClock(timestamp: number): string {
  return new Date(timestamp).toISOString().slice(11, 16);
}

/** "19:05" within a day of `now`, else "2026-11-20 19:05", so an old deploy is not mistaken for today's. */
export function formatUtcTime(timestamp: number, now: number): string {
  const iso = new Date(timestamp).toISOString();
  return Math.abs(now - timestamp) < DAY_MILLISECONDS ? iso.slice(11, 16) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** "3h 20m", "45m", "2d 4h": how long ago something started. */
export function formatAge(milliseconds: number): string {
  const minutes = Math.max(0, Math.floor(milliseconds / 60_000));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days}d` : `${days}d ${hours % 24}h`;
}
