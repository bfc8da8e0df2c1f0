/**
 * The simulated shop: ten services, their call graph and the numbers that make their signals
 * look like a real estate's. Traffic enters at the frontend (and, for a few APIs, directly) and
 * flows down the call graph; latency and errors flow back up it.
 */

export const SIM_NAMESPACE = 'shop';

export interface ServiceProfile {
  name: string;
  /** Image repository; the tag is the revision's version. */
  image: string;
  /** Versions deployed so far, oldest first; the last is running when the world starts. */
  versions: string[];
  replicas: number;
  cpuRequestCores: number;
  cpuLimitCores: number;
  memoryRequestBytes: number;
  memoryLimitBytes: number;
  /** Working set of an idle pod. */
  baseMemoryBytes: number;
  /** Extra working set per request per second handled by the pod (buffers, caches). */
  memoryPerRequestBytes: number;
  /** CPU seconds one request costs. */
  cpuSecondsPerRequest: number;
  /** CPU an idle pod burns (runtime, health checks). */
  idleCpuCores: number;
  /** Median time spent in the service itself, without calls to dependencies. */
  processingSeconds: number;
  /** How long callers wait before giving up on this service. */
  callerTimeoutSeconds: number;
  baseErrorRate: number;
  /** Requests per second arriving from outside the estate at the daily peak. */
  externalPeakRate: number;
  /** Calls per request to each dependency. */
  calls: Record<string, number>;
  /** Requests per logged info line: keeps log volume realistic. */
  requestsPerInfoLine: number;
}

const MEBIBYTE = 1024 * 1024;

function profile(partial: Partial<ServiceProfile> & Pick<ServiceProfile, 'name' | 'versions'>): ServiceProfile {
  return {
    image: `registry.shop.example/${partial.name}`,
    replicas: 3,
    cpuRequestCores: 0.5,
    cpuLimitCores: 1,
    memoryRequestBytes: 256 * MEBIBYTE,
    memoryLimitBytes: 512 * MEBIBYTE,
    baseMemoryBytes: 180 * MEBIBYTE,
    memoryPerRequestBytes: 0.4 * MEBIBYTE,
    cpuSecondsPerRequest: 0.004,
    idleCpuCores: 0.02,
    processingSeconds: 0.012,
    callerTimeoutSeconds: 3,
    baseErrorRate: 0.0008,
    externalPeakRate: 0,
    calls: {},
    requestsPerInfoLine: 400,
    ...partial,
  };
}

export const ESTATE: readonly ServiceProfile[] = [
  profile({
    name: 'frontend',
    versions: ['4.11.0', '4.12.0', '4.12.1'],
    replicas: 4,
    externalPeakRate: 140,
    cpuSecondsPerRequest: 0.006,
    processingSeconds: 0.018,
    calls: { catalogue: 1.4, cart: 0.6, user: 0.5, checkout: 0.08 },
    callerTimeoutSeconds: 10,
    requestsPerInfoLine: 800,
  }),
  profile({
    name: 'checkout',
    versions: ['2.3.0', '2.4.0'],
    replicas: 2,
    processingSeconds: 0.03,
    calls: { 'order-service': 1, cart: 1, payment: 1, shipping: 1 },
    callerTimeoutSeconds: 8,
    requestsPerInfoLine: 20,
  }),
  profile({
    name: 'order-service',
    versions: ['1.6.2', '1.7.0', '1.7.1'],
    replicas: 3,
    processingSeconds: 0.025,
    cpuSecondsPerRequest: 0.008,
    memoryLimitBytes: 768 * MEBIBYTE,
    baseMemoryBytes: 260 * MEBIBYTE,
    calls: { database: 3, cache: 2 },
    callerTimeoutSeconds: 5,
    requestsPerInfoLine: 20,
  }),
  profile({
    name: 'payment',
    versions: ['2.3.4', '2.4.0'],
    replicas: 2,
    processingSeconds: 0.08,
    calls: { database: 1 },
    callerTimeoutSeconds: 5,
    requestsPerInfoLine: 10,
  }),
  profile({
    name: 'cart',
    versions: ['3.0.5', '3.1.0'],
    replicas: 3,
    processingSeconds: 0.008,
    calls: { cache: 2 },
    requestsPerInfoLine: 200,
  }),
  profile({
    name: 'catalogue',
    versions: ['5.2.0', '5.3.0', '5.3.2'],
    replicas: 3,
    externalPeakRate: 25,
    cpuSecondsPerRequest: 0.0045,
    processingSeconds: 0.015,
    calls: { database: 0.3, cache: 1 },
    requestsPerInfoLine: 600,
  }),
  profile({
    name: 'shipping',
    versions: ['1.2.0', '1.3.0'],
    replicas: 2,
    processingSeconds: 0.04,
    calls: { database: 1 },
    requestsPerInfoLine: 10,
  }),
  profile({
    name: 'user',
    versions: ['2.0.1', '2.1.0'],
    replicas: 2,
    processingSeconds: 0.01,
    calls: { database: 0.2, cache: 1 },
    requestsPerInfoLine: 200,
  }),
  profile({
    name: 'database',
    versions: ['15.4', '15.6'],
    replicas: 1,
    cpuRequestCores: 2,
    cpuLimitCores: 4,
    memoryRequestBytes: 4096 * MEBIBYTE,
    memoryLimitBytes: 8192 * MEBIBYTE,
    baseMemoryBytes: 2600 * MEBIBYTE,
    memoryPerRequestBytes: 2 * MEBIBYTE,
    cpuSecondsPerRequest: 0.002,
    processingSeconds: 0.004,
    callerTimeoutSeconds: 2,
    baseErrorRate: 0.0002,
    image: 'postgres',
    requestsPerInfoLine: 2000,
  }),
  profile({
    name: 'cache',
    versions: ['7.0.15', '7.2.4'],
    replicas: 1,
    cpuRequestCores: 0.5,
    cpuLimitCores: 1,
    memoryRequestBytes: 1024 * MEBIBYTE,
    memoryLimitBytes: 2048 * MEBIBYTE,
    baseMemoryBytes: 700 * MEBIBYTE,
    memoryPerRequestBytes: 0.1 * MEBIBYTE,
    cpuSecondsPerRequest: 0.0002,
    processingSeconds: 0.0008,
    callerTimeoutSeconds: 0.5,
    baseErrorRate: 0.0001,
    image: 'redis',
    requestsPerInfoLine: 5000,
  }),
];

export function estateProfile(name: string): ServiceProfile | undefined {
  return ESTATE.find((service) => service.name === name);
}

/** Services that call `name` directly. */
export function callersOf(name: string): string[] {
  return ESTATE.filter((service) => name in service.calls).map((service) => service.name);
}

/** Callers before callees: the order traffic flows in. */
export function topologicalOrder(): string[] {
  const order: string[] = [];
  const visited = new Set<string>();
  const visit = (name: string): void => {
    if (visited.has(name)) return;
    visited.add(name);
    for (const caller of callersOf(name)) visit(caller);
    order.push(name);
  };
  for (const service of ESTATE) visit(service.name);
  return order;
}
