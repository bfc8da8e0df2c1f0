import { parseAllDocuments } from 'yaml';
import { expect } from 'vitest';
import { asArray, asObject, type Json } from './json-shapes.js';

export interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export const READ_VERBS = new Set(['get', 'list', 'watch']);

/** `group/resource` -> verbs, from rules. */
export function grants(rules: Rule[]): Map<string, Set<string>> {
  const granted = new Map<string, Set<string>>();
  for (const rule of rules) {
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const key = `${group}/${resource}`;
        const verbs = granted.get(key) ?? new Set<string>();
        for (const verb of rule.verbs ?? []) verbs.add(verb);
        granted.set(key, verbs);
      }
    }
  }
  return granted;
}

/** Grants as a plain object with sorted verbs, to compare with toEqual. */
export function grantsObject(rules: Rule[]): Record<string, string[]> {
  return Object.fromEntries([...grants(rules)].map(([resource, verbs]) => [resource, [...verbs].sort()]));
}

export function writesOf(rules: Rule[]): string[] {
  return [...grants(rules)].flatMap(([resource, verbs]) => [...verbs].filter((verb) => !READ_VERBS.has(verb)).map((verb) => `${verb} ${resource}`)).sort();
}

/** Kubernetes objects, as parsed manifests, and what their RBAC grants each ServiceAccount. */
export class KubernetesObjects {
  constructor(readonly all: Json[]) {}

  static parse(text: string): KubernetesObjects {
    return new KubernetesObjects(parseAllDocuments(text).map((document) => asObject(document.toJS())).filter((object) => Object.keys(object).length > 0));
  }

  byKind(kind: string): Json[] {
    return this.all.filter((object) => object.kind === kind);
  }

  named(kind: string, name: string): Json | undefined {
    return this.byKind(kind).find((object) => asObject(object.metadata).name === name);
  }

  get roles(): Json[] {
    return [...this.byKind('ClusterRole'), ...this.byKind('Role')];
  }

  get bindings(): Json[] {
    return [...this.byKind('ClusterRoleBinding'), ...this.byKind('RoleBinding')];
  }

  rulesOf(role: Json | undefined): Rule[] {
    return asArray(role?.rules) as Rule[];
  }

  /** The role a binding refers to (undefined when it is not among the objects). */
  roleOf(binding: Json): Json | undefined {
    const reference = asObject(binding.roleRef);
    return this.named(String(reference.kind), String(reference.name));
  }

  /** The bindings whose subjects include the ServiceAccount. */
  bindingsOf(account: Json): Json[] {
    const { name, namespace } = asObject(account.metadata);
    return this.bindings.filter((binding) =>
      asArray(binding.subjects).map(asObject).some((subject) => subject.kind === 'ServiceAccount' && subject.name === name && subject.namespace === namespace),
    );
  }

  /** Every rule bound to the ServiceAccount, wherever. */
  rulesFor(account: Json): Rule[] {
    return this.bindingsOf(account).flatMap((binding) => this.rulesOf(this.roleOf(binding)));
  }

  /** Where the ServiceAccount may write: the namespaces of bindings to roles with write verbs, or `cluster-wide`. */
  writeScopes(account: Json): string[] {
    return this.bindingsOf(account)
      .filter((binding) => writesOf(this.rulesOf(this.roleOf(binding))).length > 0)
      .map((binding) => (binding.kind === 'ClusterRoleBinding' ? 'cluster-wide' : String(asObject(binding.metadata).namespace)))
      .sort();
  }

  /** Every binding names a role and ServiceAccounts that are among the objects. */
  expectBindingsResolve(where: string) {
    for (const binding of this.bindings) {
      const name = `${where}: ${String(binding.kind)} ${String(asObject(binding.metadata).name)}`;
      expect(this.roleOf(binding), `${name}: its role`).toBeDefined();
      expect(asObject(binding.roleRef).apiGroup, name).toBe('rbac.authorization.k8s.io');
      const subjects = asArray(binding.subjects).map(asObject);
      expect(subjects.length, name).toBeGreaterThan(0);
      for (const subject of subjects) {
        expect(subject.kind, name).toBe('ServiceAccount');
        const account = this.named('ServiceAccount', String(subject.name));
        expect(account, `${name}: ServiceAccount ${String(subject.name)}`).toBeDefined();
        expect(asObject(account?.metadata).namespace ?? subject.namespace, name).toBe(subject.namespace);
      }
    }
  }
}
