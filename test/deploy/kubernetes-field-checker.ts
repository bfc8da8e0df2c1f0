import { join } from 'node:path';
import ts from 'typescript';
import { REPOSITORY_ROOT } from './repository-files.js';

/** A file that exists only in the program below: one type alias per kind, naming its kubernetes-models interface. */
const ROOT_FILE = join(REPOSITORY_ROOT, 'test/deploy/__kubernetes-models-types__.ts');

/** `apps/v1` + `Deployment` -> `kubernetes-models/apps/v1/Deployment`; the core group (`v1`) has no group folder. */
export function modelModule(apiVersion: string, kind: string): string {
  return `kubernetes-models/${apiVersion}/${kind}`;
}

/**
 * Unknown fields in Kubernetes objects, found from kubernetes-models' type declarations. Its
 * bundled JSON schemas check the type of every field they know (`containerPort: "8080"`) but,
 * like the OpenAPI documents they come from, allow fields they do not know, so a misspelt
 * `replica: 2` passes them; a cluster not asked for strict validation (Helm does not ask) drops
 * such a field with only a warning, and the Deployment runs with one replica. The declarations list every field of every type, so walking
 * an object along them finds the misspelt one, as `kubectl apply --validate=strict` would with a cluster.
 */
export class KubernetesFieldChecker {
  private readonly checker: ts.TypeChecker;
  private readonly types = new Map<string, ts.Type>();

  constructor(kinds: ReadonlyArray<{ apiVersion: string; kind: string }>) {
    const unique = [...new Map(kinds.map((kind) => [`${kind.apiVersion} ${kind.kind}`, kind])).values()];
    const source = unique.map(({ apiVersion, kind }, index) => `export type T${index} = import('${modelModule(apiVersion, kind)}').I${kind};`).join('\n');
    const options: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, skipLibCheck: true, types: [] };
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists, readFile } = host;
    host.getSourceFile = (fileName, languageVersion, ...rest) =>
      fileName === ROOT_FILE ? ts.createSourceFile(fileName, source, languageVersion) : getSourceFile.call(host, fileName, languageVersion, ...rest);
    host.fileExists = (fileName) => fileName === ROOT_FILE || fileExists.call(host, fileName);
    host.readFile = (fileName) => (fileName === ROOT_FILE ? source : readFile.call(host, fileName));
    const program = ts.createProgram([ROOT_FILE], options, host);
    this.checker = program.getTypeChecker();
    const root = program.getSourceFile(ROOT_FILE);
    for (const statement of root?.statements ?? []) {
      if (!ts.isTypeAliasDeclaration(statement)) continue;
      const { apiVersion, kind } = unique[Number(statement.name.text.slice(1))] ?? { apiVersion: '', kind: '' };
      const type = this.checker.getTypeAtLocation(statement.type);
      // An unresolved import is `any`: no model for this kind in this version of kubernetes-models.
      if (!(type.flags & ts.TypeFlags.Any)) this.types.set(`${apiVersion} ${kind}`, type);
    }
  }

  /** Where the object has a field its kind does not have (`spec.replica`), or why it cannot be checked. */
  unknownFields(object: Record<string, unknown>): string[] {
    const type = this.types.get(`${String(object.apiVersion)} ${String(object.kind)}`);
    if (!type) return [`no kubernetes-models type for ${String(object.apiVersion)} ${String(object.kind)}`];
    const problems: string[] = [];
    this.walk(object, type, '', problems);
    return problems;
  }

  private walk(value: unknown, declared: ts.Type, path: string, problems: string[]): void {
    if (value === null || typeof value !== 'object') return;
    let type = this.checker.getNonNullableType(declared);
    if (type.isUnion()) {
      // IntOrString, Quantity and the like hold no objects; a union of object types is not guessed at.
      const shaped = type.types.filter((member) => (Array.isArray(value) ? this.checker.isArrayType(member) : member.flags & ts.TypeFlags.Object));
      if (shaped.length !== 1 || !shaped[0]) return;
      type = shaped[0];
    }
    if (Array.isArray(value)) {
      const element = this.checker.isArrayType(type) ? this.checker.getTypeArguments(type as ts.TypeReference)[0] : undefined;
      if (element) value.forEach((item, index) => this.walk(item, element, `${path}[${index}]`, problems));
      return;
    }
    const index = this.checker.getIndexInfoOfType(type, ts.IndexKind.String);
    const known = this.checker.getPropertiesOfType(type);
    for (const [key, item] of Object.entries(value)) {
      const field = path ? `${path}.${key}` : key;
      const property = known.find((candidate) => candidate.name === key);
      if (property) this.walk(item, this.checker.getTypeOfSymbol(property), field, problems);
      else if (index) this.walk(item, index.type, field, problems);
      // A type with no declared fields is free-form (RawExtension, JSON): anything goes.
      else if (known.length > 0) problems.push(`${field}: unknown field (known: ${known.map((candidate) => candidate.name).join(', ')})`);
    }
  }
}
