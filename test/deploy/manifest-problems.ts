import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { asObject, type Json } from './json-shapes.js';
import { KubernetesFieldChecker } from './kubernetes-field-checker.js';

interface Model {
  apiVersion: string;
  kind: string;
  new (data: never): { validate(): void };
}

/** The kinds deploy/ ships, by `apiVersion kind`; a new kind fails validation until it is listed here. */
const MODELS: ReadonlyMap<string, Model> = new Map(
  [Deployment, PodDisruptionBudget, ClusterRole, ClusterRoleBinding, Role, RoleBinding, ConfigMap, Secret, Service, ServiceAccount].map((model) => [`${model.apiVersion} ${model.kind}`, model as unknown as Model]),
);

let fieldChecker: KubernetesFieldChecker | undefined;

/**
 * What is wrong with Kubernetes objects, offline, one line each (`Deployment aiops-bot: …`):
 * kubernetes-models' schemas (Kubernetes 1.27's: required fields, types, enums, formats), then
 * fields no type declares. Empty when every object would be accepted as written.
 */
export function manifestProblems(objects: readonly Json[]): string[] {
  const checker = (fieldChecker ??= new KubernetesFieldChecker([...MODELS.values()]));
  return objects.flatMap((object) => {
    const name = `${String(object.kind)} ${String(asObject(object.metadata).name)}`;
    const Model = MODELS.get(`${String(object.apiVersion)} ${String(object.kind)}`);
    if (!Model) return [`${name}: no model for ${String(object.apiVersion)} ${String(object.kind)} (add it to MODELS)`];
    const problems: string[] = [];
    try {
      new Model(object as never).validate();
    } catch (error) {
      problems.push((error as Error).message);
    }
    problems.push(...checker.unknownFields(object));
    return problems.map((problem) => `${name}: ${problem}`);
  });
}
