import type { HelmSpec } from '@bud/contracts';
import { forbiddenHostReason } from './forbidden-host';
import { checkChartRef, checkHelmSpec, checkImageHost, MAX_VALUES_DEPTH, MAX_VALUES_NODES } from './helm-safety';

const helmSpec = (values: Record<string, unknown>, chartRef = 'oci://registry-1.docker.io/bitnamicharts/redis'): HelmSpec => ({
  kind: 'helm',
  chart_ref: chartRef,
  values,
});
const pathsOf = (spec: HelmSpec): string[] => checkHelmSpec(spec).map((d) => d.path);

describe('checkHelmSpec chart references', () => {
  it.each([
    ['an OCI chart on a public registry', 'oci://registry-1.docker.io/bitnamicharts/redis'],
    ['an OCI chart with a registry port', 'oci://ghcr.io:443/stefanprodan/charts/podinfo'],
    ['an https chart repository path', 'https://charts.bitnami.com/bitnami/redis'],
    ['an uppercase scheme is still https', 'HTTPS://charts.example.com/stable/app'],
    ['a bundled chart by name', 'charts/qdrant'],
    ['a bundled chart with a dotted name', 'charts/rag-orchestrator.v2'],
    ['a public IP that is not loopback or link-local', 'https://203.0.113.7/charts/app'],
  ])('accepts %s', (_name, chartRef) => {
    expect(checkChartRef(chartRef, 'spec.chart_ref')).toEqual([]);
  });

  it.each([
    ['a file: reference', 'file:///etc/passwd', /file:/],
    ['a file: reference with odd case', 'FILE:charts/x', /file:/],
    ['plain http (no TLS)', 'http://charts.example.com/stable/app', /must be oci/],
    ['a bare relative path', './charts/app', /must be oci/],
    ['a path escaping the bundled charts', 'charts/../secrets', /must be oci/],
    ['a nested bundled path', 'charts/a/b', /must be oci/],
    ['a git URL', 'git://github.com/x/y', /must be oci/],
    ['a host with no chart path', 'oci://ghcr.io', /chart path/],
    ['a host with only a slash', 'https://charts.example.com/', /chart path/],
    ['credentials in the URL', 'https://user:secret@charts.example.com/app', /credentials/],
    ['a query string', 'https://charts.example.com/app?token=x', /query/],
    ['localhost', 'oci://localhost:5000/charts/app', /loopback/],
    ['a subdomain of localhost', 'https://registry.localhost/app', /loopback/],
    ['127.0.0.1', 'oci://127.0.0.1/charts/app', /loopback/],
    ['anywhere in 127/8', 'https://127.200.3.4/app', /loopback/],
    ['127.1 short form over oci (not normalised by URL)', 'oci://127.1/app', /loopback/],
    ['a decimal integer loopback over oci', 'oci://2130706433/app', /loopback/],
    ['a hex loopback over https', 'https://0x7f000001/app', /loopback/],
    ['IPv6 loopback', 'oci://[::1]:5000/app', /loopback/],
    ['IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/app', /loopback/],
    ['the cloud metadata IP', 'https://169.254.169.254/latest/meta-data', /link-local/],
    ['any link-local IPv4', 'oci://169.254.10.20/app', /link-local/],
    ['GCP metadata by name', 'https://metadata.google.internal/computeMetadata/v1', /metadata/],
    ['GCP metadata by name with a trailing dot', 'https://metadata.google.internal./x', /metadata/],
    ['IPv6 link-local', 'oci://[fe80::1]/app', /link-local/],
    ['IPv6 link-local at the top of fe80::/10', 'oci://[febf::1]/app', /link-local/],
    ['AWS IPv6 metadata', 'https://[fd00:ec2::254]/latest', /metadata/],
    ['the unspecified IPv4 address', 'https://0.0.0.0/app', /unspecified/],
    ['the unspecified IPv6 address', 'oci://[::]/app', /unspecified/],
    ['a percent-encoded host over oci', 'oci://%31%32%37.0.0.1/app', /not a valid host/],
    ['a semicolon', 'oci://ghcr.io/acme/chart;reboot', /shell characters/],
    ['a command substitution', 'oci://ghcr.io/acme/$(id)', /shell characters/],
    ['backticks', 'https://charts.example.com/a/`id`', /shell characters/],
    ['a pipe', 'oci://ghcr.io/acme/chart|sh', /shell characters/],
    ['a space', 'oci://ghcr.io/acme/chart x', /shell characters/],
  ])('rejects %s', (_name, chartRef, message) => {
    const details = checkChartRef(chartRef, 'spec.chart_ref');
    expect(details).toHaveLength(1);
    expect(details[0]?.path).toBe('spec.chart_ref');
    expect(details[0]?.message).toMatch(message);
  });

  it('an IPv6 address outside link-local (fec0::) is not mistaken for one', () => {
    expect(forbiddenHostReason('[fec0::1]')).toBeNull();
  });
});

