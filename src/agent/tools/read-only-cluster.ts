import type { Cluster } from '../../sources/cluster.js';

/**
 * The part of the cluster a tool may touch: reads only. Tools are typed against this rather than
 * Cluster so that a write (scale, restart, rollback, delete) from a tool does not even compile;
 * writes run only from src/healing/ after policy and approval.
 */
export type ReadOnlyCluster = Pick<Cluster, 'kind' | 'listDeployments' | 'getDeployment' | 'listPods' | 'listEvents' | 'getAutoscaler'>;
