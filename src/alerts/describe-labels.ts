/**
 * Labels as people read them in a title: `alertname=KubePodCrashLooping, cluster=eu-1`, sorted by
 * name so the same group always reads the same (Alertmanager sends groupLabels sorted too).
 */
export function describeLabels(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}=${labels[name]}`)
    .join(', ');
}