describe('checkHelmSpec values', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['hostNetwork at the top', { hostNetwork: true }, 'spec.values.hostNetwork'],
    ['hostPID in a nested pod spec', { server: { podSpec: { hostPID: true } } }, 'spec.values.server.podSpec.hostPID'],
    ['hostIPC written in another case', { HOSTIPC: 'true' }, 'spec.values.HOSTIPC'],
    ['hostNetwork switched on by a truthy string', { hostNetwork: 'yes' }, 'spec.values.hostNetwork'],
    ['privileged in a securityContext', { securityContext: { privileged: true } }, 'spec.values.securityContext.privileged'],
    [
      'privileged inside a list of containers',
      { containers: [{ name: 'a' }, { securityContext: { Privileged: true } }] },
      'spec.values.containers[1].securityContext.Privileged',
    ],
    [
      'allowPrivilegeEscalation: true',
      { securityContext: { allowPrivilegeEscalation: true } },
      'spec.values.securityContext.allowPrivilegeEscalation',
    ],
    ['a hostPath volume', { volumes: [{ name: 'root', hostPath: { path: '/' } }] }, 'spec.values.volumes[0].hostPath'],
    ['a hostPath given as a plain string', { persistence: { hostpath: '/var/run/docker.sock' } }, 'spec.values.persistence.hostpath'],
    [
      'a hostPort on a container',
      { containers: [{ ports: [{ containerPort: 80, hostPort: 80 }] }] },
      'spec.values.containers[0].ports[0].hostPort',
    ],
    [
      'capabilities.add with entries',
      { securityContext: { capabilities: { add: ['NET_ADMIN'] } } },
      'spec.values.securityContext.capabilities.add',
    ],
    [
      'capabilities.ADD in another case',
      { securityContext: { Capabilities: { ADD: ['SYS_ADMIN'] } } },
      'spec.values.securityContext.Capabilities.ADD',
    ],
    ['runAsUser: 0', { podSecurityContext: { runAsUser: 0 } }, 'spec.values.podSecurityContext.runAsUser'],
    ['runAsUser "0" as a string', { securityContext: { RunAsUser: '0' } }, 'spec.values.securityContext.RunAsUser'],
    ['a key needing quotes in the path', { 'my chart': { hostNetwork: true } }, 'spec.values["my chart"].hostNetwork'],
    ['a rule inside a list inside a list', { matrix: [[{ hostPID: true }]] }, 'spec.values.matrix[0][0].hostPID'],
  ])('rejects %s', (_name, values, path) => {
    expect(pathsOf(helmSpec(values))).toEqual([path]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['hostNetwork explicitly off', { hostNetwork: false }],
    ['hostPID off as the string "false"', { hostPID: 'false' }],
    ['hostIPC null', { hostIPC: null }],
    ['privileged: false', { securityContext: { privileged: false } }],
    ['allowPrivilegeEscalation: false', { securityContext: { allowPrivilegeEscalation: false } }],
    ['a hostPath key set to null (a chart default being cleared)', { hostPath: null }],
    ['a persistentVolumeClaim instead of a hostPath', { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'x' } }] }],
    ['a containerPort without a hostPort', { containers: [{ ports: [{ containerPort: 80 }] }] }],
    ['capabilities that only drop', { securityContext: { capabilities: { drop: ['ALL'] } } }],
    ['capabilities.add that is empty', { securityContext: { capabilities: { add: [] } } }],
    ['a non-root runAsUser', { securityContext: { runAsUser: 1000, runAsNonRoot: true } }],
    ['forbidden words appearing only as values', { note: 'hostNetwork privileged hostPath', list: ['hostPort', 'runAsUser'] }],
    ['keys that merely contain a forbidden word', { hostNetworkPolicy: true, privilegedMode: true, myHostPath: '/x' }],
    ['ordinary chart values', { replicaCount: 2, image: { tag: '1.2.3' }, resources: { limits: { cpu: '1' } }, service: { port: 6333 } }],
  ])('accepts %s', (_name, values) => {
    expect(checkHelmSpec(helmSpec(values))).toEqual([]);
  });

  it('reports every violation together with the chart ref, in document order', () => {
    const details = checkHelmSpec(helmSpec({ hostNetwork: true, securityContext: { privileged: true, runAsUser: 0 } }, 'http://x/y'));
    expect(details.map((d) => d.path)).toEqual([
      'spec.chart_ref',
      'spec.values.hostNetwork',
      'spec.values.securityContext.privileged',
      'spec.values.securityContext.runAsUser',
    ]);
  });

  it(`refuses values nested deeper than ${MAX_VALUES_DEPTH} levels without overflowing the stack`, () => {
    let deep: Record<string, unknown> = { hostNetwork: true };
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const details = checkHelmSpec(helmSpec(deep));
    expect(details).toHaveLength(1);
    expect(details[0]?.message).toMatch(/deeper than 64/);
    expect(details[0]?.path.split('.a').length - 1).toBe(MAX_VALUES_DEPTH);
  });

  it('accepts values exactly at the depth limit and still checks them', () => {
    let deep: Record<string, unknown> = { hostNetwork: true };
    for (let i = 0; i < MAX_VALUES_DEPTH - 2; i++) deep = { a: deep };
    expect(checkHelmSpec(helmSpec(deep))[0]?.message).toMatch(/host namespace/);
  });

  it('bounds the walk over shared references (an expanded alias bomb) instead of hanging', () => {
    let node: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 40; i++) node = { a: node, b: node };
    const details = checkHelmSpec(helmSpec(node));
    expect(details).toEqual([{ path: 'spec.values', message: `has more than ${MAX_VALUES_NODES} nested objects to check` }]);
  });

  it('caps the number of details so a hostile document cannot inflate the error body', () => {
    const values = { items: Array.from({ length: 1000 }, () => ({ hostPort: 1 })) };
    expect(checkHelmSpec(helmSpec(values))).toHaveLength(100);
  });
});

