import type { ComponentDefinition, TemplateComponent, TemplateDocument } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';
import { formatPath } from '@bud/errors';
import type { Expr, FoundReference } from '../expressions';
import { ExpressionError, collectReferences, parseExpression, parseTemplate } from '../expressions';
import { CONFIG_KEYS, planningFields, secretAllowedAt, secretPlacementMessage, suppliesInput } from './component-fields';
import { checkInstanceFiles, fileContentRelative, fileSources } from './component-files';
import type { DependencyGraph } from './dag';
import { topologicalWaves } from './dag';
import { parameterProblem } from './parameters';
import { classifyReference } from './references';
import type { Registry } from './types';

export interface AnalyzedComponent {
  index: number;
  spec: TemplateComponent;
  definition: ComponentDefinition | undefined;
  /** Explicit and implicit (output reference) dependencies → the path that created each. */
  dependsOn: Map<string, string>;
  condition: Expr | boolean | undefined;
}

export interface TemplateAnalysis {
  components: AnalyzedComponent[];
  byId: ReadonlyMap<string, AnalyzedComponent>;
  errors: ErrorDetail[];
}

export function expressionDetail(error: ExpressionError): ErrorDetail {
  return { path: error.path, message: `${error.reason} (column ${error.column})` };
}

function parseCondition(condition: string, path: string): { expr: Expr; references: readonly FoundReference[] } {
  if (!condition.includes('{{')) {
    const parsed = parseExpression(condition, path);
    return { expr: parsed.expr, references: parsed.references.map((r) => ({ ...r, path })) };
  }
  const parsed = parseTemplate(condition, path);
  if (!parsed.single) throw new ExpressionError(path, 1, 'a condition must be one expression');
  return { expr: parsed.single, references: parsed.references.map((r) => ({ ...r, path })) };
}

class Analyzer {
  readonly errors: ErrorDetail[] = [];
  private readonly params: ReadonlyMap<string, { secret: boolean }>;
  private readonly ids: ReadonlyMap<string, TemplateComponent>;

  constructor(
    private readonly template: TemplateDocument,
    private readonly registry: Registry,
  ) {
    this.params = new Map(template.parameters.map((p) => [p.name, { secret: p.type === 'secret' }]));
    this.ids = new Map(template.components.map((c) => [c.id, c]));
  }

  run(): TemplateAnalysis {
    this.template.parameters.forEach((p, i) => {
      const problem = p.default === undefined ? null : parameterProblem(p, p.default);
      if (problem) this.errors.push({ path: `parameters[${i}].default`, message: problem });
    });
    const components = this.template.components.map((c, i) => this.component(c, i));
    const byId = new Map(components.map((c) => [c.spec.id, c]));
    const entry = this.template.routing?.entrypoint;
    if (entry !== undefined && !this.ids.has(entry))
      this.errors.push({ path: 'routing.entrypoint', message: `names no component of this template ('${entry}')` });
    const graph: DependencyGraph = new Map(components.map((c) => [c.spec.id, c.dependsOn]));
    const waves = topologicalWaves([...byId.keys()], graph);
    if (!waves.ok) this.errors.push(waves.error);
    return { components, byId, errors: this.errors };
  }

  private component(spec: TemplateComponent, index: number): AnalyzedComponent {
    const base = `components[${index}]`;
    const definition = this.registry.get(spec.component_ref);
    const dependsOn = new Map<string, string>();
    if (!definition)
      this.errors.push({ path: `${base}.component_ref`, message: `names no active registry component ('${spec.component_ref}')` });
    spec.depends_on.forEach((dep, j) => {
      const path = `${base}.depends_on[${j}]`;
      if (dep === spec.id) this.errors.push({ path, message: 'a component cannot depend on itself' });
      else if (!this.ids.has(dep)) this.errors.push({ path, message: `names no component of this template ('${dep}')` });
      else dependsOn.set(dep, path);
    });
    if (definition) this.checkShape(spec, definition, base);

    const late = [
      ...this.scan(spec.config, [index, 'config']),
      ...this.scan(spec.env, [index, 'env']),
      ...this.scanFiles(spec, definition, index),
    ];
    const early = planningFields(spec).flatMap(([field, value]) => this.scan(value, [index, ...field]));
    let condition: Expr | boolean | undefined = typeof spec.condition === 'boolean' ? spec.condition : undefined;
    if (typeof spec.condition === 'string') {
      try {
        const parsed = parseCondition(spec.condition, `${base}.condition`);
        condition = parsed.expr;
        early.push(...parsed.references);
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        this.errors.push(expressionDetail(error));
      }
    }
    for (const ref of late) this.reference(spec, definition, ref, false, dependsOn);
    for (const ref of early) this.reference(spec, definition, ref, true, dependsOn);
    return { index, spec, definition, dependsOn, condition };
  }