describe('checkImageHost', () => {
  it.each([
    ['a Docker Hub short name', 'nginx'],
    ['a Docker Hub namespaced name', 'vllm/vllm-openai:v0.12.0'],
    ['ghcr with a tag', 'ghcr.io/huggingface/text-embeddings-inference:1.8'],
    ['nvcr with a nested path', 'nvcr.io/nvidia/tensorrt-llm/release:1.0.0'],
    ['a private registry with a port', 'registry.internal.example:5000/team/app@sha256:abcd'],
  ])('accepts %s', (_name, image) => {
    expect(checkImageHost(image, 'spec.image')).toEqual([]);
  });

  it.each([
    ['localhost with a port', 'localhost:5000/app', /loopback/],
    ['127.0.0.1', '127.0.0.1:5000/app:latest', /loopback/],
    ['IPv6 loopback in brackets', '[::1]:5000/app', /loopback/],
    ['the metadata IP', '169.254.169.254/app', /link-local/],
    ['the GCP metadata host', 'metadata.google.internal/app', /metadata/],
    ['a file: reference', 'file:///tmp/image.tar', /file:/],
    ['a URL instead of a reference', 'https://example.com/app', /not a URL/],
  ])('rejects %s', (_name, image, message) => {
    const details = checkImageHost(image, 'spec.image');
    expect(details).toEqual([{ path: 'spec.image', message: expect.stringMatching(message) }]);
  });
});