  private scan(value: unknown, path: Array<string | number>): FoundReference[] {
    const scan = collectReferences(value, ['components', ...path]);
    this.errors.push(...scan.errors.map(expressionDetail));
    return scan.references;
  }

  /** File content is scanned where it lands in the job (`files[k].content`) but reported where it is written. */
  private scanFiles(spec: TemplateComponent, definition: ComponentDefinition | undefined, index: number): FoundReference[] {
    const sources = definition ? fileSources(spec, definition) : (spec.files ?? []).map((file, j) => ({ file, origin: ['files', j] }));
    return sources.flatMap(({ file, origin }, k) => {
      const where = formatPath([...origin, 'content'], `components[${index}]`);
      const scan = collectReferences(file.content, ['components', index, ...fileContentRelative(k)]);
      this.errors.push(...scan.errors.map((e) => expressionDetail(new ExpressionError(where, e.column, e.reason))));
      return scan.references.map((r) => ({ ...r, path: where }));
    });
  }

  private checkShape(spec: TemplateComponent, definition: ComponentDefinition, base: string): void {
    const type = definition.deployment_type;
    this.errors.push(...checkInstanceFiles(spec, definition, base));
    if (type === 'helm' && Object.keys(spec.env).length > 0) {
      this.errors.push({
        path: `${base}.env`,
        message: `'${definition.id}' is a helm component: give its settings as config (chart values)`,
      });
    }
    if (type !== 'helm') {
      for (const key of Object.keys(spec.config)) {
        if (!CONFIG_KEYS[type].has(key)) {
          this.errors.push({
            path: formatPath([key], `${base}.config`),
            message: `is not a setting of a ${type} component (allowed: ${[...CONFIG_KEYS[type]].join(', ')})`,
          });
        }
      }
    }
    for (const input of definition.required_inputs) {
      if (!suppliesInput(spec, input))
        this.errors.push({ path: base, message: `must supply '${input}' (required by ${definition.id}) in env, config or model_id` });
    }
  }

  private reference(
    spec: TemplateComponent,
    definition: ComponentDefinition | undefined,
    ref: FoundReference,
    planning: boolean,
    dependsOn: Map<string, string>,
  ): void {
    const problem = (message: string): void => void this.errors.push({ path: ref.path, message: `${message} (column ${ref.column})` });
    const kind = classifyReference(ref);
    switch (kind.kind) {
      case 'invalid':
        return problem(kind.message);
      case 'parameter': {
        const param = this.params.get(kind.name);
        if (!param) return problem(`parameters.${kind.name} is not a parameter of this template`);
        if (!param.secret) return;
        // `at` is ['components', index, ...path inside the component]; planning fields are never env values.
        const relative = ref.at?.slice(2) ?? [];
        if (planning || (definition && !secretAllowedAt(definition.deployment_type, relative)))
          this.errors.push({ path: ref.path, message: secretPlacementMessage(kind.name) });
        return;
      }
      case 'output': {
        if (kind.component === spec.id) return problem('a component cannot read its own outputs');
        const target = this.ids.get(kind.component);
        if (!target) return problem(`components.${kind.component} names no component of this template`);
        const outputs = this.registry.get(target.component_ref)?.outputs;
        if (outputs && !Object.prototype.hasOwnProperty.call(outputs, kind.key)) {
          return problem(`component '${kind.component}' has no output '${kind.key}' (it has ${Object.keys(outputs).join(', ') || 'none'})`);
        }
        if (planning) return problem('outputs of other components are only known at deploy time; they cannot size or gate a component');
        if (!dependsOn.has(kind.component)) dependsOn.set(kind.component, ref.path);
        return;
      }
      case 'deployment':
      case 'cluster':
        return;
      default: {
        const unreachable: never = kind;
        return problem(`unknown reference ${String(unreachable)}`);
      }
    }
  }
}

/** Every semantic problem of a schema-valid template against the registry, plus its dependency graph. */
export function analyzeTemplate(template: TemplateDocument, registry: Registry): TemplateAnalysis {
  return new Analyzer(template, registry).run();
}
